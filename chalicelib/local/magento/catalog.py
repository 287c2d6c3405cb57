"""The simulated catalog, held compactly: one column per field that filters or sorts, the rest made on demand.

Deterministic: the same ``products`` and ``seed`` give the same catalog. Rows are never removed (a deleted
product is flagged), so a row's index is stable and entity ids grow with it (which lets ranges use bisect).
"""
from __future__ import annotations

import bisect
import calendar
import random
import threading
import time
from array import array
from dataclasses import dataclass
from datetime import datetime, timezone
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
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


@lru_cache(maxsize=65536)
def magento_time(epoch: int) -> str:
    """'YYYY-MM-DD HH:MM:SS' in UTC without a zone, as Magento writes timestamps."""
    return "%04d-%02d-%02d %02d:%02d:%02d" % time.gmtime(epoch)[:6]


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

    def __init__(self, products: int = 2000, seed: int = 42):
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
        _generate(self, products, random.Random(seed))

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


# -- generation ---------------------------------------------------------------------------------------

IMPORT_RUNS = 24  # bulk imports stamp many products with one updated_at: ties are common in real catalogs


def _generate(catalog: Catalog, count: int, rng: random.Random) -> None:
    imports = sorted(rng.randrange(EPOCH_START, EPOCH_END) for _ in range(IMPORT_RUNS))
    simple_ids: list[int] = []
    entity_id = 1
    while entity_id <= count:
        remaining = count - entity_id + 1
        draw = rng.random()
        created = rng.randrange(EPOCH_START, EPOCH_END - 86400)
        updated = _updated(rng, created, imports)
        if draw < 0.12 and remaining >= 3:
            entity_id = _configurable(catalog, rng, entity_id, remaining, created, updated)
            continue
        if draw < 0.16 and len(simple_ids) >= 4:
            _composite(catalog, rng, entity_id, BUNDLE, 11, simple_ids, created, updated)
        elif draw < 0.20 and len(simple_ids) >= 4:
            _composite(catalog, rng, entity_id, GROUPED, rng.choice((4, 11)), simple_ids, created, updated)
        elif draw < 0.26:
            _simple_like(catalog, rng, entity_id, VIRTUAL, 4, created, updated)
        elif draw < 0.31:
            _simple_like(catalog, rng, entity_id, DOWNLOADABLE, 12, created, updated)
        else:
            _simple_like(catalog, rng, entity_id, SIMPLE, rng.choice((4, 9, 10, 11, 11)), created, updated)
            simple_ids.append(entity_id)
        entity_id += 1


def _updated(rng: random.Random, created: int, imports: list[int]) -> int:
    if rng.random() < 0.3:
        later = [moment for moment in imports if moment >= created]
        if later:
            return rng.choice(later)
    return min(EPOCH_END, created + int(rng.expovariate(1 / (120 * 86400))))


def _websites(rng: random.Random) -> int:
    draw = rng.random()
    return 3 if draw < 0.65 else 1 if draw < 0.9 else 2


def _quantities(rng: random.Random, websites: int) -> dict[str, int]:
    result = {}
    for source in layout.SOURCES:
        if websites & layout.WEBSITE_BITS[source.website_id]:
            result[source.code] = 0 if rng.random() < 0.1 else rng.randint(1, 500)
    return result


def _status(rng: random.Random) -> int:
    return 2 if rng.random() < 0.07 else 1


def _price(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high) * 100 + rng.choice((0, 0, 50, 99))


def _simple_like(catalog: Catalog, rng: random.Random, entity_id: int, kind: int, attribute_set: int,
                 created: int, updated: int) -> None:
    websites = _websites(rng)
    sku = f"{SET_PREFIX[attribute_set]}-{entity_id:06d}"
    if kind == SIMPLE and rng.random() < 0.01:
        sku += " B"  # SKUs may hold spaces: clients must encode them in paths and filters
    visibility = rng.choices((4, 2, 3, 1), (85, 5, 5, 5))[0] if kind == SIMPLE else 4
    low, high = {SIMPLE: (5, 250), VIRTUAL: (10, 200), DOWNLOADABLE: (2, 60)}[kind]
    row = catalog.append(entity_id, sku, kind, attribute_set, created=created, updated=updated,
                         status=_status(rng), visibility=visibility, websites=websites, price=_price(rng, low, high),
                         weight=rng.randint(10, 1000) if kind == SIMPLE else -1,
                         quantities=_quantities(rng, websites))
    _maybe_out_of_stock(catalog, rng, row)
    _maybe_store_status(catalog, rng, entity_id)


def _maybe_out_of_stock(catalog: Catalog, rng: random.Random, row: int) -> None:
    if rng.random() < 0.01:  # set out of stock by hand although quantity is left
        for statuses in catalog.source_status.values():
            statuses[row] = 0


def _maybe_store_status(catalog: Catalog, rng: random.Random, entity_id: int) -> None:
    if rng.random() < 0.03:
        catalog.statuses[(entity_id, 2)] = 2  # disabled on the EU website only


def _configurable(catalog: Catalog, rng: random.Random, entity_id: int, remaining: int, created: int,
                  updated: int) -> int:
    attribute_set = rng.choice((9, 10))
    colors = tuple(sorted(rng.sample([o.id for o in layout.COLOR.options], rng.randint(1, 3))))
    sizes = tuple(sorted(rng.sample(layout.TOP_SIZES if attribute_set == 9 else layout.BOTTOM_SIZES,
                                    rng.randint(2, 4))))
    count = min(rng.randint(2, 6), len(colors) * len(sizes), remaining - 1)
    parent_id = entity_id + count
    parent_sku = f"{SET_PREFIX[attribute_set]}-{parent_id:06d}"
    family = Family(entity_id, count, colors, sizes)
    websites = _websites(rng)
    base_price = rng.randint(15, 120)
    labels = {o.id: o.label for o in layout.SIZE.options + layout.COLOR.options}
    for position in range(count):
        color, size = family.variant(position)
        row = catalog.append(entity_id + position, f"{parent_sku}-{labels[size]}-{labels[color]}", SIMPLE,
                             attribute_set, parent=parent_id, created=created, updated=updated,
                             status=_status(rng), visibility=1, websites=websites,
                             price=base_price * 100 + rng.choice((0, 0, 500)), weight=rng.randint(20, 200),
                             quantities=_quantities(rng, websites))
        _maybe_out_of_stock(catalog, rng, row)
    catalog.append(parent_id, parent_sku, CONFIGURABLE, attribute_set, created=created, updated=updated,
                   status=_status(rng), visibility=4, websites=websites, price=0)
    _maybe_store_status(catalog, rng, parent_id)
    catalog.families[parent_id] = family
    return parent_id + 1


def _composite(catalog: Catalog, rng: random.Random, entity_id: int, kind: int, attribute_set: int,
               simple_ids: list[int], created: int, updated: int) -> None:
    linked = tuple(sorted(rng.sample(simple_ids[-200:], rng.randint(2, 4))))
    catalog.append(entity_id, f"{SET_PREFIX[attribute_set]}-{'BG'[kind == GROUPED]}{entity_id:06d}", kind,
                   attribute_set, created=created, updated=updated, status=_status(rng), visibility=4,
                   websites=3, price=0)
    catalog.links[entity_id] = linked
