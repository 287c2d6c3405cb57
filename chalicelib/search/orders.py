"""One sort order of the index: a permutation built with the snapshot, and an overlay of the rows moved since.

Sorting a million rows takes a second, so the permutations come with the snapshot and are never re-sorted
in a request. A row whose sort value changes (a rename, a new export time) or that is new leaves its place
in the permutation for an entry in the overlay, which stays sorted: export and modification times only grow,
so those entries are appended. A walk merges the two by the position each overlay entry would have in the
permutation; given a mask of the matching places in the permutation, it jumps from one to the next with
``bytes.find`` (C speed), so rare matches far along the order cost no Python steps. Keys are (value, sku,
store view code): unique, so a page ends at an exact key (the cursor).
"""
from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

Accept = Callable[[int], Any]  # does an overlay row match? (None: every row does)

Key = tuple  # (sort value, sku, store view code)


class LazyMask:
    """A walk's mask of the places whose row matches, found as the walk asks: while matches are dense, by testing
    the rows from where the walk is (a page costs a few times its own rows; ``facets``, a mask of the places whose
    row has the filters' values, is skipped through at C speed); once ``budget`` rows were tested, by building the
    whole mask at once (``build``: a step per matching row, wherever they are)."""

    def __init__(self, perm: Sequence[int], matches: Callable[[int], Any], build: Callable[[], bytearray],
                 budget: int, facets: bytes | bytearray | None = None):
        self._perm, self._matches, self._build, self._budget, self._facets = perm, matches, build, budget, facets
        self._mask: bytearray | None = None

    def find(self, value: int, start: int, end: int) -> int:
        if self._mask is None:
            found = self._first(self._places(start, end, self._facets.find if self._facets else None, 1))
            if found is not None:
                return found
            self._mask = self._build()
        return self._mask.find(value, start, end)

    def rfind(self, value: int, start: int, end: int) -> int:
        if self._mask is None:
            found = self._first(self._places(end - 1, start - 1, self._facets.rfind if self._facets else None, -1))
            if found is not None:
                return found
            self._mask = self._build()
        return self._mask.rfind(value, start, end)

    def _first(self, places: Iterable[int]) -> int | None:
        """The first of the places whose row matches (-1: none), or None once the budget is spent."""
        for place in places:
            if self._budget <= 0:
                return None
            self._budget -= 1
            if self._matches(self._perm[place]):
                return place
        return -1

    @staticmethod
    def _places(first: int, stop: int, find: Callable[..., int] | None, step: int) -> Iterator[int]:
        """The places from ``first`` up to ``stop`` (excluded) by ``step``: all, or those ``find`` finds."""
        if find is None:
            yield from range(first, stop, step)
            return
        low, high = (first, stop) if step > 0 else (stop + 1, first + 1)
        place = find(1, low, high)
        while place >= 0:
            yield place
            low, high = (place + 1, high) if step > 0 else (low, place)
            place = find(1, low, high)


Mask = bytes | bytearray | LazyMask  # one byte per place in a permutation: 1 where the row there matches


