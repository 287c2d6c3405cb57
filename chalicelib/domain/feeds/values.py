"""Reading the values of source records: numbers as Magento writes them (strings included), checked."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRecordError


def number(value: Any, name: str) -> float | None:
    """A finite number, or None for None; InvalidRecordError naming the field for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidRecordError(f"{name} is not a number: {value!r}")
    if isinstance(value, (int, float)):
        result = float(value)
    else:
        try:
            result = float(str(value).strip())
        except ValueError:
            raise InvalidRecordError(f"{name} is not a number: {value!r}") from None
    if not math.isfinite(result):
        raise InvalidRecordError(f"{name} is not a finite number: {value!r}")
    return result


def whole(value: Any, name: str, required: bool = False) -> int | None:
    """A whole number (Magento sends some as strings), or None; InvalidRecordError naming the field otherwise."""
    if value is None and not required:
        return None
    if isinstance(value, bool) or value is None:
        raise InvalidRecordError(f"{name} is not a whole number: {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise InvalidRecordError(f"{name} is not a whole number: {value!r}")
    return int(text)


def text(value: Any, name: str, required: bool = False) -> str | None:
    """A string (None allowed unless required); InvalidRecordError naming the field otherwise."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidRecordError(f"{name} is missing" if value in (None, "") else f"{name} is not a string: {value!r}")
    return value


def source_error(record: Mapping[str, Any]) -> None:
    """The source already found the record malformed, and said why: the row fails with that reason."""
    if record.get("error"):
        raise InvalidRecordError(str(record["error"]))
