"""Search text as a person types it: HTML entities decoded, accents and case folded, runs of spaces made one.

The same function makes the indexed text and the query, so ``™`` finds a name stored as ``&trade;``, ``creme``
finds ``Crème`` and ``STRASSE`` finds ``Straße``. Compatibility forms fold too (``™`` is ``tm``, ``ﬁ`` is
``fi``, a full-width ``Ａ`` is ``a``), and control characters count as spaces.
"""
from __future__ import annotations

import html
import re
import sys
import unicodedata
from functools import cache

_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")


@cache
def _marks() -> dict[int, None]:
    """Every combining mark (accents, cedillas...): what compatibility decomposition splits off a letter, to be
    dropped. Found on first use (a fifth of a second), not at import: most text is ASCII."""
    return {code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))}


def fold(text: str) -> str:
    """``text`` as a search compares it; e.g. ``"  Crème&nbsp;BRÛLÉE "`` is ``"creme brulee"``."""
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_marks())
    return _SPACES.sub(" ", text.casefold()).strip()
