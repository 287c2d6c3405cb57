"""Opaque pagination cursors: a few named strings, base64url JSON; anything else is a clear InvalidRequestError."""
from __future__ import annotations

import base64
import binascii
import json

from .errors import InvalidRequestError

MAX_CURSOR_CHARS = 1024


def encode_cursor(values: dict[str, str]) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The values named ``names`` of a cursor this API gave out."""
    invalid = InvalidRequestError("cursor is not valid: pass the next_cursor of the previous page unchanged")
    if len(cursor) > MAX_CURSOR_CHARS:
        raise invalid
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(data, dict) or set(data) != set(names) or not all(
            isinstance(data[name], str) and data[name] for name in names):
        raise invalid
    return tuple(data[name] for name in names)
