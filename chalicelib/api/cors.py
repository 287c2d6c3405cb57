"""CORS for the dashboard's origin only (DASHBOARD_ORIGIN): other origins get no CORS headers at all. Preflights
answer every documented path, its path parameters whatever they are."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Response

from .. import container
from .blueprint import api

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"
PREFLIGHT_MAX_AGE = "600"


def allowed_origin(headers: Any) -> str | None:
    """The request's Origin when it is the dashboard's, else None."""
    origin = (headers or {}).get("origin")
    allowed = container.context().settings.dashboard_origin
    return allowed if allowed and origin == allowed else None


def _preflight(path: str) -> Callable[..., Response]:
    def preflight(**_path_parameters: str) -> Response:  # /products/{product_id}: Chalice passes the id
        headers: dict[str, str | list[str]] = {}
        if allowed_origin(api.current_request.headers):
            headers = {"Access-Control-Allow-Methods": ALLOWED_METHODS, "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                       "Access-Control-Max-Age": PREFLIGHT_MAX_AGE}
        return Response(body="", status_code=204, headers=headers)
    # Each route's view needs its own name; preflights carry no token, so they are public.
    preflight.__name__ = "preflight_" + "".join(c if c.isalnum() else "_" for c in path).strip("_")
    return preflight


def register_preflights(paths: list[str]) -> None:
    for path in paths:
        api.route(path, methods=["OPTIONS"])(_preflight(path))
