"""The simulated catalog, held compactly: one column per field that filters or sorts, the rest made on demand.

``generate.generate`` fills one deterministically. Rows are never removed (a deleted
product is flagged), so a row's index is stable and entity ids grow with it (which lets ranges use bisect).
"""
from __future__ import annotations

import bisect
import calendar
import threading
import time
from array import array
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import layout
from .categories import CategoryTree
from .model import Bundle, GroupedLink, SpecialPrice, TierPrice

if TYPE_CHECKING:
    from .stock import StockSettings

TYPES = ("simple", "configurable", "virtual", "downloadable", "bundle", "grouped")
SIMPLE, CONFIGURABLE, VIRTUAL, DOWNLOADABLE, BUNDLE, GROUPED = range(6)
TYPE_CODE = {name: code for code, name in enumerate(TYPES)}
SIMPLE_LIKE = frozenset({SIMPLE, VIRTUAL, DOWNLOADABLE})  # the types that have source items
SET_PREFIX = {4: "PRD", 9: "TOP", 10: "BTM", 11: "GEAR", 12: "DL"}
MALFORMATIONS = ("missing_sku", "missing_name", "bad_price", "bad_selection_qty")  # the last: bundles only

EPOCH_START = calendar.timegm((2022, 1, 1, 0, 0, 0))
EPOCH_END = calendar.timegm((2025, 6, 1, 0, 0, 0))
NO_ITEM = -1  # quantity column value: the product has no source item at that source


def to_epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


