"""The search index's upkeep after each sync: the first snapshot, a rebuild, or the journal folded in.

The first snapshot comes from the journal alone after a feed's first run (every row it holds was journaled);
it is built from the feed rows table when rows predate the journal (a deployment that had none), and on a full
resync, which heals any drift. Otherwise the journal is folded into a new snapshot once it has grown. Then the
journal is trimmed behind the snapshot.

A compacted snapshot's position is a settled one (journal.SETTLE_LAG_MS behind the clock when its journal was
read): it folds in every entry at or before it, whenever they landed, and copies loaded from it replay every entry
after it (some already folded in: harmless, a suffix replays the same), so an entry landing late is never lost.
"""
from __future__ import annotations

from ..domain.runs import FULL, SyncRun
from ..observability import logger
from ..ports import FeedStore, RunStore
from . import journal
from . import snapshot as snapshots
from .live import LiveIndex, earlier
from .rows import index_row
from .store import SearchIndexStore

TRIM_MARGIN_MS = 12 * 3600 * 1000  # entries are kept this long behind the snapshot's position
COMPACT_ENTRIES = 200  # the sync folds the journal into a new snapshot once it holds this many entries


def maintain_search_index(store: SearchIndexStore, run: SyncRun, runs: RunStore, rows: FeedStore) -> str | None:
    """After a sync: build, compact or leave the index; return what was done. Never raises: the run stands."""
    try:
        current = store.current()
        if current is None and _first_run(run, runs):
            compact_search_index(store)  # no snapshot yet: the journal holds every row
            return "built from the journal"
        if current is None or run.mode == FULL:
            rebuild_search_index(store, rows)
            return "rebuilt"
        if store.journal_size(current.position) >= COMPACT_ENTRIES:
            compact_search_index(store)
            return "compacted"
        return None
    except Exception:
        logger.exception("the search index could not be maintained", extra={"run_id": run.run_id})
        return "failed"


def _first_run(run: SyncRun, runs: RunStore) -> bool:
    """The feed's first run (a full one: nothing was read before), and no other ever started: every row in the
    table was written by this run, through the journal."""
    if run.mode != FULL:
        return False
    listed, _ = runs.list_runs(run.feed, 2)
    return [other.run_id for other in listed] == [run.run_id]


def rebuild_search_index(store: SearchIndexStore, rows: FeedStore) -> None:
    """Build the index from the feed rows table (a scan: only with no index yet, or on a full resync)."""
    # Entries journaled from now on (exports in flight) are replayed on top by every reader; one stamped before
    # and landing later is about a row written before it was stamped, which the scan reads.
    position = store.position_now()
    indexed = [index_row(row) for row in rows.iter_rows()]
    _publish(store, snapshots.encode(snapshots.build(indexed)), position, len(indexed))


def compact_search_index(store: SearchIndexStore) -> None:
    """Fold the journal into a new snapshot (the current one plus the entries since, re-sorted)."""
    live = LiveIndex(store)
    index = live.current()
    # Settled, not the newest position seen: an entry stamped before the newest may still land (live.py).
    position = live.settled or earlier(store.position_now(), journal.SETTLE_LAG_MS)
    _publish(store, index.to_bytes(), position, len(index))


def _publish(store: SearchIndexStore, data: bytes, position: str, rows: int) -> None:
    published = store.publish(data, position, rows)
    store.append([journal.encode(journal.SnapshotPublished(published.snapshot_id))])
    trimmed = store.trim(earlier(position, TRIM_MARGIN_MS))
    logger.info("search index snapshot published", extra={"snapshot_id": published.snapshot_id, "rows": rows,
                                                          "bytes": len(data), "journal_trimmed": trimmed})
