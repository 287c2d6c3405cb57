"""In-memory fakes of our own ports; the contract tests run the same checks on them and on DynamoDB."""
from __future__ import annotations

import copy
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any

from chalicelib.domain.batches import OPEN, BatchOutcome, RowState, row_state, split_batch_id
from chalicelib.domain.batching import ExportBatch, ExportMessage
from chalicelib.domain.budget import Deadline
from chalicelib.domain.errors import (
    CatalogSyncError,
    CooldownActiveError,
    DestinationError,
    Failure,
    LockHeldError,
    SourceError,
)
from chalicelib.domain.events import DirtyEntry
from chalicelib.domain.feed import FeedRow, RowKey, StoredState, StoreView, exported_item, item_hash
from chalicelib.domain.feeds import feed_named
from chalicelib.domain.holdings import HeldItem
from chalicelib.domain.reconciliation_report import ReconciliationReport
from chalicelib.domain.runs import IN_PROGRESS, MAX_ERROR_CAUSES, MAX_EXAMPLES_PER_CAUSE, SyncRun
from chalicelib.ports import (
    BatchQueue,
    BatchStore,
    CatalogSource,
    Control,
    Cooldowns,
    Destination,
    DirtySet,
    EventReplayGuard,
    FeedLocks,
    FeedState,
    FeedStates,
    FeedStore,
    Lock,
    ReadPosition,
    ReconciliationStore,
    RunCursor,
    RunStore,
    Settlement,
    SyncRequests,
    SyncTrigger,
)
from chalicelib.search.store import JournalRecord, SearchIndexStore, SearchSnapshot, SnapshotError

VIEWS = [StoreView("default", "main_store", "base", "USD"), StoreView("french", "main_store", "base", "USD")]


def product(i: int, view: str = "default", **overrides: Any) -> dict[str, Any]:
    record = {
        "store_view_code": view, "product_id": i, "sku": f"SKU-{i:04d}", "name": f"Product {i}",
        "type": "simple", "status": "Enabled", "visibility": "Catalog, Search", "attribute_set": "Default",
        "price": 10.0 + i, "quantity": 5, "salable_quantity": 5, "in_stock": True, "url_key": f"p-{i}",
        "attributes": {"color": ["Blue"]}, "updated_at": "2026-01-01T00:00:00.000Z",
    }
    record.update(overrides)
    return record


class InMemorySource(CatalogSource):
    """Records of every feed: products in ``records``, the other feeds' in ``feed_records[feed]``."""

    kind = "memory"

    def __init__(self, records: list[dict[str, Any]] | None = None, views: list[StoreView] | None = None):
        self.records = records or []
        self.views = views or VIEWS
        self.fail_with: str | None = None
        self.reads: list[Any] = []
        self.feed_records: dict[str, list[dict[str, Any]]] = {}
        self.position_every: int | None = 10
        self.concurrency: int | None = None

    def store_views(self) -> list[StoreView]:
        return self.views

    def feeds(self) -> tuple[str, ...]:
        return ("products", *self.feed_records)

    def read(self, feed: str, changed_since: str | None) -> Iterator[Mapping[str, Any]]:
        self.require(feed)
        if feed != "products":
            self.reads.append((feed, changed_since))
            return self._others(feed, lambda record: True)
        return self.products(changed_since)

    def read_by_ids(self, feed: str, ids: Collection[str],
                    product_ids: Collection[int] = ()) -> Iterator[Mapping[str, Any]]:
        self.require(feed)
        if feed != "products":
            self.reads.append((feed, "by ids", sorted(ids)))
            key_of = feed_named(feed).key_of  # as the Magento source: the feed's own id, or the product id
            return self._others(feed, lambda record: key_of(record).id in ids
                                or record.get("product_id") in product_ids)
        return self.products_by_key(ids, product_ids)

    def read_resumable(self, feed: str, start: str | None) -> Iterator[Mapping[str, Any] | ReadPosition]:
        """Products by their place in ``records``, a position every ``position_every`` records (None: no positions,
        as a source that cannot resume)."""
        self.require(feed)
        self.reads.append(("resumable", feed, start))
        if self.position_every is None or feed != "products":
            return iter(self.read(feed, None))

        def records() -> Iterator[Mapping[str, Any] | ReadPosition]:
            first = int(start or 0)
            for n, record in enumerate(islice(self.records, first, None), first + 1):
                if self.fail_with:
                    raise SourceError(self.fail_with)
                yield record
                if n % self.position_every == 0:
                    yield ReadPosition(str(n))
        return records()

    def with_concurrency(self, threads: int) -> InMemorySource:
        self.concurrency = threads
        return self

    def count(self, feed: str) -> int | None:
        return len(self.records) if feed == "products" else None

    def _others(self, feed: str, wanted: Any) -> Iterator[Mapping[str, Any]]:
        for record in self.feed_records[feed]:
            if self.fail_with:
                raise SourceError(self.fail_with)
            if wanted(record):
                yield record

    def products(self, changed_since: str | None) -> Iterator[Mapping[str, Any]]:
        self.reads.append(changed_since)
        for record in self.records:
            if self.fail_with:
                raise SourceError(self.fail_with)
            if changed_since is None or (record.get("updated_at") or "") >= changed_since:
                yield record

    def products_by_key(self, skus: Collection[str], product_ids: Collection[int]) -> Iterator[Mapping[str, Any]]:
        self.reads.append(("by key", sorted(skus), sorted(product_ids)))
        if self.fail_with:
            raise SourceError(self.fail_with)
        for record in self.records:
            if record.get("sku") in skus or record.get("product_id") in product_ids:
                yield record


