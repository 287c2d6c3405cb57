"""Query parameters: unknown ones are refused by name, each value's length is bounded, numbers are checked."""
from __future__ import annotations

from collections.abc import Mapping

from chalice import BadRequestError

from ..domain.client_input import clipped, quoted
from ..domain.errors import UnknownFeedError
from ..domain.feeds import feed_named
from ..domain.feeds.products import PRODUCTS
from .blueprint import api

MAX_NUMBER_DIGITS = 18  # any page size or id the API takes fits; int() is never asked for 5,000 digits


def query(allowed: Mapping[str, int]) -> dict[str, str]:
    """The request's query parameters (the last of a repeated one), each at most ``allowed[name]`` characters; 400
    for a parameter the route does not take or a value too long."""
    params: Mapping[str, str] = api.current_request.query_params or {}
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        valid = f"valid parameters: {', '.join(allowed)}" if allowed else "this route takes no query parameters"
        raise BadRequestError(f"unknown query parameter {clipped(', '.join(unknown))}; {valid}")
    found = {name: params[name] for name in allowed if name in params}
    for name, value in found.items():
        if len(value) > allowed[name]:
            raise BadRequestError(f"{name} must be at most {allowed[name]} characters; got {len(value):,}")
    return found


def whole_number(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    digits = raw.strip()
    if not (digits.isascii() and digits.lstrip("-").isdigit() and len(digits) <= MAX_NUMBER_DIGITS):
        raise BadRequestError(f"{name} must be a whole number; got {quoted(raw)}")
    return int(digits)


def feed(params: dict[str, str]) -> str:
    """The ``feed`` parameter (default products), or 400 naming the valid feeds."""
    try:
        return feed_named(params.get("feed", PRODUCTS)).name
    except UnknownFeedError as unknown:
        raise BadRequestError(str(unknown)) from None
