"""searchCriteria semantics: conditions, OR within a filter group, AND across groups, sorting and both paging modes."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import MagentoError

CONDITIONS = frozenset({"eq", "neq", "gt", "gteq", "lt", "lteq", "in", "nin", "like", "nlike", "null", "notnull",
                        "finset", "from", "to"})
UNSUPPORTED_CONDITION = 'Condition type "%1" is not supported.'
BAD_DIRECTION = 'Sort order "%1" is not supported. Use "ASC" or "DESC".'
INVALID_ATTRIBUTE = "Invalid attribute name: %1"
T = TypeVar("T")


@dataclass(frozen=True)
class Filter:
    field: str
    value: str
    condition: str = "eq"


@dataclass(frozen=True)
class Criteria:
    groups: tuple[tuple[Filter, ...], ...] = ()
    sorts: tuple[tuple[str, str], ...] = ()  # (field, "ASC" | "DESC")
    page_size: int | None = None
    current_page: int | None = None

    @classmethod
    def parse(cls, criteria: Mapping[str, Any] | None) -> Criteria:
        """From the contract's snake_case searchCriteria; 400 for an unknown condition or direction."""
        criteria = criteria or {}
        groups = []
        for group in criteria.get("filter_groups") or []:
            filters = []
            for f in group.get("filters") or []:
                condition = (f.get("condition_type") or "eq").lower()
                if condition not in CONDITIONS:
                    raise MagentoError(400, UNSUPPORTED_CONDITION, [condition])
                filters.append(Filter(str(f.get("field", "")), str(f.get("value", "")), condition))
            if filters:
                groups.append(tuple(filters))
        sorts = []
        for order in criteria.get("sort_orders") or []:
            direction = str(order.get("direction") or "ASC").upper()
            if direction not in ("ASC", "DESC"):
                raise MagentoError(400, BAD_DIRECTION, [order.get("direction")])
            sorts.append((str(order.get("field", "")), direction))
        return cls(tuple(groups), tuple(sorts), criteria.get("page_size"), criteria.get("current_page"))

    def echo(self) -> dict[str, Any]:
        """search_criteria as Magento echoes it in search results (absent values left out)."""
        result: dict[str, Any] = {"filter_groups": [
            {"filters": [{"field": f.field, "value": f.value, "condition_type": f.condition} for f in group]}
            for group in self.groups]}
        if self.sorts:
            result["sort_orders"] = [{"field": field, "direction": direction} for field, direction in self.sorts]
        if self.page_size is not None:
            result["page_size"] = self.page_size
        if self.current_page is not None:
            result["current_page"] = self.current_page
        return result


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _like(pattern: str) -> re.Pattern:
    parts = (".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile("".join(parts) + r"\Z", re.IGNORECASE | re.DOTALL)


def normalize(value: Any) -> Any:
    """A value as MySQL compares it: numbers as numbers, text case-insensitively."""
    number = _number(value)
    return number if number is not None else str(value).lower()


def _pair(a: Any, b: str) -> tuple[Any, Any]:
    left, right = normalize(a), normalize(b)
    if isinstance(left, float) != isinstance(right, float):
        return str(a).lower(), b.lower()
    return left, right


def matches(value: Any, condition: str, target: str, coerce: Callable[[str], Any] | None = None) -> bool:
    """Whether a field's ``value`` satisfies ``condition target`` (``coerce`` parses the target, e.g. dates)."""
    if condition == "null":
        return value is None
    if condition == "notnull":
        return value is not None
    if value is None:
        return False
    if condition in ("in", "nin"):
        found = any(_equal(value, part.strip(), coerce) for part in target.split(","))
        return found if condition == "in" else not found
    if condition in ("like", "nlike"):
        hit = bool(_like(target).match(str(value)))
        return hit if condition == "like" else not hit
    if condition == "finset":
        return any(_equal(part, target, coerce) for part in str(value).split(","))
    if condition in ("eq", "neq"):
        return _equal(value, target, coerce) == (condition == "eq")
    left, right = (value, coerce(target)) if coerce else _pair(value, target)
    if condition in ("gt",):
        return left > right
    if condition in ("gteq", "from"):
        return left >= right
    if condition in ("lt",):
        return left < right
    return left <= right  # lteq, to


def _equal(value: Any, target: str, coerce: Callable[[str], Any] | None) -> bool:
    if coerce is not None:
        return value == coerce(target)
    left, right = _pair(value, target)
    return left == right


def page(items: Sequence[T], page_size: int | None, current_page: int | None, paging: str) -> Sequence[T]:
    """One page: past the end, 2.4 answers nothing and 2.3 repeats the last page."""
    if not page_size:
        return items
    number = max(1, current_page or 1)
    start = (number - 1) * page_size
    if start >= len(items) and paging == "2.3" and items:
        start = (len(items) - 1) // page_size * page_size
    return items[start:start + page_size]


def search_list(items: Sequence[Mapping[str, Any]], criteria: Criteria, paging: str,
                fields: Mapping[str, Callable[[Any], Any]] | None = None) -> tuple[list[Any], int]:
    """searchCriteria over a small list of dicts (metadata, MSI): (page, total_count)."""
    fields = fields or {}

    def get(item: Any, field: str) -> Any:
        if field in fields:
            return fields[field](item)
        if isinstance(item, Mapping) and field in item:
            return item[field]
        raise MagentoError(400, INVALID_ATTRIBUTE, [field])

    tests = [[_predicate(f) for f in group] for group in criteria.groups]
    found = [item for item in items
             if all(any(test(get(item, field)) for field, test in group) for group in tests)]
    for field, direction in reversed(criteria.sorts):
        found.sort(key=lambda item: _sort_key(get(item, field)), reverse=direction == "DESC")
    return list(page(found, criteria.page_size, criteria.current_page, paging)), len(found)


def _predicate(f: Any) -> tuple[str, Callable[[Any], bool]]:
    """(field, test) for one filter; an `in` list is parsed once per search, not once per item."""
    if f.condition in ("in", "nin"):
        parts = [part.strip() for part in f.value.split(",")]
        numbers = {n for n in map(_number, parts) if n is not None}
        texts = {part.lower() for part in parts}

        def found(value: Any) -> bool:
            if value is None:
                return False
            number = _number(value)
            return (number in numbers) if number is not None and numbers else str(value).lower() in texts
        return f.field, (found if f.condition == "in" else lambda value: value is not None and not found(value))
    return f.field, lambda value: matches(value, f.condition, f.value)


def _sort_key(value: Any) -> tuple[int, Any]:
    normalized = normalize(value) if value is not None else ""
    return (0, normalized) if isinstance(normalized, float) else (1, normalized)
