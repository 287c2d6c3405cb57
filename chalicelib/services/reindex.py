"""The reindex of one feed: read the source, build each item's row, compare hashes, write and send what changed."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from itertools import islice
from typing import TypeVar

from ..domain.batches import BatchOutcome, row_state
from ..domain.errors import InvalidRecordError
from ..domain.events import DirtyEntry
from ..domain.feed import FeedRow, RowKey, StoredState, is_new_version
from ..domain.feeds import Feed, Scopes, SourceRecord
from ..domain.runs import FULL, READS_ALL, SyncRun, iso, parse_iso
from ..ports import FeedState
from .context import SyncContext
from .fanout import Fanout
from .outcomes import Outcomes

T = TypeVar("T")
PAGE_SIZE = 500  # source records compared per state lookup
# What a reindex learnt of the feed's catalog: (rows, distinct ids, absolute). Absolute totals come from a read of
# the whole source; otherwise they are what the run added.
Catalog = tuple[int, int, bool]


def _pages(records: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(records)
    while page := list(islice(iterator, size)):
        yield page


class Reader:
    """Reads source records into rows: compares, writes and sends them, and keeps what was seen."""

    def __init__(self, ctx: SyncContext, feed: Feed, run: SyncRun, fanout: Fanout, scopes: Scopes,
                 known: dict[RowKey, StoredState] | None):
        self.ctx, self.feed, self.run, self.fanout, self.scopes = ctx, feed, run, fanout, scopes
        self.known = known  # every stored state when the whole source is read, else looked up per page
        self.outcomes = Outcomes(ctx.batches)
        self.seen: set[RowKey] = set()
        self.seen_product_ids: set[int] = set()
        self.live_ids: set[str] = set()
        self.counted_ids: set[str] = set()
        self.new_rows = self.new_ids = self.live_rows = 0

    def read(self, records: Iterable[SourceRecord]) -> None:
        resend = self.run.mode == FULL
        for page in _pages(records, PAGE_SIZE):
            rows: list[FeedRow] = []
            for record in page:
                product_id = record.get("product_id")
                if isinstance(product_id, int):
                    self.seen_product_ids.add(product_id)
                try:
                    rows.append(self.feed.build(record, self.scopes))
                except InvalidRecordError as error:
                    key = self.feed.key_of(record)
                    self.seen.add(key)  # a malformed item is still in the source: never delete its row
                    self.fanout.invalid(key, error.failure, self.feed.columns_of_invalid(record))
            self.run.rows_seen += len(page)
            self.fanout.progress.tick()
            stored = self.known if self.known is not None else self.fanout.rows.states(row.key for row in rows)
            if self.known is None:
                self.new_ids += self._new_ids(rows, stored)
            # The batches of the stored versions that change (or are all sent again, or valid again): one read
            # for the page; an unchanged row's batch is never read.
            self.outcomes.get(s.batch for row in rows if (s := stored.get(row.key)) is not None
                              and (resend or s.invalid or is_new_version(row, s)))
            for row in rows:
                previous = stored.get(row.key)
                self.seen.add(row.key)
                self.live_ids.add(row.id)
                self.live_rows += 1
                if previous is None or previous.deleted:
                    self.new_rows += 1
                self._compare(row, previous, resend)

    def delete(self, keys: list[RowKey]) -> int:
        """Stored rows the source no longer returns become deletions; return how many."""
        deleted = 0
        rows = self.fanout.rows.get_rows(keys)
        self.outcomes.get(row.batch for row in rows)
        for row in rows:
            deletion = self.feed.deletion_row(row, self.scopes)
            deletion.invalid = None
            deletion.exported_before = self.outcomes.exported_at(row.key, _state_of(row))
            self.fanout.send(deletion)
            self.run.rows_deleted += 1
            deleted += 1
        return deleted

    def _new_ids(self, rows: list[FeedRow], stored: Mapping[RowKey, StoredState]) -> int:
        """Ids (products) never seen before, counted once per run (their rows in other scopes are looked up)."""
        candidates = {row.id for row in rows if (s := stored.get(row.key)) is None or s.deleted} - self.counted_ids
        if not candidates:
            return 0
        others = self.fanout.rows.states(RowKey(i, scope) for i in candidates for scope in self.scopes
                                         if RowKey(i, scope) not in stored)
        existing = {key.id for key, s in {**stored, **others}.items() if not s.deleted and key.id in candidates}
        self.counted_ids |= candidates
        return len(candidates - existing)

    def _compare(self, row: FeedRow, previous: StoredState | None, resend: bool) -> None:
        """A new version is written naming the batch that carries it. An unchanged one is left alone — whatever
        its batch did: failed rows wait in the outbox, rejected ones for a change — except by a full resync,
        which sends (and rewrites) every row again."""
        if previous is None:
            self.fanout.send(row)
        elif is_new_version(row, previous):
            row.exported_before = self.outcomes.exported_at(row.key, previous)
            self.fanout.send(row)
        elif resend:
            # A forced resync is asked for when the destination may have lost what it held: every row it sends
            # names the new batch, so a delivery that fails leaves the row failed (and retried), never "submitted".
            row.exported_before = self.outcomes.exported_at(row.key, previous)
            self.fanout.send(row, changed=previous.invalid)
        elif previous.invalid:
            # valid again as it was: its last delivery's state stands
            outcome = self.outcomes.get([previous.batch]).get(previous.batch or "")
            row.batch, row.run_id, row.exported_before = previous.batch, self.run.run_id, previous.exported_before
            row.export_status = row_state(row.key, row.deleted, outcome).status
            self.fanout.write(row)


def reindex(ctx: SyncContext, feed: Feed, run: SyncRun, state: FeedState, fanout: Fanout,
            dirty: list[DirtyEntry]) -> Catalog:
    """Read the source, write changed rows, send what needs exporting; return the catalog totals."""
    scopes = {view.code: view for view in ctx.source.store_views()}
    read_all = run.mode in READS_ALL or not feed.incremental
    since = None
    if not read_all and state.watermark:
        since = iso(parse_iso(state.watermark) - timedelta(seconds=ctx.settings.source_overlap_seconds))
    run.source_read_at = iso(ctx.clock())
    known = fanout.rows.all_states() if read_all else None
    reader = Reader(ctx, feed, run, fanout, scopes, known)
    reader.read(ctx.source.read(feed.name, since))

    if known is not None:  # the whole source was read: what it no longer returns is gone
        reader.delete([key for key, previous in known.items() if key not in reader.seen and not previous.deleted])
        return reader.live_rows, len(reader.live_ids), True
    if not dirty:
        return reader.new_rows, reader.new_ids, False
    return _read_dirty(ctx, reader, dirty)


def _read_dirty(ctx: SyncContext, reader: Reader, dirty: list[DirtyEntry]) -> Catalog:
    """Read the dirty items the changed ones did not include; delete the dirty ones the source dropped."""
    ids = {entry.sku for entry in dirty if entry.sku is not None}
    product_ids = {entry.product_id for entry in dirty if entry.product_id is not None}
    # A product's updated_at is one value for all its store views (Magento keeps it on the product), so
    # a product the changed read returned came with every view it is in: it is not read twice.
    seen_ids = {key.id for key in reader.seen}
    wanted_ids, wanted_product_ids = ids - seen_ids, product_ids - reader.seen_product_ids
    if wanted_ids or wanted_product_ids:
        already = set(reader.seen)
        reader.read(record for record in ctx.source.read_by_ids(reader.feed.name, wanted_ids, wanted_product_ids)
                    if reader.feed.key_of(record) not in already)
    # Deletion events are hints: only what the source no longer returns, per scope, is deleted.
    candidates = [RowKey(i, scope) for i in sorted(ids) for scope in reader.scopes
                  if RowKey(i, scope) not in reader.seen]
    vanished = sorted(key for key, stored in reader.fanout.rows.states(candidates).items() if not stored.deleted)
    deleted = reader.delete(vanished)
    gone = {key.id for key in vanished} - {key.id for key in reader.seen}
    return reader.new_rows - deleted, reader.new_ids - len(gone), False


def _state_of(row: FeedRow) -> StoredState:
    return StoredState(row.hash, row.deleted, row.batch, row.invalid is not None, row.exported_before)


def resubmit(ctx: SyncContext, fanout: Fanout, run: SyncRun) -> None:
    """--no-reindex: send the stored feed documents again without reading the source (a deletion the destination
    already took is not sent again)."""
    outcomes = Outcomes(ctx.batches)
    for page in _pages(fanout.rows.iter_rows(), PAGE_SIZE):
        outcomes.get(row.batch for row in page)
        for row in page:
            run.rows_seen += 1
            if not fanout.enabled or not row.document:
                continue
            delivered = outcomes.delivered(row.key, _state_of(row))
            if row.deleted and delivered:
                continue
            fanout.send(row, rewrite=not delivered, changed=False)
        fanout.progress.tick()


def resend_failed(ctx: SyncContext, fanout: Fanout, run: SyncRun) -> list[BatchOutcome]:
    """Mode failed: send the stored documents of the rows whose export failed, for now or for good (found through
    their batches, not by scanning the rows); return the batches to retire.

    Rows the source found malformed are left out: their stored document is the last good one, and sending
    it would hide the source's problem (they go out once the source gives a valid record again).
    """
    if not fanout.enabled:
        return []
    feed = run.feed
    return fanout.resend([*ctx.batches.outbox(feed), *ctx.batches.needing_attention(feed)])
