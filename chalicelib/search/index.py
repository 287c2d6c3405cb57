"""The products search index in memory: the base from a snapshot, kept current by replaying journal entries.

Per row: export state, facets (store view, type, visibility), the 32-bit hash of the indexed version and the
two times, in flat arrays (a few bytes each); search texts per product and per distinct name (snapshot.py). Rows
added or whose text changed since the base keep their text in a dictionary, and move in the sort orders' overlays.
"""
from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any

from ..domain.batches import ATTENTION as FAILED
from ..domain.feed import RowKey
from . import snapshot
from .journal import Entry, RowInvalid, RowsMarked, RowsWritten
from .orders import Key, LazyMask, Mask, SortedRows
from .rows import FIELD, NO_TIME, STATUS_CODES, STATUSES, TEXT_END, IndexRow, iso_millis, name_of, product_id_of
from .snapshot import FILTERS, MAX_CODES, NONE, Base
from .store import Arriving

NUMBERS = ("price", "quantity", "salable_quantity")
_SNAPSHOT_ORDERS = {"name": "name", "last_modified": "modified", "last_exported": "exported"}
# A search whose hits are at least 1 row in DENSE is walked in an order but the name's by testing rows one by
# one (a page of 200 is then a few thousand steps), up to LAZY_BUDGET of them before placing every hit at once.
DENSE, LAZY_BUDGET = 100, 30_000

# From a match in a line of the base's texts to the line's number (the texts are UTF-8 bytes: see snapshot.py).
_TAIL = f"[^{TEXT_END}\n]*{TEXT_END}(\\d+)".encode()
_TEXT_END = ord(TEXT_END)


@dataclass
class Hits:
    """The rows a search matches: base rows by their name, as places in the name order (``named``: one byte per
    place; ``starts``, ``ends``: where each matching name's places start and end), and every other one (``rows``: by
    product id or SKU, or by a text changed since the base)."""

    named: bytearray
    starts: list[int]
    ends: list[int]
    rows: list[int]


