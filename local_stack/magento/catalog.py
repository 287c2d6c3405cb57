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
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from . import layout

TYPES = ("simple", "configurable", "virtual", "downloadable", "bundle", "grouped")
SIMPLE, CONFIGURABLE, VIRTUAL, DOWNLOADABLE, BUNDLE, GROUPED = range(6)
TYPE_CODE = {name: code for code, name in enumerate(TYPES)}
SIMPLE_LIKE = frozenset({SIMPLE, VIRTUAL, DOWNLOADABLE})  # the types that have source items
SET_PREFIX = {4: "PRD", 9: "TOP", 10: "BTM", 11: "GEAR", 12: "DL"}
MALFORMATIONS = ("missing_sku", "missing_name", "bad_price")

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


@dataclass(frozen=True)
class Family:
    """A configurable product's children: consecutive entity ids just before the parent's."""

    first_child: int  # entity id
    count: int
    colors: tuple[int, ...]
    sizes: tuple[int, ...]

    def variant(self, position: int) -> tuple[int, int]:
        """(color option id, size option id) of the child at ``position``."""
        return self.colors[position // len(self.sizes)], self.sizes[position % len(self.sizes)]


class Catalog:
    """Columns indexed by row; ``lock`` guards every read that spans rows and every change."""

    def __init__(self, seed: int = 42):
        self.seed = seed
        self.lock = threading.RLock()
        self.version = 0  # bumped by every change: cached query results depend on it
        self.entity_id = array("q")
        self.sku: list[str] = []
        self.type = bytearray()
        self.attribute_set = bytearray()
        self.parent = array("q")  # a configurable child's parent entity id, else 0
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
        self.families: dict[int, Family] = {}  # configurable parent entity id → family
        self.links: dict[int, tuple[int, ...]] = {}  # bundle/grouped entity id → linked entity ids
        self.names: dict[tuple[int, int], str] = {}  # (entity id, store id) → name set by an admin (0 = default)
        self.prices: dict[tuple[int, int], int] = {}  # (entity id, website id) → website price in cents
        self.statuses: dict[tuple[int, int], int] = {}  # (entity id, website id) → website status
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

    def children(self, entity_id: int) -> list[int]:
        """Live rows of a configurable product's children."""
        family = self.families.get(entity_id)
        if family is None:
            return []
        rows = (self.row_of_id(family.first_child + k) for k in range(family.count))
        return [row for row in rows if row is not None]

    def linked_rows(self, entity_id: int) -> list[int]:
        rows = (self.row_of_id(linked) for linked in self.links.get(entity_id, ()))
        return [row for row in rows if row is not None]

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

    def memo(self, key: str, make):
        """``make()``, computed once per catalog version (for aggregates such as category product counts)."""
        version, value = self._memo.get(key, (-1, None))
        if version != self.version:
            value = make()
            self._memo[key] = (self.version, value)
        return value

    # -- changes (callers hold the lock) ---------------------------------------------------------------

    def changed(self) -> None:
        self.version += 1

    def append(self, entity_id: int, sku: str, type_code: int, attribute_set: int, *, parent: int = 0,
               created: int, updated: int, status: int = 1, visibility: int = 4, websites: int = 3,
               price: int = 0, weight: int = -1, quantities: dict[str, int] | None = None) -> int:
        if self.entity_id and entity_id <= self.entity_id[-1]:
            raise ValueError("entity ids must grow")
        row = len(self.entity_id)
        self.entity_id.append(entity_id)
        self.sku.append(sku)
        self.type.append(type_code)
        self.attribute_set.append(attribute_set)
        self.parent.append(parent)
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
        return row

    def delete(self, row: int) -> None:
        self.deleted[row] = 1
        self._by_sku.pop(self.sku[row].lower(), None)
