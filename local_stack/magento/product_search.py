"""GET /V1/products over the compact catalog, fast enough for 100,000 products paged by key or by offset.

Order without sortOrders: Magento defines none, and MySQL's depends on the plan. The simulator answers in
``updated_at`` order with ties in a stable pseudo-random order (a hash of the entity id), so a client that
pages by offset without sorting misses or repeats products when one is edited between its pages, and a
client that pages by ``entity_id gt <last>`` without sorting on ``entity_id`` skips products at once.

Results are cached per (store, filters, sort) until the catalog changes; single-filter groups on
``entity_id`` ranges (keyset paging) are applied by bisection on the cached rest.
"""
from __future__ import annotations

import bisect
import re
from array import array
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import attributes, layout, products
from .catalog import TYPE_CODE, TYPES, Catalog, to_epoch
from .criteria import INVALID_ATTRIBUTE, Criteria, Filter, matches, page
from .details import category_ids
from .errors import MagentoError

RANGE_CONDITIONS = frozenset({"gt", "gteq", "lt", "lteq", "from", "to"})
CACHE_SIZE = 32
_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_time(text: str) -> int:
    """A filter value as MySQL reads a DATETIME ('2024-05-01', '2024-05-01 10:00:00'); 0 if unreadable."""
    found = _DATE.match(text)
    if not found:
        return 0
    year, month, day, hour, minute, second = (int(g or 0) for g in found.groups())
    try:
        return to_epoch(datetime(year, month, day, hour, minute, second, tzinfo=UTC))
    except ValueError:
        return 0


def _field(catalog: Catalog, store: layout.StoreView, field: str) -> tuple[Callable[[int], Any], Any]:
    """(value of a row, how to read filter values) for a filterable product field."""
    website = store.website_id
    simple: dict[str, Callable[[int], Any]] = {
        "entity_id": lambda r: catalog.entity_id[r], "id": lambda r: catalog.entity_id[r],
        "sku": lambda r: catalog.sku[r], "type_id": lambda r: TYPES[catalog.type[r]],
        "attribute_set_id": lambda r: catalog.attribute_set[r], "visibility": lambda r: catalog.visibility[r],
        "status": lambda r: catalog.status_in(r, website),
        "price": lambda r: catalog.price_in(r, website) / 100,
        "weight": lambda r: catalog.weight[r] / 100 if catalog.weight[r] >= 0 else None,
        "name": lambda r: products.name(catalog, r, store),
    }
    if field in simple:
        return simple[field], None
    if field in ("created_at", "updated_at"):
        column = catalog.created if field == "created_at" else catalog.updated
        return (lambda r: column[r]), parse_time
    if field in attributes.OPTION_ATTRIBUTES or field in attributes.BOOLEAN_CODES:
        def option(r: int) -> Any:
            attributes = products.product(catalog, r, store, with_stock_item=False)["custom_attributes"]
            return next((a["value"] for a in attributes if a["attribute_code"] == field), None)
        return option, None
    if field == "category_id":
        return (lambda r: ",".join(str(c) for c in category_ids(catalog, r))), None
    raise MagentoError(400, INVALID_ATTRIBUTE, [field])


def _website_filter(catalog: Catalog, f: Filter) -> Callable[[int], bool]:
    """website_id (and store_id) filters test membership, as Magento's product website filter does."""
    if f.field == "store_id":
        store = layout.STORE_BY_ID.get(int(f.value)) if f.value.strip().isdigit() else None
        ids = {store.website_id} if store and store.id else set(layout.WEBSITE_BITS)
    else:
        ids = {int(v) for v in f.value.split(",") if v.strip().isdigit()}
    mask = sum(layout.WEBSITE_BITS.get(i, 0) for i in ids)
    inside = f.condition not in ("neq", "nin")
    return lambda r: bool(catalog.websites[r] & mask) == inside