@lru_cache(maxsize=65536)
def magento_time(epoch: int) -> str:
    """'YYYY-MM-DD HH:MM:SS' in UTC without a zone, as Magento writes timestamps."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


class Catalog:
    """Columns indexed by row; ``lock`` guards every read that spans rows and every change."""

    def __init__(self, seed: int = 42):
        self.seed = seed
        self.lock = threading.RLock()
        self.version = 0  # bumped by every change: cached query results depend on it
        self.assignments = 0  # bumped when products join the catalog or change categories
        self.entity_id = array("q")
        self.sku: list[str] = []
        self.type = bytearray()
        self.attribute_set = bytearray()
        self.parent = array("q")  # a configurable child's parent entity id, else 0
        self.manage_stock = bytearray()  # 0: "Manage Stock" off (always salable, infinite stock)
        self.created = array("q")
        self.updated = array("q")
        self.status = bytearray()
        self.visibility = bytearray()
        self.websites = bytearray()  # bit mask of layout.WEBSITE_BITS
        self.price = array("q")  # cents
        self.weight = array("q")  # hundredths of the weight unit; -1 = none
        self.qty = {source.code: array("q") for source in layout.SOURCES}
        self.source_status = {source.code: bytearray() for source in layout.SOURCES}
        self.deleted = bytearray()
        self.configurable: dict[int, list[int]] = {}  # configurable entity id → its children's entity ids
        self.variant: dict[int, tuple[int, int]] = {}  # child entity id → (color option id, size option id)
        self.bundles: dict[int, Bundle] = {}  # bundle entity id → options and selections
        self.grouped: dict[int, list[GroupedLink]] = {}  # grouped entity id → members and default quantities
        self.product_links: dict[int, list[tuple[str, int]]] = {}  # related/upsell/crosssell → entity ids
        self.tier_prices: dict[int, list[TierPrice]] = {}
        self.special: dict[int, SpecialPrice] = {}
        self.category_links: dict[int, tuple[int, ...]] = {}  # entity id → categories set by an edit
        self.categories = CategoryTree()
        self.next_option_id = 1  # bundle option and selection ids (auto-increments, as in Magento)
        self.next_selection_id = 1
        self.names: dict[tuple[int, int], str] = {}  # (entity id, store id) → name set by an admin (0 = default)
        self.prices: dict[tuple[int, int], int] = {}  # (entity id, website id) → website price in cents
        self.statuses: dict[tuple[int, int], int] = {}  # (entity id, website id) → website status
        self.stock_settings: dict[int, StockSettings] = {}  # entity id → stock item settings set by an edit
        self.malformed: dict[int, str] = {}  # entity id → one of MALFORMATIONS
        self._by_sku: dict[str, int] = {}
        self._memo: dict[str, tuple[int, object]] = {}

    # -- lookups ---------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entity_id)

    def row_of_sku(self, sku: str) -> int | None:
        """The live row of a SKU (case-insensitively, as MySQL compares it)."""
        row = self._by_sku.get(sku.lower())
        return None if row is None or self.deleted[row] else row

    def row_of_id(self, entity_id: int) -> int | None:
        row = bisect.bisect_left(self.entity_id, entity_id)
        if row < len(self.entity_id) and self.entity_id[row] == entity_id and not self.deleted[row]:
            return row
        return None

    def live_rows(self) -> list[int]:
        deleted = self.deleted
        return [row for row in range(len(self.entity_id)) if not deleted[row]]

    def _live(self, entity_ids: Iterable[int]) -> list[int]:
        rows = (self.row_of_id(entity_id) for entity_id in entity_ids)
        return [row for row in rows if row is not None]

    def children(self, entity_id: int) -> list[int]:
        """Live rows of a configurable product's children."""
        return self._live(self.configurable.get(entity_id, ()))

    def members(self, entity_id: int) -> list[int]:
        """Live rows of a composite's members: configurable children, grouped members, bundle selections."""
        if entity_id in self.configurable:
            return self.children(entity_id)
        if entity_id in self.grouped:
            return self._live(link.product_id for link in self.grouped[entity_id])
        bundle = self.bundles.get(entity_id)
        ids = dict.fromkeys(s.product_id for o in bundle.options for s in o.selections) if bundle else {}
        return self._live(ids)

    def allocate_option_id(self) -> int:
        self.next_option_id += 1
        return self.next_option_id - 1

    def allocate_selection_id(self) -> int:
        self.next_selection_id += 1
        return self.next_selection_id - 1

    def status_in(self, row: int, website_id: int) -> int:
        return self.statuses.get((self.entity_id[row], website_id), self.status[row])

    def price_in(self, row: int, website_id: int) -> int:
        return self.prices.get((self.entity_id[row], website_id), self.price[row])

    def reservation(self, row: int, stock_id: int) -> int:
        """Quantity reserved by orders not yet shipped (deterministic: about one product in ten)."""
        mixed = (self.entity_id[row] * 2654435761 + stock_id * 40503 + self.seed) & 0xFFFFFFFF
        return 0 if mixed % 10 else 1 + (mixed >> 8) % 5

    def order_key(self, row: int) -> int:
        """A stable pseudo-random tie-breaker (MySQL returns ties in no defined order)."""
        return (self.entity_id[row] * 2654435761 + self.seed * 97) & 0xFFFFFFFF

    def memo(self, key: str, make: Callable[[], Any], version: int | None = None) -> Any:
        """``make()``, computed once per catalog version (or the ``version`` given, for aggregates that only
        some changes affect, such as the products of each category)."""
        version = self.version if version is None else version
        known, value = self._memo.get(key, (-1, None))
        if known != version:
            value = make()
            self._memo[key] = (version, value)
        return value

    # -- changes (callers hold the lock) ---------------------------------------------------------------

    def changed(self) -> None:
        self.version += 1

    def append(self, entity_id: int, sku: str, type_code: int, attribute_set: int, *, parent: int = 0,
               created: int, updated: int, status: int = 1, visibility: int = 4, websites: int = 3,
               price: int = 0, weight: int = -1, quantities: dict[str, int] | None = None,
               manage_stock: bool = True) -> int:
        if self.entity_id and entity_id <= self.entity_id[-1]:
            raise ValueError("entity ids must grow")
        row = len(self.entity_id)
        self.entity_id.append(entity_id)
        self.sku.append(sku)
        self.type.append(type_code)
        self.attribute_set.append(attribute_set)
        self.parent.append(parent)
        self.manage_stock.append(1 if manage_stock else 0)
        self.created.append(created)
        self.updated.append(updated)
        self.status.append(status)
        self.visibility.append(visibility)
        self.websites.append(websites)
        self.price.append(price)
        self.weight.append(weight)
        for code, column in self.qty.items():
            qty = (quantities or {}).get(code, NO_ITEM)
            column.append(qty)
            self.source_status[code].append(1 if qty > 0 else 0)
        self.deleted.append(0)
        self._by_sku[sku.lower()] = row
        self.assignments += 1
        return row

    def delete(self, row: int) -> None:
        self.deleted[row] = 1
        self._by_sku.pop(self.sku[row].lower(), None)
