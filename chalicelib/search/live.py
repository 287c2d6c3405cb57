"""One process's copy of the products search index: the current snapshot, loaded once, and the journal since.

A copy equals its snapshot plus the journal entries after the snapshot's position, applied in position order,
whatever order they landed in. Positions start with the writer's clock, and an entry may become visible up to
journal.LANDING_BOUND_MS after that time (writers keep that bound: dynamo_store), so a copy keeps ``settled``: a
position at or before which it holds every entry. On each use it reads the entries after the newest position it
saw (one Query, usually empty); at most once per RECHECK_SECONDS it reads from ``settled`` instead, then moves
``settled`` to its own clock (taken before that Query) minus journal.SETTLE_LAG_MS (the bound and the clocks'
skew): an entry stamped before that was visible when the Query began. Entries applied after ``settled`` are kept
(their bytes) and never applied twice; one that turns up behind entries already applied is applied in its place,
and those after it are applied again (replaying a suffix is harmless: journal.py).

Cost: one Query per use; at most once per RECHECK_SECONDS it also returns again the entries of about the last
SETTLE_LAG_MS + RECHECK_SECONDS (13 s), which the copy holds in memory meanwhile. An entry visible later than the
bound after its position's time is applied only if it lies after the newest position seen; a snapshot and a full
resync's rebuild heal the rest.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..domain.retry import RetriesExhaustedError, RetryPolicy
from ..observability import logger
from . import journal
from .index import ProductIndex
from .store import JournalRecord, SearchIndexStore, SearchSnapshot, SnapshotError

# How often a copy in use reads the unsettled entries again (an entry that landed behind a newer one it saw
# reaches it within this).
RECHECK_SECONDS = 1.0
# A copy whose base has drifted by this share of its rows (rows moved in the sort orders or changed text)
# loads the newer snapshot when there is one, rather than carry the drift.
RELOAD_DRIFT = 0.2
# A copy not refreshed for this long loads the snapshot again: the journal is trimmed behind snapshots.
IDLE_RELOAD_SECONDS = 6 * 3600
# A snapshot replaced while it was read is read again, the new one, at once: three reads in all.
_REREAD = RetryPolicy(budget_seconds=None, attempts=3, base_seconds=0.0, jitter=False,
                      retryable=lambda error: isinstance(error, SnapshotError))


def earlier(position: str, ms: int) -> str:
    """The position ``ms`` before ``position`` (its time part)."""
    return f"{max(0, int(position[:13]) - ms):013d}"


class LiveIndex:
    """One process's copy of the index, kept current from the journal."""

    def __init__(self, store: SearchIndexStore, clock: Callable[[], float] = time.monotonic):
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()
        self.index: ProductIndex | None = None
        self.snapshot_id: str | None = None
        self.newest: str | None = None  # the newest journal position applied (or the snapshot's)
        self.settled: str | None = None  # every entry at or before this position is applied
        self._unsettled: dict[str, JournalRecord] = {}  # the entries applied after ``settled``, by position
        self._newer_snapshot = False
        self._refreshed_at = 0.0
        self._rechecked_at = float("-inf")

    def current(self) -> ProductIndex:
        """The index as of now: loaded the first time, otherwise brought up to date from the journal."""
        with self._lock:
            now = self._clock()
            if self.index is None or now - self._refreshed_at > IDLE_RELOAD_SECONDS:
                self._load(now)
            else:
                self._catch_up(now)
                if self._newer_snapshot and self.index.drift > RELOAD_DRIFT * max(len(self.index), 1):
                    # A marker replayed from just behind this copy's snapshot names an older one: ask which is
                    # current (one read) rather than load the same snapshot again on every use.
                    self._newer_snapshot = False
                    current = self._store.current()
                    if current is not None and current.snapshot_id != self.snapshot_id:
                        self._load(now)
            self._refreshed_at = now
            return self.index  # type: ignore[return-value]

    def _load(self, now: float) -> None:
        def read() -> tuple[ProductIndex, SearchSnapshot | None]:
            current = self._store.current()
            return (ProductIndex.from_bytes(self._store.read(current)) if current else ProductIndex()), current

        try:
            index, current = _REREAD.call(read)
        except RetriesExhaustedError as gave_up:
            raise gave_up.last from None
        self.index, self.snapshot_id = index, current.snapshot_id if current else None
        self.newest = current.position if current else None
        # The entries just behind the snapshot's position are replayed too (harmless: a suffix replays the same),
        # for a snapshot published at a position not yet settled.
        self.settled = earlier(self.newest, journal.SETTLE_LAG_MS) if self.newest else None
        self._unsettled, self._newer_snapshot = {}, False
        self._rechecked_at = float("-inf")
        self._catch_up(now)

    def _catch_up(self, now: float) -> None:
        recheck = now - self._rechecked_at >= RECHECK_SECONDS
        if recheck:
            self._rechecked_at = now
            settles = earlier(self._store.position_now(), journal.SETTLE_LAG_MS)  # the clock before the Query
            records = self._store.journal(self.settled)
        else:
            records = self._store.journal(self.newest)
        fresh = [record for record in records if record.position not in self._unsettled]
        if fresh:
            first = fresh[0].position
            again = [record for position, record in self._unsettled.items() if position > first]
            if again:
                logger.info("search journal entries landed behind newer ones: those replayed after them",
                            extra={"late": len(fresh), "replayed": len(again), "position": first})
            for record in sorted(fresh + again, key=lambda record: record.position):
                self._apply(record)
            self._unsettled.update((record.position, record) for record in fresh)
            if self.newest is None or fresh[-1].position > self.newest:
                self.newest = fresh[-1].position
        if recheck:
            self.settled = settles if self.settled is None else max(self.settled, settles)
            horizon = self.settled
            self._unsettled = {position: record for position, record in self._unsettled.items() if position > horizon}

    def _apply(self, record: JournalRecord) -> None:
        try:
            entry = journal.decode(record.data)
        except journal.MalformedEntryError:
            logger.error("malformed search journal entry skipped", extra={"position": record.position})
            return
        if isinstance(entry, journal.SnapshotPublished):
            self._newer_snapshot = self._newer_snapshot or entry.snapshot_id != self.snapshot_id
        else:
            self.index.apply(entry)  # type: ignore[union-attr]
