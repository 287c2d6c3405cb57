"""Magento searchCriteria as query parameters, spelled as the official REST schema spells them."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Filter:
    field: str
    value: str
    condition: str = "eq"


def search_criteria(groups: Iterable[Sequence[Filter]] = (), sort: Sequence[tuple[str, str]] = (),
                    page_size: int | None = None, current_page: int | None = None) -> list[tuple[str, str]]:
    """Query pairs: filters within a group are OR'ed, groups are AND'ed."""
    pairs: list[tuple[str, str]] = []
    for g, group in enumerate(groups):
        for f, item in enumerate(group):
            prefix = f"searchCriteria[filterGroups][{g}][filters][{f}]"
            pairs += [(f"{prefix}[field]", item.field), (f"{prefix}[value]", item.value),
                      (f"{prefix}[conditionType]", item.condition)]
    for s, (field, direction) in enumerate(sort):
        pairs += [(f"searchCriteria[sortOrders][{s}][field]", field),
                  (f"searchCriteria[sortOrders][{s}][direction]", direction)]
    if page_size is not None:
        pairs.append(("searchCriteria[pageSize]", str(page_size)))
    if current_page is not None:
        pairs.append(("searchCriteria[currentPage]", str(current_page)))
    return pairs


def all_of(*filters: Filter | None) -> list[list[Filter]]:
    """Groups for filters that must all hold (None entries are skipped)."""
    return [[f] for f in filters if f is not None]


def any_in(field: str, values: Iterable[object]) -> Filter:
    return Filter(field, ",".join(str(v) for v in values), "in")
