"""The Reader: source records into rows, compared with the stored ones, and what a run sends of them."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import TypeVar

from ..domain.batches import row_state, split_batch_id
from ..domain.errors import InvalidRecordError
from ..domain.feed import FeedRow, RowKey, StoredState, is_new_version
from ..domain.feeds import Feed, Scopes, SourceRecord
from ..domain.runs import BY_IDS, FULL, SyncRun
from ..ports import ReadPosition
from .context import SyncContext
from .fanout import Fanout
from .outcomes import Outcomes

PAGE_SIZE = 500  # source records compared per state lookup
T = TypeVar("T")


def pages(records: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(records)
    while page := list(islice(iterator, size)):
        yield page


def state_of(row: FeedRow) -> StoredState:
    return StoredState(row.hash, row.deleted, row.batch, row.invalid is not None, row.exported_before)


class Reader:
    """Reads source records into rows: compares, writes and sends them, and keeps what was seen.

    What is sent of an item the destination may already hold depends on the run: a reconcile or a partial sync sends
    what changed; a full resync also what was not delivered (failed, rejected, never sent); a forced one, a cleanup
    and a resync by ids send every item they read. A cleanup forgets the stored rows (each is written anew).
    """

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
        options = run.options
        self.send_all = options.force or options.cleanup or run.mode == BY_IDS
        self.send_undelivered = run.mode == FULL
        self.forget = options.cleanup
        self.resumed = frozenset(options.resumes)  # what these runs sent is not sent again by this one

    def read(self, records: Iterable[SourceRecord | ReadPosition]) -> None:
        for page in pages(records, PAGE_SIZE):
            rows: list[FeedRow] = []
            position = None
            for record in page:
                if isinstance(record, ReadPosition):
                    position = record.value
                else:
                    self.run.rows_seen += 1
                    self._build(record, rows)
            stored = self.known if self.known is not None else self.fanout.rows.states(row.key for row in rows)
            if self.known is None:
                self.new_ids += self._new_ids(rows, stored)
            # The batches of the stored versions that change (or may be sent again, or are valid again): one read
            # for the page; an unchanged row's batch is read only by a run that may send it again.
            resending = self.send_all or self.send_undelivered
            self.outcomes.get(s.batch for row in rows if (s := stored.get(row.key)) is not None
                              and (resending or s.invalid or is_new_version(row, s)))
            for row in rows:
                previous = stored.get(row.key)
                self.seen.add(row.key)
                self.live_ids.add(row.id)
                self.live_rows += 1
                self._tally(row, previous)
                self._compare(row, previous)
            if position is not None:
                self.fanout.passed(position)
            self.fanout.progress.tick()

    def _build(self, record: SourceRecord, rows: list[FeedRow]) -> None:
        product_id = record.get("product_id")
        if isinstance(product_id, int):
            self.seen_product_ids.add(product_id)
        try:
            rows.append(self.feed.build(record, self.scopes))
        except InvalidRecordError as error:
            key = self.feed.key_of(record)
            self.seen.add(key)  # a malformed item is still in the source: never delete its row
            self.fanout.invalid(key, error.failure, self.feed.columns_of_invalid(record))

    def _tally(self, row: FeedRow, previous: StoredState | None) -> None:
        if previous is None or previous.deleted:
            self.new_rows += 1
            self.run.rows_new += 1
        elif is_new_version(row, previous):
            self.run.rows_updated += 1
        else:
            self.run.rows_unchanged += 1

    def delete(self, keys: list[RowKey]) -> int:
        """Stored rows the source no longer returns become deletions; return how many."""
        deleted = 0
        rows = self.fanout.rows.get_rows(keys)
        self.outcomes.get(row.batch for row in rows)
        for row in rows:
            deletion = self.feed.deletion_row(row, self.scopes)
            deletion.invalid = None
            deletion.exported_before = self.outcomes.exported_at(row.key, state_of(row))
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

    def _compare(self, row: FeedRow, previous: StoredState | None) -> None:
        """A new version is written naming the batch that carries it. An unchanged one is left alone — whatever
        its batch did: failed rows wait in the outbox, rejected ones for a change — unless the run sends it again:
        a full resync what the destination does not hold (failed, rejected, never delivered), a forced one (and a
        cleanup, a resync by ids) every row, rewritten: it is asked for when the destination may have lost what
        it held, so a delivery that fails leaves the row failed (and retried), never "submitted"."""
        if previous is None or self.forget:
            self.fanout.send(row)
        elif is_new_version(row, previous):
            row.exported_before = self.outcomes.exported_at(row.key, previous)
            self.fanout.send(row)
        elif self._sends_again(row, previous):
            row.exported_before = self.outcomes.exported_at(row.key, previous)
            self.fanout.send(row, changed=previous.invalid)
        elif previous.invalid:
            # valid again as it was: its last delivery's state stands
            outcome = self.outcomes.get([previous.batch]).get(previous.batch or "")
            row.batch, row.run_id, row.exported_before = previous.batch, self.run.run_id, previous.exported_before
            row.export_status = row_state(row.key, row.deleted, outcome).status
            self.fanout.write(row)

    def _sends_again(self, row: FeedRow, previous: StoredState) -> bool:
        """An unchanged row this run sends again (never one a run it continues sent: the outbox resends those)."""
        if not (self.send_all or self.send_undelivered) or self._sent_by_resumed(previous):
            return False
        return self.send_all or previous.invalid or not self.outcomes.delivered(row.key, previous)

    def _sent_by_resumed(self, previous: StoredState) -> bool:
        """The version was sent by a run this one continues (the outbox resends it if it failed)."""
        return (bool(self.resumed) and not previous.invalid and previous.batch is not None
                and split_batch_id(previous.batch)[0] in self.resumed)