class ProductSearch:
    """Answers searchCriteria over a catalog; the caller holds ``catalog.lock``."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        self._version = -1

    def search(self, criteria: Criteria, store: layout.StoreView, paging: str) -> tuple[list[int], int]:
        """(rows of the requested page, total_count)."""
        rows = self._matching(criteria, store)
        return list(page(rows, criteria.page_size, criteria.current_page, paging)), len(rows)

    def _cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        if self._version != self.catalog.version:
            self._cache.clear()
            self._version = self.catalog.version
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = self._cache[key] = make()
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return value

    def _matching(self, criteria: Criteria, store: layout.StoreView) -> list[int] | array:
        ranges = [g[0] for g in criteria.groups if len(g) == 1 and g[0].field == "entity_id"
                  and g[0].condition in RANGE_CONDITIONS and g[0].value.strip().lstrip("-").isdigit()]
        rest = tuple(g for g in criteria.groups if not (len(g) == 1 and g[0] in ranges))
        base_rows, base_ids = self._cached(("filter", store.id, rest), lambda: self._filter(rest, store))
        low, high = 0, len(base_ids)
        for f in ranges:
            value = int(f.value)
            if f.condition == "gt":
                low = max(low, bisect.bisect_right(base_ids, value))
            elif f.condition in ("gteq", "from"):
                low = max(low, bisect.bisect_left(base_ids, value))
            elif f.condition == "lt":
                high = min(high, bisect.bisect_left(base_ids, value))
            else:
                high = min(high, bisect.bisect_right(base_ids, value))
        sorts = criteria.sorts
        if sorts and sorts[0][0] in ("entity_id", "id"):
            window = base_rows[low:high] if low < high else []
            return window[::-1] if sorts[0][1] == "DESC" else window
        if ranges:
            return self._sorted(list(base_rows[low:high]) if low < high else [], sorts, store)
        return self._cached(("sorted", store.id, rest, sorts), lambda: self._sorted(list(base_rows), sorts, store))

    def _filter(self, groups: tuple[tuple[Filter, ...], ...], store: layout.StoreView) -> tuple[array, array]:
        catalog = self.catalog
        rows = self._looked_up(groups)
        for group in sorted(groups, key=self._cost):
            tests = [self._test(f, store) for f in group]
            rows = [r for r in rows if any(test(r) for test in tests)]
        return array("q", rows), array("q", (catalog.entity_id[r] for r in rows))

    def _looked_up(self, groups: tuple[tuple[Filter, ...], ...]) -> list[int]:
        """Rows a group of `sku`/`entity_id` eq/in filters names (looked up, not scanned); else every live row."""
        catalog = self.catalog
        for group in groups:
            if all(f.field in ("sku", "entity_id") and f.condition in ("eq", "in") for f in group):
                rows: set[int | None] = set()
                for f in group:
                    values = f.value.split(",") if f.condition == "in" else [f.value]
                    if f.field == "sku":
                        rows.update(catalog.row_of_sku(v.rstrip()) for v in values)
                    else:
                        rows.update(catalog.row_of_id(int(v)) for v in values if v.strip().isdigit())
                rows.discard(None)
                return sorted(rows)  # type: ignore[arg-type]
        return catalog.live_rows()

    @staticmethod
    def _cost(group: tuple[Filter, ...]) -> int:
        """Cheap column filters first, so the costly ones (names, attributes) see fewer rows."""
        slow = {"name", "category_id", *attributes.OPTION_ATTRIBUTES, *attributes.BOOLEAN_CODES}
        return sum(10 if f.field in slow else 1 for f in group)

    def _test(self, f: Filter, store: layout.StoreView) -> Callable[[int], bool]:
        catalog = self.catalog
        if f.field in ("website_id", "store_id"):
            return _website_filter(catalog, f)
        if f.field == "type_id" and f.condition in ("eq", "in"):
            codes = {TYPE_CODE.get(v.strip().lower(), -1) for v in f.value.split(",")}
            return lambda r: catalog.type[r] in codes
        if f.field == "sku" and f.condition in ("eq", "in"):
            # Magento splits an `in` value on commas without trimming; MySQL ignores trailing spaces.
            wanted = {v.rstrip().lower() for v in (f.value.split(",") if f.condition == "in" else [f.value])}
            return lambda r: catalog.sku[r].lower() in wanted
        getter, coerce = _field(catalog, store, f.field)
        return lambda r: matches(getter(r), f.condition, f.value, coerce)

    def _sorted(self, rows: list[int], sorts: tuple[tuple[str, str], ...], store: layout.StoreView) -> list[int]:
        catalog = self.catalog
        rows.sort(key=lambda r: (catalog.updated[r], catalog.order_key(r)))
        for field, direction in reversed(sorts):
            getter, _ = _field(catalog, store, field)
            rows.sort(key=lambda r: _key(getter(r)), reverse=direction == "DESC")
        return rows


def _key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value).lower())
