"""What a client sends, within bounds: a JSON body is parsed only once its size and nesting are known to be small,
and a message quotes at most about 100 characters of anything a client sent."""
from __future__ import annotations

import json
import re
from typing import Any

from .errors import BodyTooLargeError, InvalidRequestError

MAX_QUOTE_CHARS = 100
MAX_JSON_DEPTH = 16  # the API's bodies nest 2 levels; json.loads recurses once per level, up to RecursionError
# A string's escapes (taken whole, so an escaped quote ends nothing), quotes, and the brackets that nest.
_STRUCTURE = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)


def clipped(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """``text`` as it is, cut to ``limit`` characters."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def quoted(value: Any, limit: int = MAX_QUOTE_CHARS) -> str:
    """``value`` as Python shows it, cut to about ``limit`` characters with its full size said."""
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else f"{value[:limit]!r}… ({len(value):,} characters)"
    shown = repr(value)  # a parsed body's value: its size and depth are bounded already
    return shown if len(shown) <= limit else f"{shown[:limit]}… (a {type(value).__name__})"


def _check_depth(raw: bytes, max_depth: int) -> None:
    """Counts the nesting as json.loads will meet it, without recursing; stops at the first level too deep."""
    depth, in_string = 0, False
    for token in _STRUCTURE.finditer(raw):
        mark = token.group()
        if in_string:
            in_string = mark != b'"'
        elif mark == b'"':
            in_string = True
        elif mark in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                raise InvalidRequestError(f"the body nests deeper than {max_depth} levels")
        elif mark in (b"]", b"}"):
            depth -= 1


def parse_json(raw: bytes, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value of a request body; BodyTooLargeError past ``max_bytes``, InvalidRequestError for anything
    that is not JSON or nests deeper than ``max_depth``."""
    if len(raw) > max_bytes:
        raise BodyTooLargeError(f"the body is {len(raw):,} bytes; at most {max_bytes:,} are accepted")
    _check_depth(raw, max_depth)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):  # ValueError includes an integer past Python's 4,300 digits
        raise InvalidRequestError("the body is not JSON") from None
