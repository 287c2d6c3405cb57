"""The API's blueprint (mounted at /api) and its error answers: ``{"Code", "Message"}`` as Chalice's own."""
from __future__ import annotations

import math
from typing import Any

from chalice import Blueprint, Response

from ..domain.errors import BodyTooLargeError, InvalidRequestError

api = Blueprint("chalicelib.api")

JSON: dict[str, str | list[str]] = {"Content-Type": "application/json"}


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """An error answer shaped like Chalice's (``Code``, ``Message``), with any extra fields the client needs."""
    return Response(body={"Code": code, "Message": message, **extra}, status_code=status,
                    headers={**JSON, **(headers or {})})


def unauthorized(message: str, invalid_token: bool = False) -> Response:
    challenge = 'Bearer realm="catalog-sync"' + (', error="invalid_token"' if invalid_token else "")
    return error(401, "UnauthorizedError", message, {"WWW-Authenticate": challenge})


def refused(invalid: InvalidRequestError) -> Response:
    """A request the API cannot act on: 413 for a body too large, else 400, with the reason."""
    if isinstance(invalid, BodyTooLargeError):
        return error(413, "RequestEntityTooLargeError", str(invalid))
    return error(400, "BadRequestError", str(invalid))


def unavailable(message: str) -> Response:
    return error(503, "ServiceUnavailableError", message)


def retry_after(seconds: float) -> str:
    """``Retry-After`` in whole seconds, never 0 while something is still waited for."""
    return str(max(1, math.ceil(seconds)))
