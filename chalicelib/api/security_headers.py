"""The security headers of every answer, dashboard and API alike, defined once.

The API adds them to its own answers (api/answers.py), the local server to everything it serves
(local_stack/server.py), and infra/synth.py makes CloudFront's response-headers policy from them (read through
infra/app_manifest.py). The dashboard is plain ES modules and a stylesheet from its own origin; it talks to the API
(same origin) and to the Cognito endpoint it signs in with, so that is all the policy allows.
"""
from __future__ import annotations

from urllib.parse import urlsplit

REFERRER_POLICY = "no-referrer"  # the dashboard's links carry searches (SKUs): they leave the page with nothing
CONTENT_TYPE_OPTIONS = "nosniff"
FRAME_OPTIONS = "DENY"  # for browsers without frame-ancestors
API_CACHE_CONTROL = "no-store"  # API answers are per user and hold catalog data: no cache may keep them
HSTS_MAX_AGE_SECONDS = 63_072_000  # two years, on HTTPS answers only (CloudFront; the local stack is plain HTTP)


def sign_in_origin(url: str) -> str | None:
    """The origin (scheme and host) of the Cognito endpoint the dashboard signs in with, from any URL on it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def cognito_origin(region: str) -> str:
    """Cognito's public endpoint in a region: where the dashboard signs in, in AWS."""
    return f"https://cognito-idp.{region}.amazonaws.com"


def content_security_policy(sign_in: str | None) -> str:
    """Scripts, styles and images from the dashboard's origin only (no inline script, no eval); requests to it
    and to ``sign_in``; no plugin, no base URL, no form posted anywhere; never framed."""
    connect = " ".join(["'self'", *([sign_in] if sign_in else [])])
    return "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", f"connect-src {connect}",
        "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ])


def security_headers(sign_in: str | None) -> dict[str, str]:
    """The headers every answer carries (``sign_in``: the Cognito origin, see ``sign_in_origin``)."""
    return {
        "Content-Security-Policy": content_security_policy(sign_in),
        "X-Content-Type-Options": CONTENT_TYPE_OPTIONS,
        "Referrer-Policy": REFERRER_POLICY,
        "X-Frame-Options": FRAME_OPTIONS,
    }


def cloudfront_policy(region: str) -> dict[str, object]:
    """What CloudFront's response-headers policy sets (infra/synth.py turns it into the resource): the same headers,
    for the Cognito endpoint of ``region`` (``${AWS::Region}`` in the template), and HTTPS only (HSTS)."""
    return {"ContentSecurityPolicy": content_security_policy(cognito_origin(region)),
            "ContentTypeOptions": CONTENT_TYPE_OPTIONS, "FrameOptions": FRAME_OPTIONS,
            "ReferrerPolicy": REFERRER_POLICY, "StrictTransportSecuritySeconds": HSTS_MAX_AGE_SECONDS}


def api_headers(sign_in: str | None) -> dict[str, str]:
    """The headers every API answer carries: the security headers, and no caching."""
    return {**security_headers(sign_in), "Cache-Control": API_CACHE_CONTROL}
