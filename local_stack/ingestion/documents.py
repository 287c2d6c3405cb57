"""Reading a delivery: its body (gzip or plain JSON) into its payload (what is wrong with an item: feeds.py)."""
from __future__ import annotations

import gzip
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
