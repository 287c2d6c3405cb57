"""moto's server with two DynamoDB fixes the local stack needs (``python -m local_stack.moto_patched``).

1. moto 5.2's TransactWriteItems deep-copies the whole table once per action, for its rollback: a
   100-row transaction on a 5,600-row feed table takes about a minute, and the rollback (the table
   swapped for its copy) undoes whatever other requests wrote meanwhile. Here only the items the
   transaction touches are saved and put back.
2. moto's DynamoDB backend has no locks, and its server runs requests in threads: a GSI query that
   sorts items while an export removes their index attribute fails with a 500 (KeyError). DynamoDB
   requests run one at a time here (SQS has its own lock, and its long polls must not block them).
3. moto 5.2's Scan sorts the whole table by comparing its own key objects, walks it from the start to
   the page's ExclusiveStartKey, and deep-copies every item of the page before the FilterExpression drops
   most of them: each 1 MB page of a 22,000-row table costs about a second, so the daily reconciliation of
   six feeds after `make run`'s first sync (one Scan each) held the DynamoDB lock for minutes. Here the
   sort uses plain key values, the page starts where the previous one ended (bisect), and only items the
   filter keeps are copied. Pages, counts and LastEvaluatedKey are moto's (tests/integration/test_moto_patched.py).
4. moto's server finds the backend of every request anew, under one lock: it lists its package's folders (an
   ``isdir`` for each of some 200) and tries its URL patterns in turn — about a tenth of the server's CPU in
   `make run`'s first sync. The backend of a host never changes while the server runs: here it is found once per
   host (tests/integration/test_moto_patched.py).
"""
from __future__ import annotations

import bisect
import copy
import logging
import sys
import threading
from itertools import islice
from typing import Any


def _snapshot(backend: Any, entry: dict) -> tuple | None:
    """(table, hash key, range key, copy of the item or None) for one transaction action."""
    op = next(iter(entry.values()))
    try:
        table = backend.get_table(op["TableName"])
        keys = op.get("Key") or {name: op["Item"][name] for name in (table.hash_key_attr, table.range_key_attr)
                                 if name}
        hash_key, range_key = backend.get_keys_value(table, keys)
    except Exception:  # a malformed action: moto's own validation reports it
        return None
    return table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))


def _restore(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    if range_key is not None:
        if item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item
    elif item is None:
        table.items.pop(hash_key, None)
    else:
        table.items[hash_key] = item


def patch_transactions() -> None:
    """Install the transaction fix (in this process: the server, or in-process moto for benchmarks)."""
    from moto.dynamodb import models

    if getattr(models.DynamoDBBackend.transact_write_items, "patched", False):
        return

    class _CopyExceptTables:
        """Stands in for the ``copy`` module inside moto's backend: tables are "copied" as themselves."""

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, models.Table) else copy.deepcopy(value, memo)

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = [s for s in (_snapshot(self, entry) for entry in transact_items[:100]) if s is not None]
        try:
            return original(self, transact_items)
        except Exception:
            for snapshot in reversed(saved):
                _restore(*snapshot)
            raise

    transact_write_items.patched = True  # type: ignore[attr-defined]
    models.copy = _CopyExceptTables  # type: ignore[assignment]  # the backend's rollback now swaps each table for itself
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def serialize_requests() -> None:
    """DynamoDB requests one at a time (in this process: the server, or in-process moto for the tests and benchmarks,
    where the row writers and the exporters call it from several threads, as DynamoDB itself allows)."""
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.call_action, "serialized", False):
        return
    lock = threading.Lock()
    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with lock:
            return original(self)

    call_action.serialized = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def _sort_key(item: Any) -> Any:
    """An item's key values, ordered as moto orders its key objects (by their cast values)."""
    if item.range_key is not None:
        return item.hash_key.cast_value, item.range_key.cast_value
    return item.hash_key.cast_value


def all_items(table: Any) -> list[Any]:
    """moto's Table.all_items (every item, in key order), sorted on plain values."""
    if table.range_key_attr:
        items = [item for by_range in table.items.values() for item in by_range.values()]
    else:
        items = list(table.items.values())
    return sorted(items, key=_sort_key)


def scan(table: Any, filters: dict[str, Any], limit: int, exclusive_start_key: dict[str, Any],
         filter_expression: Any = None, index_name: str | None = None, consistent_read: bool = False,
         projection_expression: Any = None, segments: Any = (None, None)) -> Any:
    """moto's Table.scan of a table (not an index) without legacy ScanFilter conditions: the same page."""
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import RESULT_SIZE_LIMIT

    items = all_items(table)
    start = 0
    if exclusive_start_key:
        start_key: Any = DynamoType(exclusive_start_key[table.hash_key_attr]).cast_value
        if table.range_key_attr:
            start_key = (start_key, DynamoType(exclusive_start_key[table.range_key_attr]).cast_value)
        start = bisect.bisect_right(items, start_key, key=_sort_key)
    read: list[Any] = []
    size = 0
    last_evaluated_key = None
    for item in islice(items, start, None):
        if not item.is_within_segment(segments):
            continue
        item_size = item.size()
        if len(read) == limit or size + item_size > RESULT_SIZE_LIMIT:
            last_evaluated_key = table._get_last_evaluated_key(read[-1], None)
            break
        read.append(item)
        size += item_size
    kept = [item for item in read if filter_expression is None or filter_expression.expr(item)]
    results = [copy.deepcopy(item) for item in kept]
    if projection_expression:
        results = [item.project(projection_expression) for item in results]
    return results, len(read), last_evaluated_key


def patch_scans() -> None:
    """Install the Scan fix (in this process)."""
    from moto.dynamodb.models.table import Table

    if getattr(Table.scan, "patched", False):
        return
    original = Table.scan

    def patched(self: Any, filters: dict[str, Any], limit: int, exclusive_start_key: dict[str, Any],
                filter_expression: Any = None, index_name: str | None = None, consistent_read: bool = False,
                projection_expression: Any = None, segments: Any = (None, None)) -> Any:
        use = original if index_name or filters else scan
        return use(self, filters, limit, exclusive_start_key, filter_expression, index_name, consistent_read,
                   projection_expression, segments)

    patched.patched = True  # type: ignore[attr-defined]
    Table.scan = patched  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign, assignment]


# Hosts are made from a request's signature (service and region), so a client could send any number of them.
_BACKENDS_KEPT = 1024


def patch_dispatch() -> None:
    """Install the dispatch fix (in this process): each host's backend is found once."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    if getattr(DomainDispatcherApplication.get_backend_for_host, "patched", False):
        return
    original = DomainDispatcherApplication.get_backend_for_host
    found: dict[str | None, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        # Called under the dispatcher's own lock: one thread at a time reads and fills ``found``.
        if host in found:
            return found[host]
        backend = original(self, host)
        if len(found) < _BACKENDS_KEPT:
            found[host] = backend
        return backend

    get_backend_for_host.patched = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    patch_transactions()
    serialize_requests()
    patch_scans()
    patch_dispatch()
    # One line per request would make the log as large as the traffic; warnings and errors stay.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
