"""The fan-out of a run: rows packed into batches, each batch's record, the rows that name it, then its message.

The order is what makes a crash harmless: a batch's record is written before any row that names it, and the rows
before the message that carries them. A crash in between leaves an open batch in the outbox, whose rows the
next run sends again. The writes travel behind the reindex (services/write_behind.py), in that order: reading the
source and building rows overlap the previous writes' round trips.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from ..domain.batches import AWAITING, DONE, HELD, NOT_EXPORTED, OPEN, BatchOutcome, batch_id
from ..domain.batching import SEND_MAX_BYTES, SEND_MAX_MESSAGES, BatchPacker
from ..domain.errors import Failure, InvalidRecordError
from ..domain.feed import FeedRow, RowKey
from ..domain.feeds import Feed
from ..domain.runs import SyncRun, add_failure, iso
from ..observability import logger
from ..ports import FeedStore
from .context import SyncContext
from .progress import LiveProgress
from .write_behind import WriteBehind

WRITE_BUFFER = 500  # rows buffered before a batch write
NO_DESTINATION_CODE = "export.no_destination"


class Fanout:
    """Packs the rows a run sends into batches, and writes and sends them in that order."""

    def __init__(self, ctx: SyncContext, feed: Feed, run: SyncRun):
        self._ctx = ctx
        self._run = run
        self._feed = feed
        self.rows: FeedStore = ctx.rows(feed.name)
        self.enabled = ctx.destination is not None
        self._held = None if self.enabled else Failure(NO_DESTINATION_CODE,
                                                       f"not exported: {run.export_disabled_reason}")
        settings = ctx.settings
        self._packer = BatchPacker(run.feed, run.run_id,
                                   run.options.batch_size or settings.batch_max_rows or feed.batch_size,
                                   settings.batch_max_bytes, run.started_at)
        self._open: list[tuple[FeedRow, bool, bool]] = []  # the open batch's rows: rewritten? a new version?
        self._batches: list[BatchOutcome] = []  # closed batches whose records are not written yet
        self._writes: list[tuple[FeedRow, bool]] = []  # rows to write: a new version?
        self._messages: list[str] = []
        self._message_bytes = 0
        self.sent_keys: set[RowKey] = set()
        self.batches_sent = 0
        self.progress = LiveProgress(ctx, run, before_write=self.checkpoint)
        self._writer = WriteBehind(name=f"fanout-{feed.name}")  # every write of the run, in order
        # Read positions whose records are all written: rows are numbered as they are accepted; a position passed
        # after row n becomes the run's read position once every row up to n is written (its batch recorded): the
        # writer sets it, after the writes it depends on (services/write_behind.py runs its jobs in order, and
        # none after one that failed).
        self._accepted = 0
        self._open_from = 0  # the number of the open batch's first row
        self._positions: deque[tuple[int, str]] = deque()

    def send(self, row: FeedRow, rewrite: bool = True, changed: bool = True) -> None:
        """Add a row to the open batch. ``rewrite``: its version is written naming the batch (a new or changed
        version — ``changed`` — or one whose last delivery failed); otherwise it is only sent again (what the
        destination already holds: its state stands whatever this delivery does)."""
        try:
            message = self._packer.add(row)
        except InvalidRecordError as error:
            self.invalid(row.key, error.failure, {"product_id": row.product_id, "name": row.name})
            return
        if message:
            self._close(message)
        if rewrite:
            row.batch = batch_id(self._run.run_id, self._packer.batches + 1)
            row.run_id = self._run.run_id
            row.export_status = AWAITING if self.enabled else NOT_EXPORTED
        if not self._open:
            self._open_from = self._accepted
        self._accepted += 1
        self._open.append((row, rewrite, changed))
        self.sent_keys.add(row.key)

    def write(self, row: FeedRow) -> None:
        """Write a row that no batch carries (its export state stands: e.g. a source record valid again)."""
        self._accepted += 1
        self._writes.append((row, True))
        if len(self._writes) >= WRITE_BUFFER:
            self._flush_writes()

    def passed(self, position: str) -> None:
        """The read passed a source position: every record before it has been accepted (sent, written or found
        unchanged). It becomes the run's read position once those rows are written."""
        self._positions.append((self._accepted, position))

    def checkpoint(self) -> None:
        """Queue the writes of the batches closed so far, and after them the read position they complete: the writer
        moves the run's read position once they are written (the run record names no position whose rows are not)."""
        self._flush_writes()

    def invalid(self, key: RowKey, failure: Failure, fields: Mapping[str, Any]) -> None:
        self._writer.submit(partial(self.rows.record_invalid, key, failure, self._run.run_id, dict(fields)))
        self._run.rows_invalid += 1
        add_failure(self._run, failure, key)

    def resend(self, outcomes: Iterable[BatchOutcome]) -> list[BatchOutcome]:
        """Send again the rows that still name one of these batches (the outbox, or failed rows): each is written
        naming its new batch. Returns the batches to retire once this run's batches are written."""
        outcomes = list(outcomes)
        by_id = {outcome.batch_id: outcome for outcome in outcomes}
        wanted = {key for outcome in outcomes for key in outcome.keys} - self.sent_keys
        for row in self.rows.get_rows(sorted(wanted)):
            outcome = by_id.get(row.batch or "")
            if outcome is None or row.invalid is not None or not row.document:
                continue  # moved on to a newer batch, or the source's record is malformed: not this row's to send
            if outcome.status == DONE and row.key not in outcome.rejected:
                continue  # delivered: only its rejected rows are failed
            self._run.rows_seen += 1
            self.send(row, changed=False)
        return outcomes

    def close(self) -> None:
        """Send the last batch; return once every write of the run is done (raises the first that failed)."""
        last = self._packer.flush()
        if last:
            self._close(last)
        self._flush()
        self._writer.wait()

    def salvage(self) -> None:
        """After a failure, keep what was built: the batches stay open (in the outbox) for the next run. (Writes
        queued behind one that failed were dropped: their rows were never written, and are new to the next run; the
        read position stays before them, where the writer last set it.)"""
        if self._writer.finish() is not None:  # from here on, writes are made at once
            self._positions.clear()
        try:
            if self._open:
                self._close(None)
            self._flush_writes()
        except Exception:
            logger.exception("could not write the remaining rows", extra={"run_id": self._run.run_id})

    def _close(self, message: str | None) -> None:
        """The open batch is complete: queue its record, its rows and (``message``) its message."""
        number = self._packer.batches if message else self._packer.batches + 1
        rows, self._open = self._open, []
        self._batches.append(BatchOutcome(batch_id(self._run.run_id, number), self._feed.name,
                                          OPEN if self.enabled else HELD, tuple(row.key for row, _, _ in rows),
                                          failure=self._held, named=any(rewrite for _, rewrite, _ in rows)))
        self._writes.extend((row, changed) for row, rewrite, changed in rows if rewrite)
        if message is not None and self.enabled:
            self._queue(message)
        elif len(self._writes) >= WRITE_BUFFER:
            self._flush_writes()

    def _queue(self, message: str) -> None:
        """Buffer a message; send when the buffer fills one SendMessageBatch call (count or bytes)."""
        size = len(message.encode())
        if self._messages and self._message_bytes + size > SEND_MAX_BYTES:
            self._flush()
        self._messages.append(message)
        self._message_bytes += size
        if len(self._messages) >= SEND_MAX_MESSAGES:
            self._flush()

    def _flush_writes(self) -> None:
        position = self._written_position()
        if self._batches or self._writes or position is not None:
            batches, writes, self._batches, self._writes = self._batches, self._writes, [], []
            self._writer.submit(partial(self._write, batches, writes, position))

    def _written_position(self) -> str | None:
        """The last read position passed whose rows are all in the writes queued so far (or none)."""
        queued = self._open_from if self._open else self._accepted  # every row before it is queued to be written
        position = None
        while self._positions and self._positions[0][0] <= queued:
            position = self._positions.popleft()[1]
        return position

    def _write(self, batches: list[BatchOutcome], writes: list[tuple[FeedRow, bool]], position: str | None) -> None:
        if batches:  # records before the rows that name them
            self._ctx.batches.create(batches)
        if writes:
            self.rows.put_rows([row for row, _ in writes])
            self._run.rows_changed += sum(1 for _, changed in writes if changed)  # counted once written
        if position is not None:  # this job's writes, and every one before it, are done
            self._run.read_position = position

    def _flush(self) -> None:
        self._flush_writes()
        if self._messages:
            messages, self._messages, self._message_bytes = self._messages, [], 0
            self._writer.submit(partial(self._send, messages))

    def _send(self, messages: list[str]) -> None:
        self.batches_sent += self._ctx.queue.send(messages)


def retire(ctx: SyncContext, outcomes: list[BatchOutcome]) -> None:
    """The resent batches leave the outbox and the attention list (after the run's own batches are written: a
    crash before this only means they are looked at again)."""
    if outcomes:
        ctx.batches.retire([outcome.batch_id for outcome in outcomes], iso(ctx.clock()))
