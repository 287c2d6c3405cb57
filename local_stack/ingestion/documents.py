"""Reading a delivery: its body (gzip or plain JSON) into items, and what is wrong with an item, if anything."""
from __future__ import annotations

import gzip
import math
import zlib
from typing import Any

import orjson


class BadBodyError(ValueError):
    """The body as a whole cannot be read: the answer is a 400 naming no rows."""


def decode_body(body: bytes, content_encoding: str | None) -> tuple[dict[str, Any], int]:
    """The payload and its uncompressed size; gzip when ``Content-Encoding`` says so, plain JSON when absent."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        try:
            raw = gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as error:
            raise BadBodyError(f"the body is not gzip-compressed: {error}") from None
    elif encoding == "identity":
        raw = body
    else:
        raise BadBodyError(f"unsupported Content-Encoding {encoding!r}: send gzip (or no Content-Encoding)")
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BadBodyError(f"the body is not JSON: {error}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise BadBodyError('the body is not an object with an "items" list')
    return payload, len(raw)


def identity(item: Any) -> tuple[Any, Any]:
    """(sku, storeViewCode) as the item gives them, None where it does not."""
    if not isinstance(item, dict):
        return None, None
    return item.get("sku"), item.get("storeViewCode")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _number(value: Any) -> bool:
    # bool is an int in Python, not a number in JSON
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def problem(item: Any) -> str | None:
    """Why the service refuses the item, or None. A deletion needs only its identity; a null price is allowed
    (a product without one), a price of another type is not."""
    if not isinstance(item, dict):
        return "the item is not an object"
    if not _text(item.get("sku")):
        return "missing sku"
    if not _text(item.get("storeViewCode")):
        return "missing storeViewCode"
    if item.get("deleted") is True:
        return None
    if not _text(item.get("name")):
        return "invalid: missing name"
    price = item.get("price")
    if price is not None and not _number(price):
        return f"invalid: price is not a number: {price!r}"
    return None
