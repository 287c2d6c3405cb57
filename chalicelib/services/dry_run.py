"""A dry run: the real sync (the same Reader, fan-out and packing) against stores that read from the real ones and
write nowhere, and a queue that keeps what it would send. No lock, no run record, no row, no batch, no message.

Every port of the dry context discards what it is not known to read (``_Discarding``): a write method added to a
port later is discarded too, never performed.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, cast

from ..domain.answers.force import DryRunFeed, DryRunRows, DryRunSend
from ..domain.batching import decode
from ..domain.errors import CatalogSyncError
from ..domain.feed import exported_item
from ..domain.resync import ResyncOptions
from ..domain.runs import SyncRun
from ..observability import correlated
from ..ports import (
    BatchQueue,
    BatchStore,
    CatalogSource,
    Control,
    Destination,
    FeedStore,
    RunCursor,
    RunStore,
)
from .context import SyncContext
from .sync import continue_sync, open_sync

ROW_READS = frozenset(("states", "all_states", "states_of_ids", "get_rows", "iter_rows"))
BATCH_READS = frozenset(("outcomes", "outbox", "needing_attention", "last_error"))
CONTROL_READS = {"locks": frozenset(("holder",)), "feed_states": frozenset(("get",)),
                 "cooldowns": frozenset(("started_at",)), "dirty": frozenset(("entries",)), "requests": frozenset()}


class DryRunBudgetError(CatalogSyncError):
    """A dry run stopped reading when its time was up (an API request cannot wait for a whole feed)."""

    code = "dry_run.budget"


class _Discarding:
    """A port whose reads (``reads``) are the real one's and whose other calls do nothing (and answer None)."""

    def __init__(self, real: Any, reads: frozenset[str]):
        self._real, self._reads = real, reads
        self.discarded: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        if name in self._reads or not callable(getattr(self._real, name, None)):
            return getattr(self._real, name)

        def discard(*args: Any, **kwargs: Any) -> None:
            self.discarded[name] = self.discarded.get(name, 0) + 1
        return discard


class _OneRun(RunStore):
    """The dry run's run, in memory. It never finishes: a dry run counts for no alarm and ends nothing. The feed's
    recorded runs are listed after it (a feed's first run reads no stored rows: the dry run tells as a run would)."""

    def __init__(self, recorded: RunStore) -> None:
        self.run: SyncRun | None = None
        self._recorded = recorded

    def create(self, run: SyncRun) -> None:
        self.run = run

    def get(self, run_id: str) -> SyncRun | None:
        return self.run if self.run is not None and self.run.run_id == run_id else None

    def latest(self, feed: str) -> SyncRun | None:
        return self.run

    def list_runs(self, feed: str, limit: int,
                  after: RunCursor | None = None) -> tuple[list[SyncRun], RunCursor | None]:
        runs, cursor = self._recorded.list_runs(feed, limit, after)
        if after is None and self.run is not None and self.run.feed == feed:
            runs = [self.run, *runs][:limit]
        return runs, cursor

    def claim_reindex(self, run_id: str, at: str) -> bool:
        return True

    def note_progress(self, run_id: str, rows_seen: int, rows_changed: int, at: str,
                      read_position: str | None = None) -> None:
        pass

    def seal(self, run: SyncRun) -> SyncRun:
        return run

    def finish(self, run_id: str, status: str, error: str | None, finished_at: str) -> bool:
        return False


