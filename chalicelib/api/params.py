"""Query parameters: unknown ones are refused by name, numbers are checked."""
from __future__ import annotations

from chalice import BadRequestError

from ..domain.errors import UnknownFeedError
from ..domain.feeds import feed_named
from ..domain.feeds.products import PRODUCTS
from .blueprint import api


def query(allowed: tuple[str, ...]) -> dict[str, str]:
    """The request's query parameters (the last of a repeated one), or 400 for a parameter the route does not take."""
    params = api.current_request.query_params or {}
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        valid = f"valid parameters: {', '.join(allowed)}" if allowed else "this route takes no query parameters"
        raise BadRequestError(f"unknown query parameter {', '.join(unknown)}; {valid}")
    return {name: params[name] for name in allowed if name in params}


def whole_number(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise BadRequestError(f"{name} must be a whole number; got {raw!r}") from None


def feed(params: dict[str, str]) -> str:
    """The ``feed`` parameter (default products), or 400 naming the valid feeds."""
    try:
        return feed_named(params.get("feed", PRODUCTS)).name
    except UnknownFeedError as unknown:
        raise BadRequestError(str(unknown)) from None
