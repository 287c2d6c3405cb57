"""DynamoDB write units of every write request, from the sizes of the items it changed (in-process moto).

DynamoDB's rules (Developer Guide, "Capacity units" and "Item sizes"): a write costs 1 write unit per KB of the
item (rounded up, at least 1), the larger of its size before and after; in a transaction 2 per KB. An item's size
is the UTF-8 length of its attribute names plus its values' sizes (a string its UTF-8 bytes, a number about one
byte per two significant digits plus one, a boolean or null 1 byte, a list or map 3 bytes plus 1 per element).
A global secondary index is written when the item gains, loses or changes its entry: an entry is the projected
attributes plus 100 bytes; a changed index key is a delete and a put (2 writes). Index writes are counted at
1 unit per KB even when a transaction caused them (the index is updated after the commit, as a plain write).

The meter reads each item just before and just after the request from moto's backend, in this process.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from math import ceil
from typing import Any

KB = 1024
INDEX_ENTRY_OVERHEAD = 100
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


def _number_size(text: str) -> int:
    digits = str(Decimal(text).normalize()).lstrip("-").replace(".", "").lstrip("0").split("E")[0]
    return max(1, ceil(len(digits.rstrip("0") or "0") / 2)) + 1


def value_size(value: dict[str, Any]) -> int:
    """The size of one attribute value in DynamoDB's wire format (``{"S": ...}``, ``{"N": ...}``, ...)."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(inner) if isinstance(inner, bytes) else ceil(len(inner) * 3 / 4)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode()) for v in inner)
    if kind == "NS":
        return sum(_number_size(v) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    return 0 if item is None else sum(len(name.encode()) + value_size(value) for name, value in item.items())


def units(size: int) -> int:
    return max(1, ceil(size / KB))


class WriteUnits:
    """Counts write units by table (and index) and by operation while ``metering()``."""

    def __init__(self, account: str = "123456789012", region: str = "us-east-1"):
        self._account, self._region = account, region
        self.table_units: Counter[str] = Counter()  # table name → units
        self.index_units: Counter[str] = Counter()  # "table/index" → units
        self.by_operation: Counter[str] = Counter()  # "table operation" → units (table and its indexes)
        self._lock = threading.Lock()

    def _backend(self) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[self._account][self._region]

    def _item(self, table: Any, key: dict[str, Any]) -> dict[str, Any] | None:
        hash_key, range_key = self._backend().get_keys_value(table, key)
        found = table.get_item(hash_key, range_key)
        return None if found is None else found.to_json()["Attributes"]

    def _targets(self, operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
        """(table name, key, transactional) of each item the request writes."""
        backend = self._backend()

        def key_of(table_name: str, item: dict[str, Any]) -> dict[str, Any]:
            table = backend.get_table(table_name)
            names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
            return {name: item[name] for name in names}

        if operation == "PutItem":
            return [(params["TableName"], key_of(params["TableName"], params["Item"]), False)]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(params["TableName"], params["Key"], False)]
        if operation == "BatchWriteItem":
            return [(table, key_of(table, r["PutRequest"]["Item"]) if "PutRequest" in r else r["DeleteRequest"]["Key"],
                     False) for table, requests in params["RequestItems"].items() for r in requests]
        targets = []
        for entry in params["TransactItems"]:
            (kind, action), = entry.items()
            if kind != "ConditionCheck":
                key = action.get("Key") or key_of(action["TableName"], action["Item"])
                targets.append((action["TableName"], key, True))
        return targets

    def _index_units(self, table: Any, before: dict | None, after: dict | None) -> dict[str, int]:
        result = {}
        for index in table.global_indexes:
            keys = [part["AttributeName"] for part in index.schema]
            old, new = _entry(table, index, keys, before), _entry(table, index, keys, after)
            if old is None and new is None:
                continue
            if old is None or new is None:
                writes = units(item_size(old if new is None else new) + INDEX_ENTRY_OVERHEAD)
            elif any(old[k] != new[k] for k in keys):  # the entry moves: a delete and a put
                writes = units(item_size(old) + INDEX_ENTRY_OVERHEAD) + units(item_size(new) + INDEX_ENTRY_OVERHEAD)
            elif old != new:
                writes = units(max(item_size(old), item_size(new)) + INDEX_ENTRY_OVERHEAD)
            else:
                continue
            result[index.name] = writes
        return result

    @contextmanager
    def metering(self) -> Iterator[WriteUnits]:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        meter = self

        def metered(client, operation_name, api_params):
            if client.meta.service_model.service_name != "dynamodb" or operation_name not in WRITES:
                return original(client, operation_name, api_params)
            with meter._lock:  # before and after must be this request's
                backend = meter._backend()
                targets = meter._targets(operation_name, api_params)
                before = [meter._item(backend.get_table(t), k) for t, k, _ in targets]
                response = original(client, operation_name, api_params)
                for (table_name, key, transactional), old in zip(targets, before, strict=True):
                    table = backend.get_table(table_name)
                    new = meter._item(table, key)
                    written = units(max(item_size(old), item_size(new))) * (2 if transactional else 1)
                    meter.table_units[table_name] += written
                    meter.by_operation[f"{table_name} {operation_name}"] += written
                    for index, n in meter._index_units(table, old, new).items():
                        meter.index_units[f"{table_name}/{index}"] += n
                        meter.by_operation[f"{table_name} {operation_name}"] += n
                return response

        BaseClient._make_api_call = metered
        try:
            yield self
        finally:
            BaseClient._make_api_call = original

    @property
    def total(self) -> int:
        return sum(self.table_units.values()) + sum(self.index_units.values())

    def stored_units(self, table_name: str, keep=lambda item: True) -> tuple[int, int]:
        """(items, Σ write units of writing each once) of a table's items as stored now, those ``keep`` accepts."""
        table = self._backend().get_table(table_name)
        count = total = 0
        for item in _items(table):
            attributes = item.to_json()["Attributes"]
            if keep(attributes):
                count += 1
                total += units(item_size(attributes))
        return count, total


def _entry(table: Any, index: Any, keys: list[str], item: dict | None) -> dict | None:
    """The item's entry in a global secondary index (None: not in it, a sparse index)."""
    if item is None or any(k not in item for k in keys):
        return None
    projection = index.projection.get("ProjectionType", "ALL")
    if projection == "ALL":
        return item
    wanted = set(keys) | {table.hash_key_attr, table.range_key_attr} - {None}
    if projection == "INCLUDE":
        wanted |= set(index.projection.get("NonKeyAttributes", []))
    return {name: value for name, value in item.items() if name in wanted}


def _items(table: Any) -> Iterator[Any]:
    for by_range in table.items.values():
        yield from (by_range.values() if isinstance(by_range, dict) else [by_range])
