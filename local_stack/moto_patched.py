"""moto's server with two DynamoDB fixes the local stack needs (``python -m local_stack.moto_patched``).

1. moto 5.2's TransactWriteItems deep-copies the whole table once per action, for its rollback: a
   100-row transaction on a 5,600-row feed table takes about a minute, and the rollback (the table
   swapped for its copy) undoes whatever other requests wrote meanwhile. Here only the items the
   transaction touches are saved and put back.
2. moto's DynamoDB backend has no locks, and its server runs requests in threads: a GSI query that
   sorts items while an export removes their index attribute fails with a 500 (KeyError). DynamoDB
   requests run one at a time here (SQS has its own lock, and its long polls must not block them).
"""
from __future__ import annotations

import copy
import logging
import sys
import threading
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
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.Lock()
    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with lock:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    patch_transactions()
    serialize_requests()
    # One line per request would make the log as large as the traffic; warnings and errors stay.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
