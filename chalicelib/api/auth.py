"""Sign-in on every route but health and change events: a Cognito access token, and a role that allows the route."""
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from chalice import Response

from .. import container
from ..domain.access import ROLE_PERMISSIONS, Principal
from ..domain.errors import InvalidTokenError, SignInUnavailableError
from ..observability import logger
from .blueprint import api, error, unauthorized, unavailable

_principal: ContextVar[Principal | None] = ContextVar("principal", default=None)
MAX_TOKEN_CHARS = 8192


def _bearer() -> str | None:
    headers = api.current_request.headers
    header = headers.get("authorization", "") if headers else ""
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token and len(token) <= MAX_TOKEN_CHARS else None


def _who(principal: Principal) -> str:
    return f"user {principal.username}" if principal.username else f"client {principal.client_id}"


def _refused(principal: Principal, permission: str) -> Response:
    allowed = sorted(role for role, permissions in ROLE_PERMISSIONS.items() if permission in permissions)
    roles = ", ".join(sorted(principal.roles)) or "none"
    return error(403, "ForbiddenError", f"{_who(principal)} (roles: {roles}) may not {permission}; "
                                        f"that needs the role {' or '.join(allowed)}")


def requires(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The route answers 401 without a valid access token, 403 when no role of its holder allows ``permission``."""
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            token = _bearer()
            if token is None:
                return unauthorized("sign in: send the Cognito access token as Authorization: Bearer <token>")
            try:
                principal = container.token_verifier().verify(token)
            except InvalidTokenError as refused:
                return unauthorized(str(refused), invalid_token=True)
            except SignInUnavailableError as failure:
                logger.warning("tokens cannot be checked", extra={"reason": str(failure)})
                return unavailable(str(failure))
            if not principal.may(permission):
                return _refused(principal, permission)
            _principal.set(principal)
            return view(*args, **kwargs)
        return checked
    return decorate


def current_principal() -> Principal | None:
    """Who made the request being answered (set by ``requires``)."""
    return _principal.get()


def who() -> str:
    principal = current_principal()
    return _who(principal) if principal else "anonymous"
