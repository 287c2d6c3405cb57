"""What the service holds: the newest document per (sku, storeViewCode), kept as compact JSON bytes."""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson


def moment(text: Any) -> float | None:
    """An ISO 8601 timestamp as epoch seconds (naive means UTC); None when absent or unreadable."""
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _compact(document: dict[str, Any]) -> bytes:
    # orjson's output keeps its working buffer (several kB); a copy holds just the JSON
    return bytes(memoryview(orjson.dumps(document)))


class Held:
    """One row as last stored, and how many times it was accepted."""

    __slots__ = ("batch_id", "deleted", "document", "modified", "received_at", "receives", "sku", "store_view_code")

    def __init__(self, sku: str, store_view_code: str, document: bytes, modified: float | None, received_at: str,
                 batch_id: str | None, deleted: bool):
        self.sku, self.store_view_code, self.document = sku, store_view_code, document
        self.modified, self.received_at, self.batch_id, self.deleted = modified, received_at, batch_id, deleted
        self.receives = 0

    def view(self, with_count: bool = False) -> dict[str, Any]:
        """The row as GET /v1/items answers it (plus ``receiveCount`` for the admin)."""
        shown = {"sku": self.sku, "storeViewCode": self.store_view_code, "document": orjson.loads(self.document),
                 "receivedAt": self.received_at, "batchId": self.batch_id}
        if with_count:
            shown["receiveCount"] = self.receives
        return shown


class Holdings:
    """Rows by sku, then store view. A document older (by ``modifiedAt``) than the one held does not replace
    it: a redelivered batch may arrive after a newer one. Without comparable timestamps, the later arrival wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, dict[str, Held]] = {}

    def keep(self, items: Iterable[dict[str, Any]], received_at: str, batch_id: str | None) -> None:
        # serialised outside the lock: concurrent deliveries only queue for the dictionary updates
        incoming = [Held(item["sku"], item["storeViewCode"], _compact(item), moment(item.get("modifiedAt")),
                         received_at, batch_id, item.get("deleted") is True) for item in items]
        with self._lock:
            for new in incoming:
                views = self._rows.setdefault(new.sku, {})
                old = views.get(new.store_view_code)
                if old is None:
                    new.receives = 1
                    views[new.store_view_code] = new
                    continue
                old.receives += 1
                if old.modified is not None and new.modified is not None and new.modified < old.modified:
                    continue
                new.receives = old.receives
                views[new.store_view_code] = new

    def get(self, sku: str, store_view_code: str) -> Held | None:
        with self._lock:
            return self._rows.get(sku, {}).get(store_view_code)

    def of_sku(self, sku: str) -> list[Held]:
        with self._lock:
            return sorted(self._rows.get(sku, {}).values(), key=lambda held: held.store_view_code)

    def __iter__(self) -> Iterator[Held]:
        with self._lock:
            rows = [held for views in self._rows.values() for held in views.values()]
        return iter(rows)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(views) for views in self._rows.values())

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
