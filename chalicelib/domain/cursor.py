"""Opaque pagination cursors: named values, each matching its pattern, as base64url JSON with a checksum; anything
else (edited, cut short, made up) is a clear InvalidRequestError.

A cursor is not signed: the checksum's key is no secret (a cursor only says where a page ends and grants nothing).
The checksum turns an edited or made-up cursor into an error rather than a page from a place nobody asked for.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping

from .errors import InvalidRequestError

MAX_CURSOR_CHARS = 1024
_CHECKSUM_KEY = b"catalog-sync/cursor/v1"
_CHECKSUM_BYTES = 12


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, key=_CHECKSUM_KEY, digest_size=_CHECKSUM_BYTES).digest()


def encode_cursor(values: dict[str, str]) -> str:
    payload = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(payload + _checksum(payload)).decode().rstrip("=")


def decode_cursor(cursor: str, shapes: Mapping[str, re.Pattern[str]]) -> tuple[str, ...]:
    """The values of a cursor this API gave out, in the order of ``shapes`` (name -> the pattern its value matches)."""
    invalid = InvalidRequestError("cursor is not valid: pass the next_cursor of the previous page unchanged")
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_CHARS:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, binascii.Error):
        raise invalid from None
    payload, checksum = raw[:-_CHECKSUM_BYTES], raw[-_CHECKSUM_BYTES:]
    if len(raw) <= _CHECKSUM_BYTES or checksum != _checksum(payload):
        raise invalid
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(data, dict) or set(data) != set(shapes) or not all(
            isinstance(data[name], str) and pattern.fullmatch(data[name]) for name, pattern in shapes.items()):
        raise invalid
    return tuple(data[name] for name in shapes)