class RecordingDestination(Destination):
    kind = "memory"

    def __init__(self) -> None:
        self.batches: list[ExportBatch] = []
        self.completed: list[SyncRun] = []
        self.reject: dict[RowKey, str] = {}
        self.fail: DestinationError | None = None
        self.modified_at: list[str] = []
        self.deadlines: list[Deadline | None] = []
        self.fail_reads: DestinationError | None = None  # what held() and holdings() raise
        self._held: dict[str, dict[RowKey, dict[str, Any]]] = {}  # per feed, the newest item accepted per row

    def deliver(self, batch: ExportBatch, modified_at: str,
                deadline: Deadline | None = None) -> dict[RowKey, Failure]:
        self.deadlines.append(deadline)
        if self.fail:
            raise self.fail
        self.batches.append(batch)
        self.modified_at.append(modified_at)
        rejected = {row.key: Failure("destination.rejected", self.reject[row.key]) for row in batch.rows
                    if row.key in self.reject}
        held = self._held.setdefault(batch.feed, {})
        for row in batch.rows:  # as an ingestion service keeps them: the newest modifiedAt wins
            if row.key not in rejected and (row.key not in held or modified_at >= held[row.key]["modifiedAt"]):
                held[row.key] = exported_item(row.document, row.last_modified, modified_at)
        return rejected

    def complete_run(self, run: SyncRun) -> None:
        self.completed.append(copy.deepcopy(run))

    reads_back = True

    def held(self, feed: str, key: RowKey) -> dict[str, Any] | None:
        """The newest item accepted for the row."""
        if self.fail_reads:
            raise self.fail_reads
        return self._held.get(feed, {}).get(key)

    def holdings(self, feed: str) -> Iterator[HeldItem]:
        """Every row accepted in the feed, newest version each, named by the feed's identity values."""
        if self.fail_reads:
            raise self.fail_reads
        identity_values = feed_named(feed).identity_values
        for key, item in sorted(self._held.get(feed, {}).items()):
            yield HeldItem(identity_values(key), item_hash(item), item["modifiedAt"], item.get("deleted") is True)

    @property
    def rows(self) -> list:
        return [row for batch in self.batches for row in batch.rows]


