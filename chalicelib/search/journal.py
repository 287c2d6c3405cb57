"""Journal entries: what one write to the feed rows changes in the search index, as compact bytes.

Every write of feed rows (the sync's rows, an invalid record, the exporter's marks) adds an entry after the
rows are written; the index replays the entries in position order. Replaying entries it already holds is
harmless: each sets values (marks only while the row still has the marked hash), so a suffix can always be replayed,
and an entry written twice (a retried write) applies the same values twice. An entry that turns up late is applied
in its place: the entries after it are replayed (live.py), so a copy never depends on the order entries landed in.
"""
from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import orjson

from ..domain.batches import ATTENTION, DELETED, DONE, SUBMITTED, WILL_RETRY, BatchOutcome
from ..domain.batching import ExportBatch
from ..domain.errors import CatalogSyncError
from ..domain.feed import FeedRow, RowKey
from .rows import NO_TIME, STATUS_CODES, IndexRow, hash32, index_row, millis, search_text

ROWS_PER_ENTRY = 1000  # an entry stays far below DynamoDB's 400 KB item limit
# The journal's timing contract. A position starts with the writer's clock when it stamped the entry, and an entry
# becomes visible (to a consistent read) within LANDING_BOUND_MS of that time: a write acknowledged later than that
# is written again at a fresh position (dynamo_store), so some copy of every entry keeps the bound. A reader takes
# as settled only the positions older than its own clock minus SETTLE_LAG_MS (the bound and the clocks' skew), and
# reads the unsettled ones again (live.py); a snapshot folds the journal in up to a settled position (upkeep.py).
LANDING_BOUND_MS = 10_000
CLOCK_SKEW_MS = 2_000
SETTLE_LAG_MS = LANDING_BOUND_MS + CLOCK_SKEW_MS
_ROW_FIELDS = tuple(field.name for field in fields(IndexRow))
_VERSION = 1


class MalformedEntryError(CatalogSyncError):
    """Bytes that are not a journal entry."""


@dataclass(frozen=True)
class RowsWritten:
    """Whole rows written (by a reindex): every indexed value is set."""

    rows: tuple[IndexRow, ...]


@dataclass(frozen=True)
class RowsMarked:
    """Rows marked by an exporter, each only if the row still has the marked hash; ``at`` is the
    export time for exported rows (NO_TIME: unchanged)."""

    status: int
    at: int
    marks: tuple[tuple[str, str, int], ...]  # (sku, store view code, hash32)


@dataclass(frozen=True)
class RowInvalid:
    """A source record that could not be built: the row fails, and a row not yet indexed gets these fields."""

    sku: str
    store_view_code: str
    text: str
    name: str | None
    type: str | None
    visibility: str | None
    attribute_set: str | None


@dataclass(frozen=True)
class SnapshotPublished:
    """A new snapshot folds in the journal up to its position."""

    snapshot_id: str


Entry = RowsWritten | RowsMarked | RowInvalid | SnapshotPublished


def rows_written(rows: Sequence[FeedRow]) -> list[RowsWritten]:
    indexed = [index_row(row) for row in rows]
    return [RowsWritten(tuple(indexed[start:start + ROWS_PER_ENTRY]))
            for start in range(0, len(indexed), ROWS_PER_ENTRY)]


def rows_marked(status: str, at: int, marks: Iterable[tuple[RowKey, str]]) -> list[RowsMarked]:
    """``marks``: (row key, full hash) of the rows sent."""
    listed = [(key.sku, key.store_view_code, hash32(row_hash)) for key, row_hash in marks]
    return [RowsMarked(STATUS_CODES[status], at, tuple(listed[start:start + ROWS_PER_ENTRY]))
            for start in range(0, len(listed), ROWS_PER_ENTRY)]


def batch_outcome(batch: ExportBatch, outcome: BatchOutcome) -> list[RowsMarked]:
    """A batch's outcome as marks of the rows it carried (each as sent: its hash), applied or not: the index
    applies a mark only while it holds the version sent (a newer version travels in its own batch)."""
    sent = {row.key: row.hash for row in batch.rows}
    if outcome.status != DONE:
        return rows_marked(WILL_RETRY if outcome.retryable else ATTENTION, NO_TIME, sent.items())
    at = millis(outcome.finished_at)
    delivered = [row for row in batch.rows if row.key not in outcome.rejected]
    entries = rows_marked(SUBMITTED, at, ((r.key, r.hash) for r in delivered if not r.document.get("deleted")))
    entries += rows_marked(DELETED, at, ((r.key, r.hash) for r in delivered if r.document.get("deleted")))
    return entries + rows_marked(ATTENTION, NO_TIME, ((key, sent[key]) for key in outcome.rejected if key in sent))


def row_invalid(key: RowKey, fields: dict[str, Any]) -> RowInvalid:
    product_id = fields.get("product_id")
    name = fields.get("name")
    return RowInvalid(key.sku, key.store_view_code,
                      search_text(product_id if isinstance(product_id, int) else None, key.sku, name), name,
                      fields.get("type"), fields.get("visibility"), fields.get("attribute_set"))


def encode(entry: Entry) -> bytes:
    if isinstance(entry, RowsWritten):
        body: list[Any] = ["rows", [[getattr(row, name) for name in _ROW_FIELDS] for row in entry.rows]]
    elif isinstance(entry, RowsMarked):
        body = ["marks", entry.status, entry.at, [list(mark) for mark in entry.marks]]
    elif isinstance(entry, RowInvalid):
        body = ["invalid", entry.sku, entry.store_view_code, entry.text, entry.name, entry.type, entry.visibility,
                entry.attribute_set]
    elif isinstance(entry, SnapshotPublished):
        body = ["snapshot", entry.snapshot_id]
    else:
        raise TypeError(f"not a journal entry: {entry!r}")
    return zlib.compress(orjson.dumps([_VERSION, *body]), 6)


def decode(data: bytes) -> Entry:
    try:
        version, kind, *body = orjson.loads(zlib.decompress(data))
        if version != _VERSION:
            raise MalformedEntryError(f"unknown journal entry version {version!r}")
        if kind == "rows":
            return RowsWritten(tuple(IndexRow(*row) for row in body[0]))
        if kind == "marks":
            status, at, marks = body
            return RowsMarked(int(status), int(at), tuple((sku, view, int(h)) for sku, view, h in marks))
        if kind == "invalid":
            return RowInvalid(*body)
        if kind == "snapshot":
            return SnapshotPublished(body[0])
        raise MalformedEntryError(f"unknown journal entry kind {kind!r}")
    except MalformedEntryError:
        raise
    except (zlib.error, orjson.JSONDecodeError, TypeError, ValueError) as error:
        raise MalformedEntryError(f"not a journal entry: {error}") from None

