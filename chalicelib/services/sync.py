"""Starting a sync: take the lock, create the run, reindex, fan out batches, seal."""
from __future__ import annotations

from datetime import timedelta
from itertools import islice
from typing import Any, Iterable, Iterator, Mapping

from ..observability import logger

from ..domain.batching import SEND_MAX_BYTES, SEND_MAX_MESSAGES, BatchPacker
from ..domain.errors import CatalogSyncError, InvalidProductError, LockHeldError, UnknownFeedError
from ..domain.feed import (DELETED, EXPORTED, FEEDS, NOT_EXPORTED, PENDING, FeedRow, RowKey, StoredState,
                           build_row, carry_export_state, deletion_of, is_exported, needs_write, row_key_of)
from ..domain.runs import FULL, MODES, NO_REINDEX, PARTIAL, SyncRun, cause_of, iso, parse_iso, start_run
from ..ports import FeedState
from .context import SyncContext
from .finish import finish_if_complete, recover_stale_run


PAGE_SIZE = 500  # source records compared per state lookup
WRITE_BUFFER = 500  # rows buffered before a batch write


def start_sync(ctx: SyncContext, feed: str = "products", trigger: str = "schedule", mode: str = PARTIAL) -> SyncRun:
    """Run the synchronous part of a sync; the exporters finish it. Raises LockHeldError if one is running."""
    if feed not in FEEDS:
        raise UnknownFeedError(f"unknown feed {feed!r}; valid feeds: {', '.join(FEEDS)}")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; valid modes: {', '.join(MODES)}")
    recover_stale_run(ctx, feed)
    state = ctx.control.feed_state(feed)
    if mode == PARTIAL and state.watermark is None:
        mode = FULL  # nothing was ever read: the first sync reads the whole catalog
    run = start_run(feed, trigger, mode, ctx.clock(), ctx.settings.run_deadline_seconds)
    run.destination = ctx.destination.kind if ctx.destination else "none"
    run.export_disabled_reason = ctx.export_disabled_reason
    ctx.control.acquire_lock(feed, run.run_id, run.started_at, run.deadline_at)
    ctx.runs.create(run)
    logger.info("run started", extra={"run_id": run.run_id, "trigger": trigger, "mode": mode})

    fanout = _Fanout(ctx, run)
    catalog: tuple[int, int, bool] | None = None
    try:
        # Read before the reindex: afterwards the outbox would also list every row this run wrote.
        leftovers = ctx.feed_rows.outbox() if fanout.enabled else []
        if mode == NO_REINDEX:
            _resubmit(ctx, run, fanout)
        else:
            catalog = _reindex(ctx, run, state, fanout)
        fanout.send_leftovers(leftovers)
        fanout.close()
    except CatalogSyncError as error:
        run.error = str(error)
        fanout.salvage()
    except Exception as error:  # a bug or an AWS outage: the run must still end, with the reason
        logger.exception("run failed", extra={"run_id": run.run_id})
        run.error = f"internal error: {type(error).__name__}: {error}"
        fanout.salvage()
    run.batches_total = fanout.batches_sent
    sealed = ctx.runs.seal(run)
    if catalog is not None and run.error is None:
        ctx.control.record_catalog(feed, *catalog)
    finish_if_complete(ctx, sealed)
    return sealed


class _Fanout:
    """Buffers row writes and export messages; rows are always written before their message is sent."""

    def __init__(self, ctx: SyncContext, run: SyncRun):
        self._ctx = ctx
        self._run = run
        self.enabled = ctx.destination is not None
        settings = ctx.settings
        self._packer = BatchPacker(run.feed, run.run_id, settings.batch_max_rows, settings.batch_max_bytes)
        self._writes: list[FeedRow] = []
        self._messages: list[str] = []
        self._message_bytes = 0
        self.sent_keys: set[RowKey] = set()
        self.batches_sent = 0

    def write(self, row: FeedRow) -> None:
        self._writes.append(row)
        if len(self._writes) >= WRITE_BUFFER:
            self._flush_writes()

    def send(self, row: FeedRow) -> None:
        try:
            message = self._packer.add(row)
        except InvalidProductError as error:
            self.invalid(row.key, str(error), {"product_id": row.product_id, "name": row.name})
            return
        self.sent_keys.add(row.key)
        if message:
            self._queue(message)

    def _queue(self, message: str) -> None:
        """Buffer a message; send when the buffer fills one SendMessageBatch call (count or bytes)."""
        size = len(message.encode())
        if self._messages and self._message_bytes + size > SEND_MAX_BYTES:
            self._flush()
        self._messages.append(message)
        self._message_bytes += size
        if len(self._messages) >= SEND_MAX_MESSAGES:
            self._flush()

    def invalid(self, key: RowKey, reason: str, fields: Mapping[str, Any]) -> None:
        self._ctx.feed_rows.record_invalid(key, reason, self._run.run_id, fields)
        self._run.rows_invalid += 1
        cause = cause_of(reason)
        self._run.error_counts[cause] = self._run.error_counts.get(cause, 0) + 1

    def send_leftovers(self, outbox: list[RowKey]) -> None:
        """Rows left pending by earlier runs (crashed, failed, or exported to nowhere) go out too."""
        leftovers = [key for key in outbox if key not in self.sent_keys]
        for row in self._ctx.feed_rows.get_rows(leftovers):
            if row.document:
                self.send(row)

    def close(self) -> None:
        last = self._packer.flush()
        if last:
            self._queue(last)
        self._flush()

    def salvage(self) -> None:
        """After a failure, keep the rows already built: they wait in the outbox for the next run."""
        try:
            self._flush_writes()
        except Exception:
            logger.exception("could not write the remaining rows", extra={"run_id": self._run.run_id})

    def _flush_writes(self) -> None:
        if self._writes:
            self._ctx.feed_rows.put_rows(self._writes)
            self._run.rows_changed += len(self._writes)  # counted once written, not when built
            self._writes = []

    def _flush(self) -> None:
        self._flush_writes()
        if self._messages:
            messages, self._messages, self._message_bytes = self._messages, [], 0
            self.batches_sent += self._ctx.queue.send(messages)


