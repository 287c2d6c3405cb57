"""Reading the values of source records: numbers as Magento writes them (strings included), checked."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRecordError


def invalid(field: str) -> str:
    """The failure code of a record whose ``field`` cannot be used."""
    return f"invalid_record.{field}"


def from_source(record: Mapping[str, Any]) -> None:
    """Raise the failure a source noted on a record it found malformed (its ``error``, and ``error_code``)."""
    if record.get("error"):
        code = record.get("error_code")
        raise InvalidRecordError(str(record["error"]), code=code if isinstance(code, str) else "invalid_record.source")


def number(value: Any, name: str) -> float | None:
    """A finite number, or None for None; InvalidRecordError naming the field for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidRecordError(f"{name} is not a number: {value!r}", code=invalid(name))
    if isinstance(value, (int, float)):
        result = float(value)
    else:
        try:
            result = float(str(value).strip())
        except ValueError:
            raise InvalidRecordError(f"{name} is not a number: {value!r}", code=invalid(name)) from None
    if not math.isfinite(result):
        raise InvalidRecordError(f"{name} is not a finite number: {value!r}", code=invalid(name))
    return result


def whole(value: Any, name: str, required: bool = False) -> int | None:
    """A whole number (Magento sends some as strings), or None; InvalidRecordError naming the field otherwise."""
    if value is None and not required:
        return None
    if isinstance(value, bool) or value is None:
        raise InvalidRecordError(f"{name} is not a whole number: {value!r}", code=invalid(name))
    if isinstance(value, int):
        return value
    digits = str(value).strip()
    if not digits.lstrip("-").isdigit():
        raise InvalidRecordError(f"{name} is not a whole number: {value!r}", code=invalid(name))
    return int(digits)


def text(value: Any, name: str, required: bool = False) -> str | None:
    """A string (None allowed unless required); InvalidRecordError naming the field otherwise."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidRecordError(f"{name} is missing" if value in (None, "") else f"{name} is not a string: {value!r}",
                                 code=invalid(name))
    return value
