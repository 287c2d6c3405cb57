"""What every API answer gets on its way out: the security headers and no caching (api/security_headers.py), JSON's
content type, CORS for the dashboard's origin, and the last resort.

The last resort: an answer is never a trace. Chalice turns an exception a view did not expect into a 500 and logs
it (its logger is the service's, so the line carries this request's id); this says no more to the client than
that, and the request id to quote. Anything raised past Chalice is caught, logged and answered the same way.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from chalice import Response

from .. import container
from ..observability import correlated, logger
from .blueprint import JSON, api, error
from .cors import allowed_origin
from .security_headers import api_headers, sign_in_origin

INTERNAL_ERROR = "InternalServerError"


def _request_id(event: Any) -> str:
    context = getattr(event, "context", None) or {}
    found = context.get("requestId") if isinstance(context, dict) else None
    return found if isinstance(found, str) and found else uuid.uuid4().hex


def internal_error(request_id: str) -> Response:
    return error(500, INTERNAL_ERROR, f"something went wrong on our side; it is logged under request id {request_id}")


def _headers(event: Any, response: Response) -> dict[str, str | list[str]]:
    settings = container.context().settings
    headers: dict[str, str | list[str]] = {**(response.headers or {}), **api_headers(sign_in_origin(settings.jwks_url))}
    if response.status_code != 204 and not any(name.lower() == "content-type" for name in headers):
        headers.update(JSON)  # Chalice leaves it out (API Gateway adds it); said here, every server answers alike
    headers["Vary"] = "Origin"
    origin = allowed_origin(event.headers)
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
    return headers


@api.middleware("http")
def _every_answer(event: Any, get_response: Callable[[Any], Response]) -> Response:
    request_id = _request_id(event)
    with correlated(request_id=request_id):
        try:
            response = get_response(event)
        except Exception:  # Chalice answers a view's own errors; this is for what escapes it
            logger.exception("unexpected error; answered 500")
            response = internal_error(request_id)
        if response.status_code == 500 and isinstance(response.body, dict) and response.body.get(
                "Code") == INTERNAL_ERROR:  # Chalice's own answer to a view's exception (no view answers 500)
            logger.error("answered 500 (the error is logged above)", extra={"path": getattr(event, "path", None)})
            response = internal_error(request_id)
        try:
            response.headers = _headers(event, response)
        except Exception:  # the settings themselves cannot be read: still the security headers, and a 500
            logger.exception("cannot add the answer's headers; answered 500")
            response = internal_error(request_id)
            response.headers = {**response.headers, **api_headers(None)}
    return response
