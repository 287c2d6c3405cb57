"""One process's copy of the products search index: the current snapshot, loaded once, and the journal since.

On each use the copy replays the journal entries written since it last looked (one Query, usually empty).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..domain.retry import RetriesExhaustedError, RetryPolicy
from ..observability import logger
from . import journal
from .index import ProductIndex
from .store import SearchIndexStore, SearchSnapshot, SnapshotError

# A journal entry may land this long after the time in its position (a slow write): positions this far back
# from the newest one seen are read again (entries already applied are skipped by position), at most once per
# OVERLAP_RECHECK_SECONDS; in between, a copy reads only what lies after the newest position it saw.
OVERLAP_MS = 5_000
OVERLAP_RECHECK_SECONDS = 1.0
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
        self._applied: dict[str, None] = {}  # positions applied within the overlap window
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
        self.newest, self._applied, self._newer_snapshot = (current.position if current else None), {}, False
        self._rechecked_at = float("-inf")
        self._catch_up(now)

    def _catch_up(self, now: float) -> None:
        after = self.newest
        if after is None or now - self._rechecked_at >= OVERLAP_RECHECK_SECONDS:
            self._rechecked_at = now
            # Entries just behind the snapshot's position are replayed too: harmless, a suffix replays the same.
            after = None if after is None else earlier(after, OVERLAP_MS)
        for record in self._store.journal(after):
            if record.position in self._applied:
                continue
            self._applied[record.position] = None
            if self.newest is None or record.position > self.newest:
                self.newest = record.position
            try:
                entry = journal.decode(record.data)
            except journal.MalformedEntryError:
                logger.error("malformed search journal entry skipped", extra={"position": record.position})
                continue
            if isinstance(entry, journal.SnapshotPublished):
                self._newer_snapshot = self._newer_snapshot or entry.snapshot_id != self.snapshot_id
            else:
                self.index.apply(entry)  # type: ignore[union-attr]
        if self.newest is not None and len(self._applied) > 1000:
            horizon = earlier(self.newest, OVERLAP_MS)
            self._applied = {position: None for position in self._applied if position > horizon}
