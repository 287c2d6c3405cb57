"""Starting a sync: take the lock, create the run, reindex, fan out batches, seal."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from ..domain.batching import SEND_MAX_BYTES, SEND_MAX_MESSAGES, BatchPacker
from ..domain.errors import CatalogSyncError, InvalidProductError, LockHeldError, UnknownFeedError
from ..domain.events import DirtyEntry
from ..domain.feed import (
    DELETED,
    EXPORTED,
    FEEDS,
    INVALID,
    NOT_EXPORTED,
    PENDING,
    FeedRow,
    RowKey,
    StoredState,
    StoreView,
    build_row,
    carry_export_state,
    deletion_of,
    is_exported,
    is_rejected,
    needs_write,
    row_key_of,
)
from ..domain.runs import (
    FAILED_ONLY,
    FULL,
    MODES,
    NO_REINDEX,
    PARTIAL,
    READS_ALL,
    RECONCILE,
    SyncRun,
    add_example,
    cause_of,
    iso,
    parse_iso,
    reconcile_due,
    start_run,
)
from ..observability import logger
from ..ports import FeedState
from .context import SyncContext
from .finish import finish_if_complete, recover_stale_run
from .progress import LiveProgress
from .search_index import maintain_search_index

PAGE_SIZE = 500  # source records compared per state lookup
WRITE_BUFFER = 500  # rows buffered before a batch write


def start_sync(ctx: SyncContext, feed: str = "products", trigger: str = "schedule", mode: str = PARTIAL) -> SyncRun:
    """Run the synchronous part of a sync; the exporters finish it. Raises LockHeldError if one is running."""
    return continue_sync(ctx, open_sync(ctx, feed, trigger, mode))


def open_sync(ctx: SyncContext, feed: str, trigger: str, mode: str) -> SyncRun:
    """Take the lock and create the run (in progress); continue_sync does the rest, here or in another Lambda."""
    if feed not in FEEDS:
        raise UnknownFeedError(f"unknown feed {feed!r}; valid feeds: {', '.join(FEEDS)}")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; valid modes: {', '.join(MODES)}")
    recover_stale_run(ctx, feed)
    state = ctx.control.feed_state(feed)
    if mode in (PARTIAL, RECONCILE) and state.watermark is None:
        mode = FULL  # nothing was ever read: the first sync reads (and sends) the whole catalog
    run = start_run(feed, trigger, mode, ctx.clock(), ctx.settings.run_deadline_seconds)
    run.destination = ctx.destination.kind if ctx.destination else "none"
    run.export_disabled_reason = ctx.export_disabled_reason
    ctx.control.acquire_lock(feed, run.run_id, run.started_at, run.deadline_at)
    ctx.runs.create(run)
    logger.info("run started", extra={"run_id": run.run_id, "trigger": trigger, "mode": mode})
    return run


def continue_sync(ctx: SyncContext, run: SyncRun) -> SyncRun:
    """Reindex (or resubmit), fan out the batches and seal the opened run."""
    feed, mode = run.feed, run.mode
    state = ctx.control.feed_state(feed)
    fanout = _Fanout(ctx, run)
    catalog: tuple[int, int, bool] | None = None
    dirty: list[DirtyEntry] = []
    try:
        # Read before the reindex: afterwards the outbox would also list every row this run wrote.
        leftovers = ctx.feed_rows.outbox() if fanout.enabled and mode != FAILED_ONLY else []
        if mode == NO_REINDEX:
            _resubmit(ctx, run, fanout)
        elif mode == FAILED_ONLY:
            _resend_failed(ctx, run, fanout)
        else:
            # Read before the source: products marked dirty after this wait for the next run.
            dirty = ctx.control.dirty(feed)
            catalog = _reindex(ctx, run, state, fanout, dirty)
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
    run.sealed_at = iso(ctx.clock())
    sealed = ctx.runs.seal(run)
    if catalog is not None and run.error is None:
        ctx.control.record_catalog(feed, *catalog)
        if catalog[2] and run.source_read_at:
            ctx.control.record_full_read(feed, run.source_read_at)
        _clear_dirty(ctx, run, dirty)
    finish_if_complete(ctx, sealed)
    maintain_search_index(ctx, sealed)  # fold the journal into a new snapshot once it has grown
    return sealed


def _clear_dirty(ctx: SyncContext, run: SyncRun, dirty: list[DirtyEntry]) -> None:
    """Once the rows are written (pending in the outbox, which retries them) the entries read can go."""
    if not dirty:
        return
    try:
        cleared = ctx.control.clear_dirty(run.feed, dirty)
    except Exception:  # they stay dirty: the next run reads those products again, nothing is lost
        logger.exception("could not clear the dirty products", extra={"run_id": run.run_id})
        return
    logger.info("dirty products read", extra={"run_id": run.run_id, "dirty": len(dirty), "cleared": cleared})


class _Fanout:
    """Buffers row writes and export messages; rows are always written before their message is sent."""

    def __init__(self, ctx: SyncContext, run: SyncRun):
        self._ctx = ctx
        self._run = run
        self.enabled = ctx.destination is not None
        settings = ctx.settings
        self._packer = BatchPacker(run.feed, run.run_id, settings.batch_max_rows, settings.batch_max_bytes,
                                   run.started_at)
        self._writes: list[FeedRow] = []
        self._messages: list[str] = []
        self._message_bytes = 0
        self.sent_keys: set[RowKey] = set()
        self.batches_sent = 0
        self.progress = LiveProgress(ctx, run)

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
        add_example(self._run.error_examples, cause, key.sku, key.store_view_code)

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


class _Reader:
    """Reads source records into rows: compares, writes and sends them, and keeps what was seen."""

    def __init__(self, ctx: SyncContext, run: SyncRun, fanout: _Fanout, views: Mapping[str, StoreView],
                 known: dict[RowKey, StoredState] | None):
        self.ctx, self.run, self.fanout, self.views = ctx, run, fanout, views
        self.known = known  # every stored state when the whole source is read, else looked up per page
        self.seen: set[RowKey] = set()
        self.seen_ids: set[int] = set()
        self.live_skus: set[str] = set()
        self.counted_skus: set[str] = set()
        self.new_rows = self.new_products = self.live_rows = 0

    def read(self, records: Iterable[Mapping[str, Any]]) -> None:
        resend = self.run.mode == FULL
        for page in _pages(records, PAGE_SIZE):
            rows: list[FeedRow] = []
            for record in page:
                if isinstance(record.get("product_id"), int):
                    self.seen_ids.add(record["product_id"])
                try:
                    rows.append(build_row(record, self.views))
                except InvalidProductError as error:
                    key = row_key_of(record)
                    self.seen.add(key)  # a malformed product is still in the catalog: never delete its row
                    self.fanout.invalid(key, str(error), _invalid_fields(record))
            self.run.rows_seen += len(page)
            self.fanout.progress.tick()
            stored = self.known if self.known is not None else self.ctx.feed_rows.states(row.key for row in rows)
            if self.known is None:
                self.new_products += _new_products(self.ctx, rows, stored, self.views, self.counted_skus)
            for row in rows:
                previous = stored.get(row.key)
                self.seen.add(row.key)
                self.live_skus.add(row.sku)
                self.live_rows += 1
                if previous is None or previous.deleted:
                    self.new_rows += 1
                _compare(self.ctx, self.run, self.fanout, row, previous, resend)

    def delete(self, keys: list[RowKey]) -> int:
        """Stored rows the source no longer returns become deletions; return how many."""
        deleted = 0
        for row in self.ctx.feed_rows.get_rows(keys):
            deletion = deletion_of(row, self.views.get(row.store_view_code))
            deletion.run_id = self.run.run_id
            deletion.export_status = PENDING if self.fanout.enabled else NOT_EXPORTED
            self.fanout.write(deletion)
            self.run.rows_deleted += 1
            deleted += 1
            if self.fanout.enabled:
                self.fanout.send(deletion)
        return deleted


def _reindex(ctx: SyncContext, run: SyncRun, state: FeedState, fanout: _Fanout,
             dirty: list[DirtyEntry]) -> tuple[int, int, bool]:
    """Read the source, write changed rows, send what needs exporting; return the catalog totals."""
    views = {view.code: view for view in ctx.source.store_views()}
    read_all = run.mode in READS_ALL
    since = None
    if not read_all and state.watermark:
        since = iso(parse_iso(state.watermark) - timedelta(seconds=ctx.settings.source_overlap_seconds))
    run.source_read_at = iso(ctx.clock())
    known = ctx.feed_rows.all_states() if read_all else None
    reader = _Reader(ctx, run, fanout, views, known)
    reader.read(ctx.source.products(since))

    if known is not None:  # the whole source was read: what it no longer returns is gone
        reader.delete([key for key, previous in known.items() if key not in reader.seen and not previous.deleted])
        return reader.live_rows, len(reader.live_skus), True
    if not dirty:
        return reader.new_rows, reader.new_products, False
    return _read_dirty(ctx, reader, dirty)


def _read_dirty(ctx: SyncContext, reader: _Reader, dirty: list[DirtyEntry]) -> tuple[int, int, bool]:
    """Read the dirty products the changed ones did not include; delete the dirty SKUs the source dropped."""
    skus = {entry.sku for entry in dirty if entry.sku is not None}
    ids = {entry.product_id for entry in dirty if entry.product_id is not None}
    # A product's updated_at is one value for all its store views (Magento keeps it on the product), so
    # a product the changed read returned came with every view it is in: it is not read twice.
    seen_skus = {key.sku for key in reader.seen}
    wanted_skus, wanted_ids = skus - seen_skus, ids - reader.seen_ids
    if wanted_skus or wanted_ids:
        already = set(reader.seen)
        reader.read(record for record in ctx.source.products_by_key(wanted_skus, wanted_ids)
                    if row_key_of(record) not in already)
    # Deletion events are hints: only what the source no longer returns, per store view, is deleted.
    candidates = [RowKey(sku, view) for sku in sorted(skus) for view in reader.views
                  if RowKey(sku, view) not in reader.seen]
    vanished = sorted(key for key, stored in ctx.feed_rows.states(candidates).items() if not stored.deleted)
    deleted = reader.delete(vanished)
    gone_products = {key.sku for key in vanished} - {key.sku for key in reader.seen}
    return reader.new_rows - deleted, reader.new_products - len(gone_products), False


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
             previous: StoredState | None, resend: bool) -> None:
    if not resend and is_rejected(row.hash, previous):
        return  # refused by the destination as it stands: sent again once it changes (or on request)
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
    if fanout.enabled and (resend or not exported):
        fanout.send(row)


def _resubmit(ctx: SyncContext, run: SyncRun, fanout: _Fanout) -> None:
    """--no-reindex: send the stored feed documents again without reading the source."""
    for row in ctx.feed_rows.iter_rows():
        run.rows_seen += 1
        fanout.progress.tick()
        if not fanout.enabled or not row.document or (row.deleted and row.export_status == DELETED):
            continue
        fanout.send(row)


def _resend_failed(ctx: SyncContext, run: SyncRun, fanout: _Fanout) -> None:
    """Mode failed: send the stored documents of the rows whose export failed, for now or for good.

    Rows the source found malformed are left out: their stored document is the last good one, and sending
    it would hide the source's problem (they go out once the source gives a valid record again).
    """
    for row in ctx.feed_rows.failed_rows():
        if row.failure == INVALID or not row.document:
            continue
        run.rows_seen += 1
        fanout.progress.tick()
        if fanout.enabled:
            fanout.send(row)


def scheduled_mode(state: FeedState, reconcile_interval_seconds: int, now: datetime) -> str:
    """Partial, or a reconcile when the source was not read whole for the reconcile interval.

    ``updated_at`` misses stock and mass attribute changes (and deletions): a regular full read finds them.
    """
    return RECONCILE if reconcile_due(state.last_full_read_at, reconcile_interval_seconds, now) else PARTIAL


def scheduled_sync(ctx: SyncContext, feed: str = "products") -> SyncRun | None:
    """The hourly sync (partial, or a reconcile when due); skipped (and logged) while another run holds the lock."""
    mode = scheduled_mode(ctx.control.feed_state(feed), ctx.settings.reconcile_interval_seconds, ctx.clock())
    try:
        return start_sync(ctx, feed, trigger="schedule", mode=mode)
    except LockHeldError as error:
        logger.warning("scheduled sync skipped", extra={"reason": str(error), "holder": error.run_id})
        return None