class SortedRows:
    def __init__(self, perm: Sequence[int], base_value: Callable[[int], Any],
                 row_key: Callable[[int], tuple[str, str]], numeric: bool,
                 rank: Sequence[int] | None = None):
        self.perm = perm  # base rows (ordinals 0 .. len(perm)-1) in order of their base values
        self.rank = rank if rank is not None else perm  # a base row's place in perm (perm is range: itself)
        self._base_value = base_value  # a base row's value when the permutation was built (never changes)
        self._row_key = row_key  # (sku, store view code) of any row: never changes
        self._base_rows = len(perm)
        self._stale = bytearray(len(perm))  # base rows whose place is in the overlay, or nowhere
        # The stamp of each row's live overlay entry (rows without one: none): as small as the overlay, and
        # nothing to set up at a cold start.
        self._stamp: dict[int, int] = {}
        self._issued = 0
        # The overlay, sorted by key: each entry's row, stamp, value (when added) and place in the permutation.
        self._rows = array("I")
        self._stamps = array("I")
        self._values: Any = array("q") if numeric else []
        self._places = array("I")
        self._dead = 0
        self._max_key: Key | None = None

    def base_key(self, row: int) -> Key:
        return (self._base_value(row), *self._row_key(row))

    def _entry_key(self, j: int) -> Key:
        return (self._values[j], *self._row_key(self._rows[j]))

    @property
    def overlay(self) -> int:
        """Live overlay entries: how far the order has drifted from its permutation."""
        return len(self._rows) - self._dead

    def place(self, row: int, value: Any) -> None:
        """The row's sort value is now ``value`` (a row appended to the index is placed so)."""
        if self._stamp.pop(row, 0):
            self._dead += 1
        if row < self._base_rows:
            if value == self._base_value(row):
                self._stale[row] = 0
                return
            self._stale[row] = 1
        key = (value, *self._row_key(row))
        count = len(self._rows)
        at = count
        if count and self._entry_key(count - 1) > key:
            at = bisect_right(range(count), key, key=self._entry_key)
        self._issued += 1
        self._rows.insert(at, row)
        self._stamps.insert(at, self._issued)
        self._values.insert(at, value)
        self._places.insert(at, self._place_in_base(key))
        self._stamp[row] = self._issued
        if self._dead > max(1024, count // 2):
            self._compact()

    def _place_in_base(self, key: Key) -> int:
        """Where ``key`` would be in the permutation: before the first base row with a greater key."""
        count = self._base_rows
        if not count:
            return 0
        if self._max_key is None:
            self._max_key = self.base_key(self.perm[count - 1])
        if key > self._max_key:  # the usual case for times: new values are the newest
            return count
        return bisect_left(self.perm, key, key=self.base_key)

    def _compact(self) -> None:
        live = [j for j in range(len(self._rows)) if self._stamps[j] == self._stamp.get(self._rows[j])]
        self._rows = array("I", (self._rows[j] for j in live))
        self._stamps = array("I", (self._stamps[j] for j in live))
        self._places = array("I", (self._places[j] for j in live))
        values = [self._values[j] for j in live]
        self._values = array("q", values) if isinstance(self._values, array) else values
        self._dead = 0

    def walk(self, after: Key | None = None, descending: bool = False, mask: Mask | None = None,
             accept: Accept | None = None) -> Iterator[int]:
        """The rows in order, from just after the key ``after`` (None: from the start).

        ``mask``: one byte per place in the permutation, 1 where the base row there matches (None: all do);
        ``accept``: whether an overlay row matches (None: all do).
        """
        perm, stale, rows, stamps, stamp, places = (self.perm, self._stale, self._rows, self._stamps, self._stamp,
                                                    self._places)
        base, count = self._base_rows, len(rows)
        if not descending:
            p = 0 if after is None else bisect_right(perm, after, key=self.base_key)
            j = 0 if after is None else bisect_right(range(count), after, key=self._entry_key)
            while True:
                if mask is not None and p < base:
                    p = mask.find(1, p, base)
                    if p < 0:
                        p = base
                while j < count and places[j] <= p:  # overlay rows placed before this base row
                    row = rows[j]
                    if stamps[j] == stamp.get(row) and (accept is None or accept(row)):
                        yield row
                    j += 1
                if p >= base:
                    return
                row = perm[p]
                p += 1
                if not stale[row]:
                    yield row
        else:
            p = base - 1 if after is None else bisect_left(perm, after, key=self.base_key) - 1
            j = count - 1 if after is None else bisect_left(range(count), after, key=self._entry_key) - 1
            while True:
                if mask is not None and p >= 0:
                    p = mask.rfind(1, 0, p + 1)
                while j >= 0 and places[j] > p:  # overlay rows placed after this base row
                    row = rows[j]
                    if stamps[j] == stamp.get(row) and (accept is None or accept(row)):
                        yield row
                    j -= 1
                if p < 0:
                    return
                row = perm[p]
                p -= 1
                if not stale[row]:
                    yield row
