"""OAuth 1.0a HMAC-SHA256 signatures for Magento integrations (RFC 5849), for GET requests without a form body.

oauthlib's client signs the same way but costs about half a millisecond a request (URL parsing, checks, a
SystemRandom nonce): on a full read of a large store, one request per product, that is a core-minute. This is
the signature alone; tests check it equals oauthlib's for the same nonce and timestamp.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlsplit

SIGNATURE_METHOD = "HMAC-SHA256"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def escape(value: str) -> str:
    """RFC 5849 section 3.6: everything but ALPHA, DIGIT, '-', '.', '_' and '~' percent-encoded (UTF-8)."""
    return quote(value, safe="~")


def base_string_uri(url: str) -> str:
    """Scheme and host lowercased, the port only if not the scheme's default, the path as sent, no query."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path or '/'}"


class Signer:
    """Signs requests with an integration's four credentials; safe to share between threads."""

    def __init__(self, consumer_key: str, consumer_secret: str, token: str, token_secret: str,
                 clock: Callable[[], float] = time.time, nonce: Callable[[], str] = lambda: secrets.token_hex(16)):
        self._consumer_key, self._token = consumer_key, token
        self._key = f"{escape(consumer_secret)}&{escape(token_secret)}".encode()
        self._clock, self._nonce = clock, nonce

    def authorization(self, method: str, url: str) -> str:
        """The Authorization header's value for ``method`` on ``url`` (its query's parameters signed)."""
        oauth = [("oauth_nonce", self._nonce()), ("oauth_timestamp", str(int(self._clock()))),
                 ("oauth_version", "1.0"), ("oauth_signature_method", SIGNATURE_METHOD),
                 ("oauth_consumer_key", self._consumer_key), ("oauth_token", self._token)]
        query = urlsplit(url).query
        params = sorted((escape(k), escape(v)) for k, v in [*parse_qsl(query, keep_blank_values=True), *oauth])
        normalized = "&".join(f"{k}={v}" for k, v in params)
        base = f"{method.upper()}&{escape(base_string_uri(url))}&{escape(normalized)}"
        signature = base64.b64encode(hmac.new(self._key, base.encode(), hashlib.sha256).digest()).decode()
        return "OAuth " + ", ".join(f'{escape(k)}="{escape(v)}"' for k, v in [*oauth, ("oauth_signature", signature)])
