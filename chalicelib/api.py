"""The HTTP API (a Chalice blueprint under /api): requests to services, domain errors to HTTP errors."""
from __future__ import annotations

import hmac
from functools import wraps
from typing import Any, Callable

from chalice import Blueprint, UnauthorizedError

from . import container
from .services.status import sync_status

api = Blueprint(__name__)


def _authenticated(view: Callable[..., Any]) -> Callable[..., Any]:
    """Bearer-token check (API_TOKEN); replaced by Cognito sign-in with the full API."""
    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        expected = container.context().settings.api_token
        header = (api.current_request.headers or {}).get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else ""
        if not expected:
            raise UnauthorizedError("API authentication is not configured (set API_TOKEN)")
        if not hmac.compare_digest(token.encode(), expected.encode()):
            raise UnauthorizedError("missing or wrong bearer token")
        return view(*args, **kwargs)
    return checked


@api.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok"}


@api.route("/sync/status", methods=["GET"])
@_authenticated
def get_sync_status() -> dict[str, Any]:
    return sync_status(container.context())