def _pages(records: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    iterator = iter(records)
    while page := list(islice(iterator, size)):
        yield page


def _invalid_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    fields = {name: record.get(name) for name in ("name", "type", "attribute_set", "visibility")}
    product_id = record.get("product_id")
    fields["product_id"] = product_id if isinstance(product_id, int) else None
    return {name: value for name, value in fields.items() if isinstance(value, (str, int))}


def _reindex(ctx: SyncContext, run: SyncRun, state: FeedState, fanout: _Fanout) -> tuple[int, int, bool]:
    """Read the source, write changed rows, send what needs exporting; return the catalog totals."""
    views = {view.code: view for view in ctx.source.store_views()}
    full = run.mode == FULL
    since = None
    if not full and state.watermark:
        since = iso(parse_iso(state.watermark) - timedelta(seconds=ctx.settings.source_overlap_seconds))
    run.source_read_at = iso(ctx.clock())
    known = ctx.feed_rows.all_states() if full else {}
    seen: set[RowKey] = set()
    live_skus: set[str] = set()
    counted_skus: set[str] = set()
    new_rows = new_products = live_rows = 0

    for page in _pages(ctx.source.products(since), PAGE_SIZE):
        rows: list[FeedRow] = []
        for record in page:
            try:
                rows.append(build_row(record, views))
            except InvalidProductError as error:
                key = row_key_of(record)
                seen.add(key)  # a malformed product is still in the catalog: never delete its row
                fanout.invalid(key, str(error), _invalid_fields(record))
        run.rows_seen += len(page)
        stored = known if full else ctx.feed_rows.states(row.key for row in rows)
        if not full:
            fresh = _new_products(ctx, rows, stored, views, counted_skus)
            new_products += fresh
        for row in rows:
            previous = stored.get(row.key)
            seen.add(row.key)
            live_skus.add(row.sku)
            live_rows += 1
            if previous is None or previous.deleted:
                new_rows += 1
            _compare(ctx, run, fanout, row, previous, full)

    if full:
        vanished = [key for key, previous in known.items() if key not in seen and not previous.deleted]
        for row in ctx.feed_rows.get_rows(vanished):
            deletion = deletion_of(row, views.get(row.store_view_code))
            deletion.run_id = run.run_id
            deletion.export_status = PENDING if fanout.enabled else NOT_EXPORTED
            fanout.write(deletion)
            run.rows_deleted += 1
            if fanout.enabled:
                fanout.send(deletion)
        return live_rows, len(live_skus), True
    return new_rows, new_products, False


def _new_products(ctx: SyncContext, rows: list[FeedRow], stored: Mapping[RowKey, StoredState],
                  views: Mapping[str, Any], counted_skus: set[str]) -> int:
    """Products never seen before, counted once per run (their other store views are looked up)."""
    candidates = {row.sku for row in rows if (s := stored.get(row.key)) is None or s.deleted} - counted_skus
    if not candidates:
        return 0
    others = ctx.feed_rows.states(RowKey(sku, view) for sku in candidates for view in views
                                  if RowKey(sku, view) not in stored)
    existing = {key.sku for key, s in {**stored, **others}.items() if not s.deleted and key.sku in candidates}
    counted_skus |= candidates
    return len(candidates - existing)


def _compare(ctx: SyncContext, run: SyncRun, fanout: _Fanout, row: FeedRow,
             previous: StoredState | None, full: bool) -> None:
    exported = is_exported(row.hash, previous)
    if needs_write(row, previous):
        carry_export_state(row, previous)
        row.run_id = run.run_id
        if exported:
            row.export_status = EXPORTED
        elif fanout.enabled:
            row.export_status = PENDING
        else:
            row.export_status = NOT_EXPORTED
            row.error = f"not exported: {run.export_disabled_reason}"
        fanout.write(row)
    if fanout.enabled and (full or not exported):
        fanout.send(row)


def _resubmit(ctx: SyncContext, run: SyncRun, fanout: _Fanout) -> None:
    """--no-reindex: send the stored feed documents again without reading the source."""
    for row in ctx.feed_rows.iter_rows():
        run.rows_seen += 1
        if not fanout.enabled or not row.document or (row.deleted and row.export_status == DELETED):
            continue
        fanout.send(row)


def scheduled_sync(ctx: SyncContext) -> SyncRun | None:
    """The hourly partial sync; skipped (and logged) while another run holds the lock."""
    try:
        return start_sync(ctx, trigger="schedule", mode=PARTIAL)
    except LockHeldError as error:
        logger.warning("scheduled sync skipped", extra={"reason": str(error), "holder": error.run_id})
        return None