class InMemoryQueue(BatchQueue):
    """The export queue: ``messages`` their bodies, ``sent`` the messages (with their groups and batch ids)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.sent: list[ExportMessage] = []
        self.calls = 0
        self.call_bytes: list[int] = []

    def send(self, messages: list[ExportMessage]) -> int:
        self.calls += 1
        self.call_bytes.append(sum(len(m.body.encode()) for m in messages))
        self.messages.extend(m.body for m in messages)
        self.sent.extend(messages)
        return len(messages)

    def drain(self) -> list[str]:
        messages, self.messages = self.messages, []
        return messages


class InMemorySyncTrigger(SyncTrigger):
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.runs: list[dict[str, str]] = []
        self.reconciliations: list[dict[str, str]] = []
        self.dry_runs: list[dict[str, str]] = []
        self.fail_with: str | None = None

    def request(self, feed: str, requested_at: str, delay_seconds: int) -> None:
        if self.fail_with:
            raise CatalogSyncError(self.fail_with)
        self.requests.append({"feed": feed, "requested_at": requested_at, "delay_seconds": delay_seconds})

    def start_run(self, feed: str, run_id: str) -> None:
        if self.fail_with:
            raise CatalogSyncError(self.fail_with)
        self.runs.append({"feed": feed, "run_id": run_id})

    def start_dry_run(self, feed: str, run_id: str) -> None:
        if self.fail_with:
            raise CatalogSyncError(self.fail_with)
        self.dry_runs.append({"feed": feed, "run_id": run_id})

    def start_reconciliation(self, feed: str, report_id: str) -> None:
        if self.fail_with:
            raise CatalogSyncError(self.fail_with)
        self.reconciliations.append({"feed": feed, "report_id": report_id})


def _state(row: FeedRow) -> StoredState:
    return StoredState(row.hash or None, row.deleted, row.batch, row.invalid is not None, row.exported_before)


class InMemoryFeedStore(FeedStore):
    def __init__(self) -> None:
        self.rows: dict[RowKey, FeedRow] = {}

    def states(self, keys: Iterable[RowKey]) -> dict[RowKey, StoredState]:
        return {key: _state(self.rows[key]) for key in keys if key in self.rows}

    def all_states(self) -> dict[RowKey, StoredState]:
        return self.states(list(self.rows))

    def states_of_ids(self, ids: Iterable[str]) -> dict[RowKey, StoredState]:
        wanted = set(ids)
        return self.states([key for key in self.rows if key.id in wanted])

    def get_rows(self, keys: Iterable[RowKey], fields: Collection[str] | None = None) -> list[FeedRow]:
        rows = [copy.copy(self.rows[key]) for key in dict.fromkeys(keys) if key in self.rows]
        if fields is None:
            return rows
        return [FeedRow(row.id, row.scope, **{name: getattr(row, name) for name in fields}) for row in rows]

    def rows_of_id(self, item_id: str) -> list[FeedRow]:
        return self.get_rows(sorted(key for key in self.rows if key.id == item_id))

    def iter_rows(self) -> Iterator[FeedRow]:
        return iter(self.get_rows(list(self.rows)))

    def put_rows(self, rows: Iterable[FeedRow]) -> None:
        for row in rows:
            # What a store keeps: the view fields (export state as read or written) are not stored.
            self.rows[row.key] = replace(row, export_status=None, error=None, last_exported_at=None)

    def record_invalid(self, key: RowKey, failure: Failure, run_id: str, fields: Mapping[str, Any]) -> None:
        row = self.rows.get(key) or FeedRow(key.id, key.scope)
        for name, value in fields.items():
            if getattr(row, name) is None:
                setattr(row, name, value)
        self.rows[key] = replace(row, invalid=failure, run_id=run_id)

    def state_of(self, key: RowKey, batches: InMemoryBatchStore) -> RowState:
        """The row's export state, as the dashboard reads it (tests' shorthand)."""
        row = self.rows[key]
        outcome = batches.batches.get(row.batch or "")
        return row_state(key, row.deleted, outcome, row.invalid, row.exported_before)


class InMemoryBatchStore(BatchStore):
    def __init__(self, runs: InMemoryRunStore, journal: SearchIndexStore | None = None) -> None:
        self.batches: dict[str, BatchOutcome] = {}
        self.errors: dict[str, Failure] = {}
        self.retired: set[str] = set()
        self.runs = runs  # the runs whose counters settle() adds to
        self.journal = journal  # the search index whose journal settle() writes to

    def create(self, batches: Sequence[BatchOutcome]) -> None:
        for outcome in batches:
            self.batches[outcome.batch_id] = outcome

    def outcomes(self, batch_ids: Iterable[str]) -> dict[str, BatchOutcome]:
        return {i: self.batches[i] for i in batch_ids if i in self.batches}

    def outbox(self, feed: str) -> list[BatchOutcome]:
        return [b for i, b in sorted(self.batches.items()) if b.feed == feed and b.in_outbox and i not in self.retired]

    def needing_attention(self, feed: str) -> list[BatchOutcome]:
        return [b for i, b in sorted(self.batches.items())
                if b.feed == feed and b.needs_attention and i not in self.retired]

    def settle(self, outcome: BatchOutcome, counts: Settlement, journal: Sequence[bytes] = ()) -> bool:
        stored = self.batches.get(outcome.batch_id)
        if stored is not None and stored.status != OPEN:
            return False
        run_id = split_batch_id(outcome.batch_id)[0]
        if run_id not in self.runs.runs:
            return False
        if journal:  # first: a journal that cannot be written leaves everything unwritten, as a transaction
            if self.journal is None:
                raise ValueError("journal entries given to a batch store that has no journal")
            self.journal.append(list(journal))
        self.batches[outcome.batch_id] = outcome
        self.runs.add_settlement(run_id, counts)
        return True

    def retire(self, batch_ids: Iterable[str], at: str) -> None:
        self.retired.update(batch_ids)

    def note_error(self, batch_id: str, failure: Failure) -> None:
        self.errors[batch_id] = failure

    def last_error(self, batch_id: str) -> Failure | None:
        return self.errors.get(batch_id)


class InMemoryFeedStores:
    """The rows of every feed, one InMemoryFeedStore each (what SyncContext.feed_rows is called with)."""

    def __init__(self) -> None:
        self.stores: dict[str, InMemoryFeedStore] = {}

    def __call__(self, feed: str) -> InMemoryFeedStore:
        return self.stores.setdefault(feed, InMemoryFeedStore())


class InMemoryRunStore(RunStore):
    def __init__(self) -> None:
        self.runs: dict[str, SyncRun] = {}

    def create(self, run: SyncRun) -> None:
        assert run.run_id not in self.runs
        self.runs[run.run_id] = copy.deepcopy(run)

    def get(self, run_id: str) -> SyncRun | None:
        return copy.deepcopy(self.runs.get(run_id))

    def latest(self, feed: str) -> SyncRun | None:
        runs = sorted((r for r in self.runs.values() if r.feed == feed and not r.dry_run), key=lambda r: r.started_at)
        return copy.deepcopy(runs[-1]) if runs else None

    def list_runs(self, feed: str, limit: int, after: RunCursor | None = None,
                  dry_runs: bool = False) -> tuple[list[SyncRun], RunCursor | None]:
        runs = sorted((r for r in self.runs.values() if r.feed == feed and (dry_runs or not r.dry_run)),
                      key=lambda r: (r.started_at, r.run_id), reverse=True)
        if after is not None:
            runs = [r for r in runs if (r.started_at, r.run_id) < (after.started_at, after.run_id)]
        page = [copy.deepcopy(r) for r in runs[:limit]]
        return page, RunCursor(page[-1].started_at, page[-1].run_id) if len(runs) > limit else None

    def claim_reindex(self, run_id: str, at: str) -> bool:
        stored = self.runs.get(run_id)
        if stored is None or stored.progress_at is not None:
            return False
        stored.progress_at = at
        return True

    def note_progress(self, run_id: str, rows_seen: int, rows_changed: int, at: str,
                      read_position: str | None = None) -> None:
        stored = self.runs[run_id]
        stored.rows_seen, stored.rows_changed, stored.progress_at = rows_seen, rows_changed, at
        if read_position is not None:
            stored.read_position = read_position

    def _add_counts(self, stored: SyncRun, counts: Mapping[str, int],
                    examples: Mapping[str, list[dict[str, str]]] | None = None) -> None:
        for cause, n in sorted(counts.items(), key=lambda item: -item[1])[:MAX_ERROR_CAUSES]:
            stored.error_counts[cause] = stored.error_counts.get(cause, 0) + n
        for cause, rows in sorted((examples or {}).items())[:MAX_ERROR_CAUSES]:
            if rows and cause not in stored.error_examples:  # a cause keeps the examples it got first
                stored.error_examples[cause] = copy.deepcopy(list(rows[:MAX_EXAMPLES_PER_CAUSE]))

    def seal(self, run: SyncRun) -> SyncRun:
        stored = self.runs[run.run_id]
        for name in ("rows_seen", "rows_changed", "rows_deleted", "rows_invalid", "rows_new", "rows_updated",
                     "rows_unchanged", "batches_total", "error", "error_code", "source_read_at", "sealed_at",
                     "read_position", "read_complete", "unknown_ids", "dry_run_send"):
            setattr(stored, name, getattr(run, name))
        stored.rows_failed += run.rows_invalid
        self._add_counts(stored, run.error_counts, run.error_examples)
        return copy.deepcopy(stored)

    def add_settlement(self, run_id: str, counts: Settlement) -> None:
        stored = self.runs[run_id]
        if counts.batch_failed:
            stored.batches_failed += 1
        else:
            stored.batches_done += 1
        stored.rows_exported += counts.exported
        stored.rows_failed += counts.failed
        stored.rows_retrying += counts.retrying
        for bucket, n in counts.freshness.items():
            stored.freshness[bucket] = stored.freshness.get(bucket, 0) + n
        self._add_counts(stored, counts.error_counts, counts.error_examples)

    def finish(self, run_id: str, status: str, error: str | None, finished_at: str) -> bool:
        stored = self.runs[run_id]
        if stored.status != IN_PROGRESS:
            return False
        stored.status, stored.error, stored.finished_at = status, error, finished_at
        return True


class InMemoryEventReplayGuard(EventReplayGuard):
    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def first_use(self, signature: str, expires_at: int) -> bool:
        with self._lock:
            if signature in self.seen:
                return False
            self.seen[signature] = expires_at
            return True

    def forget(self, signature: str) -> None:
        with self._lock:
            self.seen.pop(signature, None)


class InMemoryFeedLocks(FeedLocks):
    def __init__(self) -> None:
        self.locks: dict[str, Lock] = {}

    def acquire(self, feed: str, run_id: str, now: str, expires_at: str) -> None:
        held = self.locks.get(feed)
        if held is not None and held.expires_at > now:
            raise LockHeldError(held.run_id, held.expires_at)
        self.locks[feed] = Lock(feed, run_id, expires_at)

    def release(self, feed: str, run_id: str) -> None:
        if feed in self.locks and self.locks[feed].run_id == run_id:
            del self.locks[feed]

    def holder(self, feed: str) -> Lock | None:
        return self.locks.get(feed)


class InMemoryFeedStates(FeedStates):
    def __init__(self) -> None:
        self.states: dict[str, FeedState] = {}

    def get(self, feed: str) -> FeedState:
        return copy.copy(self.states.get(feed) or FeedState(feed))

    def record_catalog(self, feed: str, rows_total: int, products_total: int, absolute: bool) -> None:
        state = self.states.setdefault(feed, FeedState(feed))
        if absolute:
            state.rows_total, state.products_total = rows_total, products_total
        else:
            state.rows_total += rows_total
            state.products_total += products_total

    def record_success(self, feed: str, run_id: str, at: str, watermark: str | None) -> None:
        state = self.states.setdefault(feed, FeedState(feed))
        state.last_success_run_id, state.last_success_at = run_id, at
        if watermark:
            state.watermark = watermark

    def record_full_read(self, feed: str, at: str) -> None:
        self.states.setdefault(feed, FeedState(feed)).last_full_read_at = at


class InMemoryCooldowns(Cooldowns):
    def __init__(self) -> None:
        self.cooldowns: dict[str, str] = {}

    def claim(self, feed: str, now: str, window_start: str) -> None:
        last = self.cooldowns.get(feed)
        if last is not None and last > window_start:
            raise CooldownActiveError(last)
        self.cooldowns[feed] = now

    def started_at(self, feed: str) -> str | None:
        return self.cooldowns.get(feed)

    def release(self, feed: str, claimed_at: str) -> None:
        if self.cooldowns.get(feed) == claimed_at:
            del self.cooldowns[feed]


class InMemoryDirtySet(DirtySet):
    def __init__(self) -> None:
        self.dirty_entries: dict[tuple[str, str, Any], DirtyEntry] = {}

    @staticmethod
    def _key(feed: str, entry: DirtyEntry) -> tuple[str, str, Any]:
        return (feed, "sku", entry.sku) if entry.sku is not None else (feed, "id", entry.product_id)

    def mark(self, feed: str, entries: Iterable[DirtyEntry]) -> None:
        for entry in entries:
            self.dirty_entries[self._key(feed, entry)] = entry

    def entries(self, feed: str) -> list[DirtyEntry]:
        return [entry for key, entry in self.dirty_entries.items() if key[0] == feed]

    def clear(self, feed: str, entries: Iterable[DirtyEntry]) -> int:
        cleared = 0
        for entry in entries:
            key = self._key(feed, entry)
            if self.dirty_entries.get(key) == entry:  # not marked again since it was read
                del self.dirty_entries[key]
                cleared += 1
        return cleared


class InMemorySyncRequests(SyncRequests):
    def __init__(self) -> None:
        self.standing: dict[str, str] = {}

    def request(self, feed: str, now: str, stale_before: str) -> bool:
        standing = self.standing.get(feed)
        if standing is not None and standing > stale_before:
            return False
        self.standing[feed] = now
        return True

    def clear(self, feed: str) -> None:
        self.standing.pop(feed, None)


class InMemoryReconciliationStore(ReconciliationStore):
    def __init__(self) -> None:
        self.reports: dict[tuple[str, str], ReconciliationReport] = {}

    def save(self, report: ReconciliationReport) -> None:
        self.reports[(report.feed, report.report_id)] = copy.deepcopy(report)

    def get(self, feed: str, report_id: str) -> ReconciliationReport | None:
        found = self.reports.get((feed, report_id))
        return copy.deepcopy(found) if found else None

    def latest(self, feed: str, limit: int) -> list[ReconciliationReport]:
        mine = sorted((r for (f, _), r in self.reports.items() if f == feed), key=lambda r: r.report_id, reverse=True)
        return [copy.deepcopy(r) for r in mine[:limit]]


def in_memory_control() -> Control:
    return Control(InMemoryFeedLocks(), InMemoryFeedStates(), InMemoryCooldowns(), InMemoryDirtySet(),
                   InMemorySyncRequests())


class InMemorySearchIndexStore(SearchIndexStore):
    """Positions from a clock in epoch seconds (``now``, settable) and a sequence, as the DynamoDB store makes them."""

    def __init__(self) -> None:
        self.entries: list[JournalRecord] = []
        self.snapshots: dict[str, bytes] = {}
        self.snapshot: SearchSnapshot | None = None
        self.now = 1_800_000_000.0
        self.fail_with: Exception | None = None  # what append() raises
        self._sequence = 0

    def append(self, entries: list[bytes]) -> None:
        if self.fail_with:
            raise self.fail_with
        for data in entries:
            self._sequence += 1
            self.entries.append(JournalRecord(f"{int(self.now * 1000):013d}#fake#{self._sequence:010d}", data))
        self.entries.sort(key=lambda record: record.position)

    def journal(self, after: str | None = None) -> list[JournalRecord]:
        return [record for record in self.entries if after is None or record.position > after]

    def journal_size(self, after: str | None = None) -> int:
        return len(self.journal(after))

    def position_now(self) -> str:
        return f"{int(self.now * 1000):013d}"

    def current(self) -> SearchSnapshot | None:
        return self.snapshot

    def read(self, snapshot: SearchSnapshot) -> bytes:
        if snapshot.snapshot_id not in self.snapshots:
            raise SnapshotError(f"snapshot {snapshot.snapshot_id} is gone")
        return self.snapshots[snapshot.snapshot_id]

    def publish(self, data: bytes, position: str, rows: int) -> SearchSnapshot:
        snapshot = SearchSnapshot(f"{int(self.now * 1000):013d}-{len(self.snapshots)}", len(data), position, rows,
                                  "now")
        self.snapshots = {snapshot.snapshot_id: data}
        self.snapshot = snapshot
        return snapshot

    def trim(self, before: str) -> int:
        kept = [record for record in self.entries if record.position >= before]
        trimmed, self.entries = len(self.entries) - len(kept), kept
        return trimmed


def state_of(ctx: Any, key: RowKey, feed: str = "products") -> RowState:
    """A row's export state as the dashboard reads it: through the batch its version names."""
    row = ctx.rows(feed).get_rows([key])[0]
    outcome = ctx.batches.outcomes([row.batch]).get(row.batch) if row.batch else None
    return row_state(key, row.deleted, outcome, row.invalid, row.exported_before)


def outbox_keys(ctx: Any, feed: str = "products") -> set[RowKey]:
    """The rows the next sync sends again: those that still name a batch in the outbox."""
    batches = {outcome.batch_id: outcome for outcome in ctx.batches.outbox(feed)}
    keys = {key for outcome in batches.values() for key in outcome.keys}
    return {row.key for row in ctx.rows(feed).get_rows(sorted(keys)) if row.batch in batches and row.invalid is None}
