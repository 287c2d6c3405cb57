"""Feed rows in DynamoDB: batch reads and writes. The rows of every feed share one table (``item_id``,
``<feed>#<scope>``); a store reads and writes one feed's."""
from __future__ import annotations

import json
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import orjson
from pynamodb.attributes import BooleanAttribute, NumberAttribute
from pynamodb.expressions.update import Action

from ..domain.errors import Failure
from ..domain.feed import FeedRow, RowKey, StoredState
from ..ports import FeedStore
from .dynamo_models import FeedRowModel as M
from .dynamo_tables import Tables, bound

_STATE_ATTRIBUTES = ["item_id", "feed_scope", "hash", "deleted", "batch", "invalid_code", "exported_before"]
_ROW_FIELDS = ("product_id", "name", "type", "attribute_set", "price", "quantity", "salable_quantity",
               "visibility", "last_modified", "document", "hash", "deleted", "run_id", "batch", "exported_before")
# FeedRow fields read from other attributes
_INVALID = ("invalid_code", "invalid_reason")
_EXTRA = "extra"  # FeedRow.extra, stored as JSON
# BatchWriteItem requests of a row write in flight at once: each waits a round trip (DynamoDB's, or the local
# stack's moto), so a write of hundreds of rows takes a fraction of the time one request after another takes.
WRITERS = 4
_PER_REQUEST = 25  # DynamoDB's most items in one BatchWriteItem
_NUMBERS = frozenset(name for name, a in M.get_attributes().items() if isinstance(a, NumberAttribute))
_BOOLEANS = frozenset(name for name, a in M.get_attributes().items() if isinstance(a, BooleanAttribute))


class _Serialized:
    """A row as a batch write sends it: the attribute map Model.serialize makes, made without building a model
    (a third of the CPU of writing a row)."""

    __slots__ = ("_item",)

    def __init__(self, item: dict[str, dict[str, Any]]):
        self._item = item

    def serialize(self) -> dict[str, dict[str, Any]]:
        return self._item


def _extra_json(extra: Mapping[str, Any]) -> str:
    return orjson.dumps(extra, option=orjson.OPT_SORT_KEYS).decode()


def _range_key(feed: str, scope: str) -> str:
    return f"{feed}#{scope}"


def _key(item: M) -> RowKey:
    return RowKey(item.item_id, item.feed_scope.split("#", 1)[1])


def _state(item: M) -> StoredState:
    return StoredState(item.hash, bool(item.deleted), item.batch, item.invalid_code is not None,
                       item.exported_before)


def _row(item: M) -> FeedRow:
    key = _key(item)
    row = FeedRow(key.id, key.scope)
    for name in _ROW_FIELDS:
        value = getattr(item, name)
        if value is not None:
            setattr(row, name, value)
    if row.product_id is not None:
        row.product_id = int(row.product_id)
    if item.invalid_code is not None:
        row.invalid = Failure(item.invalid_code, item.invalid_reason or "")
    if item.extra:
        row.extra = orjson.loads(item.extra)
    return row


_writers: ThreadPoolExecutor | None = None
_writers_made = threading.Lock()


def _writer_pool() -> ThreadPoolExecutor:
    """The threads that send row writes, made at the first write of many rows (shared by every store)."""
    global _writers
    with _writers_made:
        if _writers is None:
            _writers = ThreadPoolExecutor(WRITERS, thread_name_prefix="row-writer")
        return _writers


def _attributes(fields: Collection[str]) -> list[str]:
    names = ["item_id", "feed_scope"]
    for name in fields:
        names += _INVALID if name == "invalid" else [name]
    return names


