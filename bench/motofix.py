"""Bench-only moto patch: TransactWriteItems snapshots the items it touches, not whole tables per item.

moto 5.2.5's ``DynamoDBBackend.transact_write_items`` deep-copies a table *for every item* of the
transaction that names it (its rollback backup), so a 100-item transaction on a table of T rows copies
100·T items: the exporter's marks cost O(rows²) on moto. This patch keeps the same semantics (all or
nothing, the same errors) with a per-item backup. ``python -m bench.motofix -H HOST -p PORT`` runs a
moto server with it.
"""
from __future__ import annotations

import copy
import sys
import types

_installed = False


def install() -> None:
    """Patch this process's moto (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    real_deepcopy = copy.deepcopy
    # The module's only whole-table deepcopy is transact_write_items' backup: make it a no-op.
    models.copy = types.SimpleNamespace(
        deepcopy=lambda obj, memo=None: obj if isinstance(obj, Table) else real_deepcopy(obj, memo))
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        backup = []
        for item in transact_items:
            _, op = next(iter(item.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            keys = op.get("Key") or {name: op.get("Item", {}).get(name)
                                     for name in (table.hash_key_attr, table.range_key_attr) if name}
            try:
                hash_key, range_key = self.get_keys_value(table, keys)
            except Exception:
                continue  # moto raises its own validation error for this item below
            backup.append((table, hash_key, range_key, real_deepcopy(table.get_item(hash_key, range_key))))
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, saved in reversed(backup):
                _restore(table, hash_key, range_key, saved)
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items
    _installed = True


def _restore(table, hash_key, range_key, saved) -> None:
    if saved is None:
        table.delete_item(hash_key, range_key)
    elif range_key is not None:
        table.items[hash_key][range_key] = saved
    else:
        table.items[hash_key] = saved


if __name__ == "__main__":
    install()
    from moto.server import main

    main(sys.argv[1:])