class ProductIndex:
    def __init__(self, base: Base | None = None):
        base = base or Base()
        self._products, self._product_lines, self._run_rows = base.products, base.product_lines, base.run_rows
        self._skus, self._sku_offsets = base.skus, base.sku_offsets
        self._names, self._name_lines, self._name_places = base.names, base.name_lines, base.name_places
        self._shown, self._shown_offsets = base.shown, base.shown_offsets
        self._perm_name, self._rank_name = base.perm_name, base.rank_name
        self._base_rows = rows = base.rows
        self.vocabulary = {"view": list(base.views), "type": list(base.types), "visibility": list(base.visibilities),
                           "attribute_set": list(base.attribute_sets)}
        self._codes = {facet: {value: code for code, value in enumerate(values, 1)}
                       for facet, values in self.vocabulary.items()}
        # The base's columns become the index's (no copy: a cold start holds each once), but for the two times,
        # whose base values (read only) stay with the sort orders' permutations.
        self.status, self.view, self.type, self.visibility = base.status, base.view, base.type, base.visibility
        self.attribute_set = base.attribute_set
        self.price, self.quantity, self.salable_quantity = base.price, base.quantity, base.salable_quantity
        self.hash32 = base.hash32
        self.last_modified, self.last_exported = _copied(base.last_modified), _copied(base.last_exported)
        self._base_modified, self._base_exported = base.last_modified, base.last_exported
        self._texts: dict[int, str] = {}  # search text of rows added, or changed since the base
        self._changed_names: dict[int, str] = {}  # names (as shown) of rows added, or renamed since the base
        self._added_skus: list[str] = []
        self._added_keys: dict[tuple[str, str], int] = {}
        self.orders = {
            "sku": SortedRows(range(rows), self.sku, self.row_key, False),
            "name": SortedRows(base.perm_name, self._base_name, self.row_key, False, base.rank_name),
            "last_modified": SortedRows(base.perm_modified, self._base_modified.__getitem__, self.row_key, True,
                                        base.rank_modified),
            "last_exported": SortedRows(base.perm_exported, self._base_exported.__getitem__, self.row_key, True,
                                        base.rank_exported),
        }
        # The filter facets of the base rows in the order of each permutation (the key order's are the columns).
        self._ordered = {sort: {facet: base.by_order.get(f"{facet}@{name}", bytearray()) for facet in FILTERS}
                         for sort, name in _SNAPSHOT_ORDERS.items()}

    @classmethod
    def from_rows(cls, rows: list[IndexRow]) -> ProductIndex:
        return cls(snapshot.build(rows))

    @classmethod
    def from_bytes(cls, data: bytes | Arriving) -> ProductIndex:
        return cls(snapshot.decode(data))

    def to_bytes(self) -> bytes:
        """A new snapshot of every row as it stands (sorts: for the sync, not a request)."""
        return snapshot.encode(snapshot.build(self.rows()))

    def __len__(self) -> int:
        return len(self.status)

    @property
    def drift(self) -> int:
        """Rows out of their base place (text or sort orders): what a new snapshot would fold in."""
        return len(self._texts) + sum(order.overlay for order in self.orders.values())

    # Reading rows

    def sku(self, row: int) -> str:
        if row >= self._base_rows:
            return self._added_skus[row - self._base_rows]
        return self._run_sku(bisect_right(self._run_rows, row) - 1)

    def store_view_code(self, row: int) -> str:
        return self.vocabulary["view"][self.view[row] - 1]

    def row_key(self, row: int) -> tuple[str, str]:
        return self.sku(row), self.store_view_code(row)

    def key(self, row: int) -> RowKey:
        return RowKey(*self.row_key(row))

    def _base_text(self, row: int) -> str:
        start = self._product_lines[bisect_right(self._run_rows, row) - 1]
        head = self._products[start:self._products.index(_TEXT_END, start)].decode()
        return f"{head}{FIELD}{self._base_name(row)}"

    def text(self, row: int) -> str:
        changed = self._texts.get(row)
        return changed if changed is not None else self._base_text(row)

    def _base_name(self, row: int) -> str:
        """The folded name of a base row: the line of the names whose places hold the row's."""
        start = self._name_lines[bisect_right(self._name_places, self._rank_name[row]) - 1]
        return self._names[start:self._names.index(_TEXT_END, start)].decode()

    def _base_name_shown(self, row: int) -> str:
        return self._shown[self._shown_offsets[row]:self._shown_offsets[row + 1]].decode()

    def name(self, row: int) -> str | None:
        """The name as shown (the search text holds it case-folded)."""
        changed = self._changed_names.get(row)
        if changed is None:
            changed = self._base_name_shown(row)
        return changed or None

    def _label(self, facet: str, row: int) -> str | None:
        code = getattr(self, facet)[row]
        return self.vocabulary[facet][code - 1] if code else None

    def display(self, row: int) -> dict[str, Any]:
        """The columns a page shows, as the index holds them (the export state too, which a page reads live)."""
        pid = product_id_of(self.text(row))
        sku, view = self.row_key(row)
        shown: dict[str, Any] = {"product_id": int(pid) if pid else None, "name": self.name(row),
                                 "type": self._label("type", row), "attribute_set": self._label("attribute_set", row),
                                 "visibility": self._label("visibility", row), "sku": sku, "store_view_code": view,
                                 "last_modified": iso_millis(self.last_modified[row]),
                                 "last_exported_at": iso_millis(self.last_exported[row]),
                                 "export_status": STATUSES[self.status[row] - 1] if self.status[row] else None}
        for name in NUMBERS:
            value = getattr(self, name)[row]
            shown[name] = None if math.isnan(value) else value
        return shown

    def sort_key(self, sort: str, row: int) -> Key:
        """The row's current key in the order ``sort``."""
        sku, view = self.row_key(row)
        if sort == "sku":
            return sku, sku, view
        if sort == "name":
            return name_of(self.text(row)), sku, view
        if sort == "last_modified":
            return self.last_modified[row], sku, view
        return self.last_exported[row], sku, view

    def rows(self) -> Iterator[IndexRow]:
        for row in range(len(self)):
            sku, view = self.row_key(row)
            price, quantity, salable = (None if math.isnan(value) else value for value in
                                        (self.price[row], self.quantity[row], self.salable_quantity[row]))
            yield IndexRow(sku, view, self.text(row), self.name(row), self._label("type", row),
                           self._label("visibility", row), self._label("attribute_set", row), price, quantity,
                           salable, self.status[row], self.hash32[row], self.last_modified[row],
                           self.last_exported[row])

    def row_of(self, sku: str, store_view_code: str) -> int | None:
        added = self._added_keys.get((sku, store_view_code))
        if added is not None:
            return added
        # The base rows are in key order: the runs of rows (of one SKU) too.
        runs = len(self._run_rows) - 1
        run = bisect_left(range(runs), sku, key=self._run_sku)
        while run < runs and self._run_sku(run) == sku:
            for row in range(self._run_rows[run], self._run_rows[run + 1]):
                if self.store_view_code(row) == store_view_code:
                    return row
            run += 1
        return None

    def _run_sku(self, run: int) -> str:
        return self._skus[self._sku_offsets[run]:self._sku_offsets[run + 1]].decode()

    # Searching

    def search(self, needle: str, codes: dict[str, int | None] | None = None) -> Hits:
        """The rows whose search text contains ``needle`` (folded) and that have every facet code."""
        codes = codes or {}
        base, tail = self._base_rows, re.escape(needle.encode()) + _TAIL
        if any(code is None for code in codes.values()):
            return Hits(bytearray(base), [], [], [])
        places, names = self._name_places, list(map(int, re.findall(tail, self._names)))
        starts, ends = [places[name] for name in names], [places[name + 1] for name in names]
        named = _runs(base, starts, ends)
        rank, changed, has = self._rank_name, self._texts, self._has(codes)
        run_rows = self._run_rows
        rows = [row for run in map(int, re.findall(tail, self._products))
                for row in range(run_rows[run], run_rows[run + 1])
                if not named[rank[row]] and row not in changed and has(row)]
        for row, text in changed.items():  # these rows' base texts no longer count
            if row < base:
                named[rank[row]] = 0
            if needle in text and has(row):
                rows.append(row)
        facets = self._facet_mask("name", codes)
        return Hits(named if facets is None else bytearray(_and(named, facets)), starts, ends, rows)

    def rows_of_product(self, product_id: int) -> list[int]:
        prefix = f"{product_id}{FIELD}"
        run_rows, changed = self._run_rows, self._texts
        found = [row for run in map(int, re.findall(re.escape(f"\n{prefix}".encode()) + _TAIL, self._products))
                 for row in range(run_rows[run], run_rows[run + 1]) if row not in changed]
        return found + [row for row, text in changed.items() if text.startswith(prefix)]

    def code(self, facet: str, value: str) -> int | None:
        """The code of a facet value (None: no row has it); ``status`` takes an export state."""
        return STATUS_CODES.get(value) if facet == "status" else self._codes[facet].get(value)

    def count(self, codes: dict[str, int | None], hits: Hits | None) -> int:
        """How many rows have every facet code (``hits``: the rows a search found, with these codes)."""
        if hits is not None:
            return hits.named.count(1) + len(hits.rows)
        return self.mask(**codes).count(1) if codes else len(self)

    def order_mask(self, sort: str, codes: dict[str, int | None], hits: Hits | None) -> Mask | None:
        """One byte per place in the order's permutation: 1 where the base row there has every facet code and
        (with ``hits``, found with these codes) is a hit; None when nothing filters."""
        if hits is None:
            return self._facet_mask(sort, codes)
        if sort != "name" and self.count(codes, hits) * DENSE >= self._base_rows:
            return LazyMask(self.orders[sort].perm, self.accepts(codes, hits), lambda: self._placed(sort, hits),
                            LAZY_BUDGET, self._facet_mask(sort, codes))
        return self._placed(sort, hits)

    def _placed(self, sort: str, hits: Hits) -> bytearray:
        base, rank = self._base_rows, self.orders[sort].rank
        if sort == "name":
            places = bytearray(hits.named)
        else:  # from the name order's places to this order's: one step per matching row
            places, named, perm = bytearray(base), hits.named, self._perm_name
            for start, end in zip(hits.starts, hits.ends, strict=True):
                for row in compress(perm[start:end], named[start:end]):
                    places[rank[row]] = 1
        for row in hits.rows:
            if row < base:
                places[rank[row]] = 1
        return places

    def _facet_mask(self, sort: str, codes: dict[str, int | None]) -> bytes | bytearray | None:
        """One byte per place in the order's permutation: 1 where the base row there has every facet code."""
        if not codes:
            return None
        base = self._base_rows
        if any(code is None for code in codes.values()):
            return bytes(base)
        ordered = self._ordered.get(sort)
        masks = [(getattr(self, facet)[:base] if ordered is None else ordered[facet]).translate(_selector(code or 0))
                 for facet, code in codes.items()]
        return masks[0] if len(masks) == 1 else _and(*masks)

    def _has(self, codes: dict[str, int | None]):
        wanted = [(getattr(self, facet), code) for facet, code in codes.items()]
        return lambda row: all(column[row] == code for column, code in wanted)

    def accepts(self, codes: dict[str, int | None], hits: Hits | None):
        """Whether a row has every facet code and is a hit (for the rows a walk takes from an overlay)."""
        if hits is None:
            return self._has(codes) if codes else None
        named, rank, base = hits.named, self._rank_name, self._base_rows
        found: set[int] | None = None

        def accept(row: int) -> bool:
            nonlocal found
            if row < base and named[rank[row]]:
                return True
            if found is None:
                found = set(hits.rows)
            return row in found
        return accept

    def mask(self, **codes: int | None) -> bytes:
        """One byte per row, 1 where every given facet has its code (None: no row can match); all 1 without filters."""
        rows = len(self)
        if not codes:
            return b"\x01" * rows
        if any(code is None for code in codes.values()):
            return bytes(rows)
        columns = [getattr(self, facet).translate(_selector(code or 0)) for facet, code in codes.items()]
        return bytes(columns[0]) if len(columns) == 1 else _and(*columns)

    # Replaying the journal

    def apply(self, entry: Entry) -> None:
        if isinstance(entry, RowsWritten):
            for row in entry.rows:
                self.put(row)
        elif isinstance(entry, RowsMarked):
            # Rows marked together share a time: in key order they join the export-time order in key order.
            for sku, view, marked_hash in sorted(entry.marks):
                self.mark(sku, view, marked_hash, entry.status, entry.at)
        elif isinstance(entry, RowInvalid):
            self.invalid(entry)

    def put(self, new: IndexRow) -> int:
        row = self.row_of(new.sku, new.store_view_code)
        if row is None:
            return self._add(new)
        self.hash32[row] = new.hash32
        self._set_facet("status", row, new.status)
        self._set_facet("type", row, self._code("type", new.type))
        self._set_facet("visibility", row, self._code("visibility", new.visibility))
        self.attribute_set[row] = self._code("attribute_set", new.attribute_set)
        for name in NUMBERS:
            value = getattr(new, name)
            getattr(self, name)[row] = NONE if value is None else value
        self._set_name(row, new.name)
        self._set_text(row, new.text)
        self._set_time("last_modified", row, new.last_modified)
        self._set_time("last_exported", row, new.last_exported)
        return row

    def mark(self, sku: str, store_view_code: str, marked_hash: int, status: int, at: int) -> bool:
        """An export result, applied only while the row still has the marked version (as the store's marks are)."""
        row = self.row_of(sku, store_view_code)
        if row is None or self.hash32[row] != marked_hash:
            return False
        self._set_facet("status", row, status)
        if at != NO_TIME:
            self._set_time("last_exported", row, at)
        return True

    def invalid(self, entry: RowInvalid) -> None:
        row = self.row_of(entry.sku, entry.store_view_code)
        if row is None:
            self._add(IndexRow(entry.sku, entry.store_view_code, entry.text, entry.name, entry.type, entry.visibility,
                               entry.attribute_set, None, None, None, STATUS_CODES[FAILED], 0, NO_TIME, NO_TIME))
            return
        self._set_facet("status", row, STATUS_CODES[FAILED])
        # Like the store: fields are only filled where the row has none (a valid earlier version stays).
        old = self.text(row)
        pid = product_id_of(old) or product_id_of(entry.text)
        name = name_of(old) or name_of(entry.text)
        self._set_text(row, f"{pid}{FIELD}{old.split(FIELD, 2)[1]}{FIELD}{name}")
        if not self.type[row]:
            self._set_facet("type", row, self._code("type", entry.type))
        if not self.visibility[row]:
            self._set_facet("visibility", row, self._code("visibility", entry.visibility))
        if not self.attribute_set[row]:
            self.attribute_set[row] = self._code("attribute_set", entry.attribute_set)
        if self.name(row) is None:
            self._set_name(row, entry.name)

    def _add(self, new: IndexRow) -> int:
        row = len(self)
        self.status.append(new.status)
        self.view.append(self._code("view", new.store_view_code))
        self.type.append(self._code("type", new.type))
        self.visibility.append(self._code("visibility", new.visibility))
        self.attribute_set.append(self._code("attribute_set", new.attribute_set))
        for name in NUMBERS:
            value = getattr(new, name)
            getattr(self, name).append(NONE if value is None else value)
        self._changed_names[row] = new.name or ""
        self.hash32.append(new.hash32)
        self.last_modified.append(new.last_modified)
        self.last_exported.append(new.last_exported)
        self._added_skus.append(new.sku)
        self._added_keys[(new.sku, new.store_view_code)] = row
        self._texts[row] = new.text
        for sort, order in self.orders.items():
            order.place(row, self.sort_key(sort, row)[0])
        return row

    def _set_text(self, row: int, text: str) -> None:
        old = self.text(row)
        if text == old:
            return
        if row < self._base_rows and text == self._base_text(row):
            del self._texts[row]
        else:
            self._texts[row] = text
        if name_of(text) != name_of(old):
            self.orders["name"].place(row, name_of(text))

    def _set_facet(self, facet: str, row: int, code: int) -> None:
        column = getattr(self, facet)
        if column[row] == code:
            return
        column[row] = code
        if row < self._base_rows:
            for sort, ordered in self._ordered.items():
                ordered[facet][self.orders[sort].rank[row]] = code

    def _set_name(self, row: int, name: str | None) -> None:
        name = name or ""
        if row < self._base_rows and name == self._base_name_shown(row):
            self._changed_names.pop(row, None)
        else:
            self._changed_names[row] = name

    def _set_time(self, sort: str, row: int, value: int) -> None:
        times = getattr(self, sort)
        if times[row] != value:
            times[row] = value
            self.orders[sort].place(row, value)

    def _code(self, facet: str, value: str | None) -> int:
        if not value:
            return 0
        codes = self._codes[facet]
        code = codes.get(value)
        if code is None:
            if len(codes) >= MAX_CODES - 1:
                raise ValueError(f"the search index holds at most {MAX_CODES - 1} distinct {facet} values")
            self.vocabulary[facet].append(value)
            code = codes[value] = len(codes) + 1
        return code