class DynamoFeedStore(FeedStore):
    """The rows of one feed."""

    def __init__(self, feed: str, tables: Tables | None = None):
        self._feed = feed
        self._m = (tables or bound()).feed_rows

    def _unique(self, keys: Iterable[RowKey]) -> list[tuple[str, str]]:
        return list(dict.fromkeys((key.id, _range_key(self._feed, key.scope)) for key in keys))

    def wire_item(self, row: FeedRow) -> dict[str, dict[str, Any]]:
        """The row's item in DynamoDB's wire format, as the model serializes it (``_item(row).serialize()``)."""
        item: dict[str, dict[str, Any]] = {"item_id": {"S": row.id},
                                           "feed_scope": {"S": _range_key(self._feed, row.scope)}}
        for name in _ROW_FIELDS:
            value = getattr(row, name)
            if value is not None:
                item[name] = ({"N": json.dumps(value)} if name in _NUMBERS else {"BOOL": bool(value)}
                              if name in _BOOLEANS else {"S": value})
        if row.invalid is not None:
            item["invalid_code"], item["invalid_reason"] = {"S": row.invalid.code}, {"S": row.invalid.message}
        if row.extra:
            item[_EXTRA] = {"S": _extra_json(row.extra)}
        return item

    def _item(self, row: FeedRow) -> M:
        item = self._m(row.id, _range_key(self._feed, row.scope), **{name: getattr(row, name) for name in _ROW_FIELDS})
        if row.invalid is not None:
            item.invalid_code, item.invalid_reason = row.invalid.code, row.invalid.message
        if row.extra:
            item.extra = _extra_json(row.extra)
        return item

    def _scan(self, **kwargs: Any) -> Iterator[M]:
        """Every row of this feed (a Scan: the rows of every feed are read, this one's kept)."""
        return self._m.scan(filter_condition=M.feed_scope.startswith(f"{self._feed}#"), **kwargs)

    def states(self, keys: Iterable[RowKey]) -> dict[RowKey, StoredState]:
        wanted = self._unique(keys)
        if not wanted:
            return {}
        return {_key(item): _state(item) for item in self._m.batch_get(wanted, attributes_to_get=_STATE_ATTRIBUTES)}

    def all_states(self) -> dict[RowKey, StoredState]:
        return {_key(item): _state(item) for item in self._scan(attributes_to_get=_STATE_ATTRIBUTES)}

    def iter_states(self) -> Iterator[tuple[RowKey, StoredState]]:
        return ((_key(item), _state(item)) for item in self._scan(attributes_to_get=_STATE_ATTRIBUTES))

    def states_of_ids(self, ids: Iterable[str]) -> dict[RowKey, StoredState]:
        return {_key(item): _state(item) for item_id in dict.fromkeys(ids)
                for item in self._m.query(item_id, M.feed_scope.startswith(f"{self._feed}#"),
                                          attributes_to_get=_STATE_ATTRIBUTES)}

    def get_rows(self, keys: Iterable[RowKey], fields: Collection[str] | None = None) -> list[FeedRow]:
        wanted = self._unique(keys)
        attributes = None if fields is None else _attributes(fields)
        return [_row(item) for item in self._m.batch_get(wanted, attributes_to_get=attributes)] if wanted else []

    def rows_of_id(self, item_id: str) -> list[FeedRow]:
        return [_row(item) for item in self._m.query(item_id, M.feed_scope.startswith(f"{self._feed}#"))]

    def iter_rows(self) -> Iterator[FeedRow]:
        return (_row(item) for item in self._scan())

    def put_rows(self, rows: Iterable[FeedRow]) -> None:
        """Write the rows, up to WRITERS requests at once; return when all are written, or raise the first failure
        once none is in flight (the rows of the other requests may be written: each names a batch recorded
        before, so a row written or not is found again either way). A row given twice is stored as it was given
        last, as writing them in turn would leave it."""
        latest = {(row.id, row.scope): row for row in rows}
        items = [self.wire_item(row) for row in latest.values()]
        requests = [items[start:start + _PER_REQUEST] for start in range(0, len(items), _PER_REQUEST)]
        if len(requests) <= 1:
            self._put(items)
            return
        sent = [_writer_pool().submit(self._put, request) for request in requests]
        wait(sent)
        for request in sent:
            request.result()

    def _put(self, items: list[dict[str, dict[str, Any]]]) -> None:
        with self._m.batch_write() as batch:  # PynamoDB's batching and retries of unprocessed items
            for item in items:
                batch.save(_Serialized(item))

    def record_invalid(self, key: RowKey, failure: Failure, run_id: str, fields: Mapping[str, Any]) -> None:
        actions: list[Action] = [M.invalid_code.set(failure.code), M.invalid_reason.set(failure.message[:1000]),
                   M.run_id.set(run_id)]
        # Only fill the dashboard fields of a row that has none: a valid earlier version stays as it was.
        actions += [getattr(M, name).set(getattr(M, name) | value) for name, value in fields.items()]
        self._m(key.id, _range_key(self._feed, key.scope)).update(actions=actions)
