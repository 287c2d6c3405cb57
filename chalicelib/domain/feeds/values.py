"""Reading the values of source records: numbers as Magento writes them (strings included), checked."""
from __future__ import annotations

import math
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