class _Outlet(BatchQueue):
    """Where the dry run's messages go: counted, and each item written as a JSON line to ``output``."""

    def __init__(self, output: Callable[[str], Any] | None):
        self._output = output
        self.batches = self.items = self.deletions = self.bytes = 0

    def send(self, messages: list[str]) -> int:
        for message in messages:
            batch = decode(message)
            self.batches += 1
            self.bytes += len(message.encode())
            for row in batch.rows:
                self.items += 1
                self.deletions += bool(row.document.get("deleted"))
                if self._output is not None:
                    item = exported_item(row.document, row.last_modified, batch.run_started_at or "")
                    self._output(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
        return len(messages)


class _Budgeted(_Discarding):
    """The real source, whose reads stop with DryRunBudgetError once ``deadline`` (monotonic) has passed."""

    def __init__(self, real: CatalogSource, deadline: float):
        super().__init__(real, frozenset(dir(real)))  # its own reads below come first
        self._deadline = deadline

    def read(self, *args: Any) -> Iterator[Any]:
        return self._until(self._real.read(*args))

    def read_by_ids(self, *args: Any) -> Iterator[Any]:
        return self._until(self._real.read_by_ids(*args))

    def read_resumable(self, *args: Any) -> Iterator[Any]:
        return self._until(self._real.read_resumable(*args))

    def with_concurrency(self, threads: int) -> CatalogSource:
        return cast(CatalogSource, _Budgeted(self._real.with_concurrency(threads), self._deadline))

    def _until(self, records: Iterator[Any]) -> Iterator[Any]:
        for record in records:
            if time.monotonic() > self._deadline:
                raise DryRunBudgetError("the dry run read for its whole time budget and stopped before the end "
                                        "of the feed: the counts are of what it read")
            yield record


def dry_context(ctx: SyncContext, output: Callable[[str], Any] | None = None,
                budget_seconds: float | None = None) -> tuple[SyncContext, _Outlet]:
    """The context a dry run runs in, and where its messages go."""
    rows: dict[str, FeedStore] = {}

    def feed_rows(feed: str) -> FeedStore:
        return rows.setdefault(feed, cast(FeedStore, _Discarding(ctx.rows(feed), ROW_READS)))
    controls = {name: cast(Any, _Discarding(getattr(ctx.control, name), reads))
                for name, reads in CONTROL_READS.items()}
    source = ctx.source if budget_seconds is None else _Budgeted(ctx.source, time.monotonic() + budget_seconds)
    destination = ctx.destination and _Discarding(ctx.destination, frozenset())
    outlet = _Outlet(output)
    dry = replace(ctx, source=cast(CatalogSource, source), destination=cast(Destination | None, destination),
                  feed_rows=feed_rows, runs=_OneRun(ctx.runs), control=Control(**controls), queue=outlet,
                  batches=cast(BatchStore, _Discarding(ctx.batches, BATCH_READS)), trigger=None,
                  product_search=None)
    return dry, outlet


class DryRun:
    """A dry run in two steps, so that a caller can follow its run while it reads: open, then run."""

    def __init__(self, ctx: SyncContext, output: Callable[[str], Any] | None = None,
                 budget_seconds: float | None = None):
        self.ctx, self.outlet = dry_context(ctx, output, budget_seconds)

    def open(self, feed: str, mode: str, options: ResyncOptions | None = None, trigger: str = "cli") -> SyncRun:
        """The run as the real one would open it (InvalidRequestError for options that cannot go together)."""
        with correlated(dry_run=True):
            return open_sync(self.ctx, feed, trigger, mode, options)

    def run(self, run: SyncRun) -> DryRunFeed:
        """Read and build as the run would; the summary. KeyboardInterrupt goes on to the caller."""
        with correlated(dry_run=True):
            return summary(continue_sync(self.ctx, run), self.outlet)


def dry_run(ctx: SyncContext, feed: str, mode: str, options: ResyncOptions | None = None, trigger: str = "cli",
            output: Callable[[str], Any] | None = None, budget_seconds: float | None = None) -> DryRunFeed:
    """Read and build as the run would, send and write nothing; the summary of what it would have done."""
    dry = DryRun(ctx, output, budget_seconds)
    return dry.run(dry.open(feed, mode, options, trigger))


def summary(run: SyncRun, outlet: _Outlet) -> DryRunFeed:
    """What a dry run found and would send, by feed."""
    found: DryRunRows = {"read": run.rows_seen, "new": run.rows_new, "changed": run.rows_updated,
                         "unchanged": run.rows_unchanged, "deleted": run.rows_deleted, "invalid": run.rows_invalid}
    send: DryRunSend = {"items": outlet.items, "deletions": outlet.deletions, "batches": outlet.batches,
                        "bytes": outlet.bytes}
    return {"feed": run.feed, "mode": run.mode, "force": run.options.force or run.options.cleanup,
            "complete": run.error is None, "error": run.error, "rows": found, "send": send,
            "unknown_ids": list(run.unknown_ids), "not_exported": run.export_disabled_reason}

