"""Export batches: rows packed into queue messages, bounded by row count and message size."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .batches import batch_id
from .errors import InvalidRecordError
from .feed import FeedRow, RowKey

MESSAGE_VERSION = 1
# One SendMessageBatch call carries at most 10 messages and 1 MiB: the fan-out fills calls to these.
SEND_MAX_MESSAGES = 10
SEND_MAX_BYTES = 1_048_576
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@dataclass(frozen=True, slots=True)
class BatchRow:
    key: RowKey
    hash: str
    last_modified: str | None
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ExportBatch:
    """One queue message: a numbered batch of one run's rows."""

    feed: str
    run_id: str
    batch_no: int
    rows: list[BatchRow]
    run_started_at: str | None = None  # the items' modifiedAt: the same on a redelivery, later for newer versions

    @property
    def batch_id(self) -> str:
        return f"{self.run_id}/{self.batch_no:05d}"


@dataclass(frozen=True, slots=True)
class ExportMessage:
    """One batch as the export queue carries it (a FIFO queue): its body; its batch id, the message's deduplication
    id (SQS drops a second send of it within 5 minutes); its message group (SQS hands out one message of a group at
    a time, in order: the exporters work on as many of a run's batches at once as it has groups)."""

    body: str
    batch_id: str
    group: str


def message_group(run_id: str, batch_no: int, thread_count: int | None) -> str:
    """The batch's message group. Without a thread count each batch is a group of its own (a run's batches are
    exported as concurrently as the exporters allow); with one, the run's batches share ``thread_count`` groups,
    ``<run_id>:<k>`` with k = the batch's number mod ``thread_count``, so at most that many are exported at once."""
    if thread_count is None:
        return batch_id(run_id, batch_no)
    return f"{run_id}:{batch_no % thread_count}"


def export_message(body: str, run_id: str, batch_no: int, thread_count: int | None) -> ExportMessage:
    return ExportMessage(body, batch_id(run_id, batch_no), message_group(run_id, batch_no, thread_count))


class MalformedMessageError(ValueError):
    """A queue message that is not an export batch."""


def _fragment(row: FeedRow) -> str:
    return (f'{{"k":{_dumps([row.sku, row.store_view_code])},"h":"{row.hash}",'
            f'"u":{_dumps(row.last_modified)},"d":{row.document}}}')


class BatchPacker:
    """Packs rows into encoded messages; the document text is spliced in, never re-serialised."""

    def __init__(self, feed: str, run_id: str, max_rows: int, max_bytes: int, run_started_at: str | None = None):
        self._head = (f'{{"v":{MESSAGE_VERSION},"feed":{_dumps(feed)},"run":{_dumps(run_id)},'
                      f'"at":{_dumps(run_started_at)},"batch":')
        self._max_rows = max_rows
        self._max_bytes = max_bytes
        self._fragments: list[str] = []
        self._size = 0
        self.batches = 0

    def _overhead(self) -> int:
        return len(self._head) + len(',"rows":[]}') + 12

    def add(self, row: FeedRow) -> str | None:
        """Add a row; return the previous batch's message when this row does not fit in it."""
        fragment = _fragment(row)
        size = len(fragment.encode()) + 1
        if size + self._overhead() > self._max_bytes:
            raise InvalidRecordError(f"feed document too large for one message: {size} bytes",
                                     code="invalid_record.too_large")
        message = None
        if len(self._fragments) >= self._max_rows or self._size + size + self._overhead() > self._max_bytes:
            message = self.flush()
        self._fragments.append(fragment)
        self._size += size
        return message

    def flush(self) -> str | None:
        """Close the current batch, if any rows are waiting."""
        if not self._fragments:
            return None
        self.batches += 1
        body = f'{self._head}{self.batches},"rows":[{",".join(self._fragments)}]}}'
        self._fragments = []
        self._size = 0
        return body


def pack(feed: str, run_id: str, rows: list[FeedRow], max_rows: int, max_bytes: int,
         run_started_at: str | None = None) -> Iterator[str]:
    """All rows as encoded messages (for callers that have the rows at hand)."""
    packer = BatchPacker(feed, run_id, max_rows, max_bytes, run_started_at)
    for row in rows:
        message = packer.add(row)
        if message:
            yield message
    last = packer.flush()
    if last:
        yield last


def decode(body: str) -> ExportBatch:
    """Parse a queue message into an ExportBatch, or raise MalformedMessageError."""
    try:
        data = json.loads(body)
        if data.get("v") != MESSAGE_VERSION:
            raise MalformedMessageError(f"unknown message version {data.get('v')!r}")
        rows = [BatchRow(RowKey(*item["k"]), item["h"], item["u"], item["d"]) for item in data["rows"]]
        at = data.get("at")  # absent from messages of older versions
        return ExportBatch(data["feed"], data["run"], int(data["batch"]), rows, at if isinstance(at, str) else None)
    except MalformedMessageError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise MalformedMessageError(f"not an export batch: {error}") from None
