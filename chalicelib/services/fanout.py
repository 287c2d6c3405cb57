"""The fan-out of a run: row writes and export messages, buffered; rows are always written before their message."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.batching import SEND_MAX_BYTES, SEND_MAX_MESSAGES, BatchPacker
from ..domain.errors import InvalidRecordError
from ..domain.feed import FeedRow, RowKey
from ..domain.feeds import Feed
from ..domain.runs import SyncRun, add_example, cause_of
from ..observability import logger
from ..ports import FeedStore
from .context import SyncContext
from .progress import LiveProgress

WRITE_BUFFER = 500  # rows buffered before a batch write


class Fanout:
    """Buffers row writes and export messages of one run of one feed."""

    def __init__(self, ctx: SyncContext, feed: Feed, run: SyncRun):
        self._ctx = ctx
        self._run = run
        self.rows: FeedStore = ctx.rows(feed.name)
        self.enabled = ctx.destination is not None
        settings = ctx.settings
        self._packer = BatchPacker(run.feed, run.run_id, settings.batch_max_rows or feed.batch_size,
                                   settings.batch_max_bytes, run.started_at)
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
        except InvalidRecordError as error:
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
        self.rows.record_invalid(key, reason, self._run.run_id, fields)
        self._run.rows_invalid += 1
        cause = cause_of(reason)
        self._run.error_counts[cause] = self._run.error_counts.get(cause, 0) + 1
        add_example(self._run.error_examples, cause, key.id, key.scope)

    def send_leftovers(self, outbox: list[RowKey]) -> None:
        """Rows left pending by earlier runs (crashed, failed, or exported to nowhere) go out too."""
        leftovers = [key for key in outbox if key not in self.sent_keys]
        for row in self.rows.get_rows(leftovers):
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
            self.rows.put_rows(self._writes)
            self._run.rows_changed += len(self._writes)  # counted once written, not when built
            self._writes = []

    def _flush(self) -> None:
        self._flush_writes()
        if self._messages:
            messages, self._messages, self._message_bytes = self._messages, [], 0
            self.batches_sent += self._ctx.queue.send(messages)
