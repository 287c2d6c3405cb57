"""What the service holds: per feed, the newest version of each item (by its identity), as compact JSON bytes
with its content hash; deletions are kept, flagged. Items are listed in identity order for stable paging."""
from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson

from chalicelib.domain.feed import item_hash

from .feeds import IDENTITIES, Key, key_of, named


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
    """One item as last stored, and how many times it was accepted."""

    __slots__ = ("batch_id", "deleted", "document", "hash", "key", "modified", "modified_at", "received_at",
                 "receives")

    def __init__(self, key: Key, item: dict[str, Any], received_at: str, batch_id: str | None):
        self.key, self.document, self.hash = key, _compact(item), item_hash(item)
        modified_at = item.get("modifiedAt")
        self.modified_at = modified_at if isinstance(modified_at, str) else None
        self.modified = moment(modified_at)
        self.received_at, self.batch_id, self.deleted = received_at, batch_id, item.get("deleted") is True
        self.receives = 0

    def summary(self, fields: tuple[str, ...]) -> dict[str, Any]:
        """The item as a feed's listing gives it without documents (``fields``: the feed's identity)."""
        return {"identity": dict(zip(fields, self.key, strict=True)), "hash": self.hash,
                "modifiedAt": self.modified_at, "deleted": self.deleted}

    def view(self, feed: str, with_count: bool = False) -> dict[str, Any]:
        """The item as GET /v1/items answers it: the identity fields also at the top level, as v1's products
        answer had them (plus ``receiveCount`` for the admin)."""
        identity = named(feed, self.key)
        shown = {"feed": feed, **identity, "identity": identity, "hash": self.hash, "modifiedAt": self.modified_at,
                 "deleted": self.deleted, "receivedAt": self.received_at, "batchId": self.batch_id,
                 "document": orjson.loads(self.document)}
        if with_count:
            shown["receiveCount"] = self.receives
        return shown


class FeedHoldings:
    """One feed's items by identity. A version older (by ``modifiedAt``) than the one held does not replace it:
    a redelivered batch may arrive after a newer one. Without comparable timestamps, the later arrival wins."""

    def __init__(self, feed: str):
        self.feed = feed
        self._lock = threading.Lock()
        self._items: dict[Key, Held] = {}
        self._ordered: list[Key] = []  # every key, sorted once _added is merged in
        self._added: list[Key] = []  # keys new since the last sort
        self.deleted = 0

    def keep(self, items: Iterable[dict[str, Any]], received_at: str, batch_id: str | None) -> None:
        # serialised and hashed outside the lock: concurrent deliveries only queue for the dictionary updates
        incoming = [Held(key_of(self.feed, item), item, received_at, batch_id) for item in items]
        with self._lock:
            for new in incoming:
                old = self._items.get(new.key)
                if old is None:
                    new.receives = 1
                    self._items[new.key] = new
                    self._added.append(new.key)
                    self.deleted += new.deleted
                    continue
                old.receives += 1
                if old.modified is not None and new.modified is not None and new.modified < old.modified:
                    continue
                new.receives = old.receives
                self._items[new.key] = new
                self.deleted += new.deleted - old.deleted

    def get(self, key: Key) -> Held | None:
        with self._lock:
            return self._items.get(key)

    def _keys(self) -> list[Key]:
        """Every key in order (under the lock): the new ones merged in (one pass: the rest is sorted already)."""
        if self._added:
            self._ordered.extend(self._added)
            self._ordered.sort()
            self._added.clear()
        return self._ordered

    def starting(self, prefix: Key, limit: int) -> list[Held]:
        """The items whose identity starts with ``prefix`` (e.g. a products' sku: every store view), at most
        ``limit``, in order."""
        with self._lock:
            keys = self._keys()
            found: list[Held] = []
            for index in range(bisect_left(keys, prefix), len(keys)):
                if keys[index][:len(prefix)] != prefix or len(found) == limit:
                    break
                found.append(self._items[keys[index]])
            return found

    def page(self, after: Key | None, limit: int, deleted: bool | None = None) -> tuple[list[Held], bool]:
        """Up to ``limit`` items after ``after`` in identity order (deletions only, or none, when ``deleted`` is
        given), and whether more follow. Keys never leave (deletions stay flagged), so an item held throughout a
        listing is listed once, whatever changes meanwhile."""
        with self._lock:
            keys = self._keys()
            index = bisect_right(keys, after) if after is not None else 0
            if deleted is None:  # every item: a slice
                return [self._items[key] for key in keys[index:index + limit]], index + limit < len(keys)
            found: list[Held] = []
            while index < len(keys):
                held = self._items[keys[index]]
                if deleted is None or held.deleted == deleted:
                    if len(found) == limit:
                        return found, True
                    found.append(held)
                index += 1
            return found, False

    def __iter__(self) -> Iterator[Held]:
        with self._lock:
            return iter([self._items[key] for key in self._keys()])

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._ordered.clear()
            self._added.clear()
            self.deleted = 0


class Holdings:
    """Every feed's items."""

    def __init__(self) -> None:
        self.feeds = {feed: FeedHoldings(feed) for feed in IDENTITIES}

    def of(self, feed: str) -> FeedHoldings:
        return self.feeds[feed]

    def __len__(self) -> int:
        return sum(len(feed) for feed in self.feeds.values())

    def clear(self) -> None:
        for feed in self.feeds.values():
            feed.clear()