def _copied(times: Sequence[int]) -> array[int]:
    """A changeable copy of a base column of times (an array, or a read-only view of a snapshot's bytes)."""
    copy = array("q")
    copy.frombytes(memoryview(times).cast("B"))  # type: ignore[arg-type]  # one copy of the bytes, not per value
    return copy


def _and(*masks: bytes | bytearray) -> bytes:
    """Masks of one byte 0 or 1 per place (of one length) ANDed at C speed: as integers, a bit per byte."""
    joined = int.from_bytes(masks[0], "little")
    for mask in masks[1:]:
        joined &= int.from_bytes(mask, "little")
    return joined.to_bytes(len(masks[0]), "little")


def _runs(size: int, starts: list[int], ends: list[int]) -> bytearray:
    """One byte per place, 1 in each run of places [start, end)."""
    mask = bytearray(size)
    for start, end in zip(starts, ends, strict=True):
        mask[start:end] = b"\x01" * (end - start)
    return mask


_SELECTORS: dict[int, bytes] = {}


def _selector(code: int) -> bytes:
    """A translation table: 1 for ``code``, 0 for every other byte."""
    table = _SELECTORS.get(code)
    if table is None:
        table = _SELECTORS[code] = bytes(1 if value == code else 0 for value in range(256))
    return table

