"""Headers of every answer: JSON's content type, and CORS for the dashboard's origin only (DASHBOARD_ORIGIN);
other origins get no CORS headers at all."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Response

from .. import container
from .blueprint import api

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"
PREFLIGHT_MAX_AGE = "600"


def _allowed_origin(headers: Any) -> str | None:
    origin = (headers or {}).get("origin")
    allowed = container.context().settings.dashboard_origin
    return allowed if allowed and origin == allowed else None


@api.middleware("http")
def _answer_headers(event: Any, get_response: Callable[[Any], Response]) -> Response:
    response = get_response(event)
    origin = _allowed_origin(event.headers)
    response.headers = dict(response.headers or {})
    if response.status_code != 204 and not any(name.lower() == "content-type" for name in response.headers):
        # Chalice leaves it out (API Gateway adds it); said here, every server answers alike.
        response.headers["Content-Type"] = "application/json"
    response.headers["Vary"] = "Origin"
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def _preflight(path: str) -> Callable[[], Response]:
    def preflight() -> Response:
        headers = {}
        if _allowed_origin(api.current_request.headers):
            headers = {"Access-Control-Allow-Methods": ALLOWED_METHODS, "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                       "Access-Control-Max-Age": PREFLIGHT_MAX_AGE}
        return Response(body="", status_code=204, headers=headers)
    # Each route's view needs its own name; preflights carry no token, so they are public.
    preflight.__name__ = "preflight_" + "".join(c if c.isalnum() else "_" for c in path).strip("_")
    return preflight


def register_preflights(paths: list[str]) -> None:
    for path in paths:
        api.route(path, methods=["OPTIONS"])(_preflight(path))
