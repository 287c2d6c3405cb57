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
