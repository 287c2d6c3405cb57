"""The products search index as the services use it: the API's live copy, and its upkeep after each sync.

The API process loads the current snapshot once and, on each use, replays the journal entries written since
(one Query, usually empty). The sync, after each run, folds the journal into a new snapshot once it has grown.
The first snapshot comes from the journal alone after a feed's first run (every row it holds was journaled);
it is built from the feed rows table when rows predate the journal (a deployment that had none), and on a full
resync, which heals any drift. Then the journal is trimmed behind the snapshot.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from weakref import WeakKeyDictionary

from ..domain.batches import ATTENTION, DELETED, DONE, SUBMITTED, WILL_RETRY, BatchOutcome
from ..domain.batching import ExportBatch
from ..domain.feeds.products import PRODUCTS
from ..domain.runs import FULL, SyncRun
from ..domain.search import journal
from ..domain.search import snapshot as snapshots
from ..domain.search.index import ProductIndex
from ..domain.search.rows import NO_TIME, index_row, millis
from ..domain.search.snapshot import SnapshotError
from ..observability import logger
from ..ports import SearchIndexStore
from .context import SyncContext

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
TRIM_MARGIN_MS = 12 * 3600 * 1000  # entries are kept this long behind the snapshot's position
COMPACT_ENTRIES = 200  # the sync folds the journal into a new snapshot once it holds this many entries


def _earlier(position: str, ms: int) -> str:
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
        for attempt in range(3):
            current = self._store.current()
            try:
                index = ProductIndex.from_bytes(self._store.read(current)) if current else ProductIndex()
                break
            except SnapshotError:  # replaced while being read: read the new one
                if attempt == 2:
                    raise
        self.index, self.snapshot_id = index, current.snapshot_id if current else None
        self.newest, self._applied, self._newer_snapshot = (current.position if current else None), {}, False
        self._rechecked_at = float("-inf")
        self._catch_up(now)

    def _catch_up(self, now: float) -> None:
        after = self.newest
        if after is None or now - self._rechecked_at >= OVERLAP_RECHECK_SECONDS:
            self._rechecked_at = now
            # Entries just behind the snapshot's position are replayed too: harmless, a suffix replays the same.
            after = None if after is None else _earlier(after, OVERLAP_MS)
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
            horizon = _earlier(self.newest, OVERLAP_MS)
            self._applied = {position: None for position in self._applied if position > horizon}


_LIVE: WeakKeyDictionary[SearchIndexStore, LiveIndex] = WeakKeyDictionary()
_LIVE_LOCK = threading.Lock()


def live_index(store: SearchIndexStore) -> LiveIndex:
    """The process's copy of the index behind ``store`` (one per store: it lives as long as the process)."""
    with _LIVE_LOCK:
        live = _LIVE.get(store)
        if live is None:
            live = _LIVE[store] = LiveIndex(store)
        return live


def maintain_search_index(ctx: SyncContext, run: SyncRun) -> str | None:
    """After a sync: build, compact or leave the index; return what was done. Never raises: the run stands."""
    store = ctx.search_index
    if store is None:
        return None
    try:
        current = store.current()
        if current is None and _first_run(ctx, run):
            compact_search_index(store)  # no snapshot yet: the journal holds every row
            return "built from the journal"
        if current is None or run.mode == FULL:
            rebuild_search_index(ctx)
            return "rebuilt"
        if store.journal_size(current.position) >= COMPACT_ENTRIES:
            compact_search_index(store)
            return "compacted"
        return None
    except Exception:
        logger.exception("the search index could not be maintained", extra={"run_id": run.run_id})
        return "failed"


def _first_run(ctx: SyncContext, run: SyncRun) -> bool:
    """The feed's first run (a full one: nothing was read before), and no other ever started: every row in the
    table was written by this run, through the journal."""
    if run.mode != FULL:
        return False
    runs, _ = ctx.runs.list_runs(run.feed, 2)
    return [other.run_id for other in runs] == [run.run_id]


def rebuild_search_index(ctx: SyncContext) -> None:
    """Build the index from the feed rows table (a scan: only with no index yet, or on a full resync)."""
    store = ctx.search_index
    # Entries journaled from now on (exports in flight) are replayed on top by every reader.
    position = store.position_now()
    rows = [index_row(row) for row in ctx.rows(PRODUCTS).iter_rows()]
    _publish(store, snapshots.encode(snapshots.build(rows)), position, len(rows))


def compact_search_index(store: SearchIndexStore) -> None:
    """Fold the journal into a new snapshot (the current one plus the entries since, re-sorted)."""
    live = LiveIndex(store)
    index = live.current()
    position = live.newest or store.position_now()
    _publish(store, index.to_bytes(), position, len(index))


def _publish(store: SearchIndexStore, data: bytes, position: str, rows: int) -> None:
    published = store.publish(data, position, rows)
    store.append([journal.encode(journal.SnapshotPublished(published.snapshot_id))])
    trimmed = store.trim(_earlier(position, TRIM_MARGIN_MS))
    logger.info("search index snapshot published", extra={"snapshot_id": published.snapshot_id, "rows": rows,
                                                          "bytes": len(data), "journal_trimmed": trimmed})


def journal_outcome(ctx: SyncContext, batch: ExportBatch, outcome: BatchOutcome) -> None:
    """Tell the products search how a batch ended: each row it carried takes the outcome while the index still
    holds the version sent (a newer version travels in its own batch)."""
    if ctx.search_index is None or batch.feed != PRODUCTS:
        return
    sent = {row.key: row.hash for row in batch.rows}
    if outcome.status == DONE:
        at = millis(outcome.finished_at)
        delivered = [row for row in batch.rows if row.key not in outcome.rejected]
        entries = journal.rows_marked(SUBMITTED, at, ((r.key,
                                                       r.hash) for r in delivered if not r.document.get("deleted")))
        entries += journal.rows_marked(DELETED, at, ((r.key, r.hash) for r in delivered if r.document.get("deleted")))
        entries += journal.rows_marked(ATTENTION, NO_TIME, ((key,
                                                             sent[key]) for key in outcome.rejected if key in sent))
    else:
        entries = journal.rows_marked(WILL_RETRY if outcome.retryable else ATTENTION, NO_TIME, sent.items())
    try:
        ctx.search_index.append([journal.encode(entry) for entry in entries])
    except Exception:  # the batch is settled; the index misses this change until a full resync rebuilds it
        logger.exception("the search index's journal missed a batch outcome", extra={"entries": len(entries)})
