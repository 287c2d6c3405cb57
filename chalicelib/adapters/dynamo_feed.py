"""Feed rows in DynamoDB: batch reads and writes, and conditional transactional marks."""
from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.feed import (
    DELETED,
    EXPORTED,
    FAILED,
    INVALID,
    NOT_EXPORTED,
    PENDING,
    REJECTED,
    RETRY,
    FeedRow,
    RowKey,
    StoredState,
)
from ..ports import ExportMark, FeedStore
from .dynamo_models import FeedRowModel as M

OUTBOX_STATES = (PENDING, NOT_EXPORTED)
_STATE_ATTRIBUTES = ["item_id", "feed_scope", "hash", "last_exported_hash", "last_exported_at",
                     "export_status", "deleted", "failure"]
_ROW_FIELDS = ("product_id", "name", "type", "attribute_set", "price", "quantity", "salable_quantity",
               "visibility", "last_modified", "document", "hash", "deleted", "export_status", "error",
               "last_exported_hash", "last_exported_at", "run_id", "failure")
TRANSACTION_ITEMS = 100  # DynamoDB's limit per TransactWriteItems
_CONFLICT_RETRIES = 5


def _range_key(feed: str, scope: str) -> str:
    return f"{feed}#{scope}"


def _key(item: M) -> RowKey:
    return RowKey(item.item_id, item.feed_scope.split("#", 1)[1])


def _state(item: M) -> StoredState:
    return StoredState(item.hash, item.last_exported_hash, item.export_status or PENDING,
                       bool(item.deleted), item.last_exported_at, item.failure)


def _row(item: M) -> FeedRow:
    key = _key(item)
    row = FeedRow(key.id, key.scope)
    for name in _ROW_FIELDS:
        value = getattr(item, name)
        if value is not None:
            setattr(row, name, value)
    if row.product_id is not None:
        row.product_id = int(row.product_id)
    return row


def _item(row: FeedRow, feed: str) -> M:
    item = M(row.id, _range_key(feed, row.scope), **{name: getattr(row, name) for name in _ROW_FIELDS})
    item.outbox = feed if row.export_status in OUTBOX_STATES else None
    return item


class DynamoFeedStore(FeedStore):
    """The rows of one feed."""

    def __init__(self, feed: str, connection: Connection | None = None):
        self._feed = feed
        self._connection = connection

    def _unique(self, keys: Iterable[RowKey]) -> list[tuple[str, str]]:
        return list(dict.fromkeys((key.id, _range_key(self._feed, key.scope)) for key in keys))

    def _model(self, key: RowKey) -> M:
        return M(key.id, _range_key(self._feed, key.scope))

    def _scan(self, **kwargs: Any) -> Iterator[M]:
        """Every row of this feed (a Scan: the rows of every feed are read, this one's kept)."""
        condition = M.feed_scope.startswith(f"{self._feed}#")
        extra = kwargs.pop("filter_condition", None)
        return M.scan(filter_condition=condition if extra is None else condition & extra, **kwargs)

    def _transactions(self) -> Connection:
        if self._connection is None:
            self._connection = Connection()
        return self._connection

    def states(self, keys: Iterable[RowKey]) -> dict[RowKey, StoredState]:
        wanted = self._unique(keys)
        if not wanted:
            return {}
        items = M.batch_get(wanted, attributes_to_get=_STATE_ATTRIBUTES)
        return {_key(item): _state(item) for item in items}

    def all_states(self) -> dict[RowKey, StoredState]:
        return {_key(item): _state(item) for item in self._scan(attributes_to_get=_STATE_ATTRIBUTES)}

    def get_rows(self, keys: Iterable[RowKey], fields: Collection[str] | None = None) -> list[FeedRow]:
        wanted = self._unique(keys)
        attributes = None if fields is None else ["item_id", "feed_scope", *fields]
        return [_row(item) for item in M.batch_get(wanted, attributes_to_get=attributes)] if wanted else []

    def iter_rows(self) -> Iterator[FeedRow]:
        return (_row(item) for item in self._scan())

    def put_rows(self, rows: Iterable[FeedRow]) -> None:
        with M.batch_write() as batch:
            for row in rows:
                batch.save(_item(row, self._feed))

    def record_invalid(self, key: RowKey, reason: str, run_id: str, fields: Mapping[str, Any]) -> None:
        actions = [M.export_status.set(FAILED), M.error.set(reason), M.run_id.set(run_id), M.failure.set(INVALID),
                   M.outbox.remove()]
        # Only fill the dashboard fields of a row that has none: a valid earlier version stays as it was.
        actions += [getattr(M, name).set(getattr(M, name) | value) for name, value in fields.items()]
        self._model(key).update(actions=actions)

    def failed_rows(self) -> Iterator[FeedRow]:
        return (_row(item) for item in self._scan(filter_condition=M.export_status == FAILED))

    def outbox(self) -> list[RowKey]:
        return [_key(item) for item in M.outbox_index.query(self._feed)]

    def mark_exported(self, marks: list[ExportMark], at: str) -> int:
        # ``failure`` is left as it was: it means something only while the row is failed, and every action on
        # this path costs (BENCHMARKS.md, stack).
        def actions(mark: ExportMark) -> list:
            return [M.export_status.set(DELETED if mark.deleted else EXPORTED), M.last_exported_hash.set(mark.hash),
                    M.last_exported_at.set(at), M.error.remove(), M.outbox.remove()]
        return self._conditional_updates(marks, actions)

    def mark_failed(self, marks: list[ExportMark], reasons: Mapping[RowKey, str], retryable: bool) -> int:
        def actions(mark: ExportMark) -> list:
            outbox = M.outbox.set(self._feed) if retryable else M.outbox.remove()
            return [M.export_status.set(FAILED), M.error.set(reasons[mark.key]),
                    M.failure.set(RETRY if retryable else REJECTED), outbox]
        return self._conditional_updates(marks, actions)

    def _conditional_updates(self, marks: list[ExportMark], actions) -> int:
        """Apply updates in transactions of 100, each on the condition that the row still has the sent hash.

        A row a concurrent reindex changed fails its condition and cancels its transaction: that
        transaction is retried without it (the newer version is pending and travels in its own batch).
        """
        applied = 0
        for start in range(0, len(marks), TRANSACTION_ITEMS):
            chunk = marks[start:start + TRANSACTION_ITEMS]
            for attempt in range(_CONFLICT_RETRIES + 1):
                if not chunk:
                    break
                try:
                    with TransactWrite(connection=self._transactions()) as transaction:
                        for mark in chunk:
                            transaction.update(self._model(mark.key), actions=actions(mark),
                                               condition=M.hash == mark.hash)
                    applied += len(chunk)
                    break
                except TransactWriteError as error:
                    reasons = error.cancellation_reasons
                    if not reasons or attempt == _CONFLICT_RETRIES:
                        raise
                    changed = {i for i, r in enumerate(reasons) if r and r.code == "ConditionalCheckFailed"}
                    chunk = [mark for i, mark in enumerate(chunk) if i not in changed]
                    if not changed:  # a conflicting transaction on the same rows: back off and retry
                        time.sleep(0.05 * 2 ** attempt)
        return applied
