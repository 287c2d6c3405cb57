"""Change events: their signature, their body, the dirty entries they leave and the debounce rule."""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .errors import CatalogSyncError
from .feeds import FEEDS
from .runs import iso

SIGNATURE_HEADER = "X-Catalog-Sync-Signature"
SIGNATURE_PREFIX = "sha256="
MAX_ENTRIES = 1000
MAX_SKU_LENGTH = 64
LISTS = ("skus", "ids", "deleted_skus")
# A sync request older than the debounce plus this is presumed lost (its message never went out or
# never arrived): the next event may request again rather than wait for the hourly sync.
REQUEST_GRACE_SECONDS = 300


class InvalidEventError(CatalogSyncError):
    """A change event's body cannot be accepted; the message says why."""


def signature_of(secret: str, body: bytes) -> str:
    """The header value a sender puts on ``body``: ``sha256=<hex HMAC-SHA256 of the raw body>``."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    # Constant-time: the comparison must not tell an attacker how much of a guess was right.
    return hmac.compare_digest((header or "").strip().encode(), signature_of(secret, body).encode())


@dataclass(frozen=True)
class ChangeEvent:
    """Products that changed (by SKU or id) or were deleted, in one feed. Deletions are only hints."""

    feed: str
    skus: tuple[str, ...] = ()
    ids: tuple[int, ...] = ()
    deleted_skus: tuple[str, ...] = ()

    def dirty_entries(self, marked_at: str, mark: str) -> list[DirtyEntry]:
        """One entry per distinct product key: a deleted SKU is just a SKU the next run re-reads."""
        skus = dict.fromkeys(self.skus + self.deleted_skus)
        return ([DirtyEntry(sku=sku, marked_at=marked_at, mark=mark) for sku in skus]
                + [DirtyEntry(product_id=i, marked_at=marked_at, mark=mark) for i in dict.fromkeys(self.ids)])


@dataclass(frozen=True)
class DirtyEntry:
    """A product a change event marked dirty, by SKU or by id.

    ``marked_at`` and ``mark`` (unique per marking) tell the entry a run read from one marked again
    since: a run clears an entry only while both are unchanged.
    """

    sku: str | None = None
    product_id: int | None = None
    marked_at: str = ""
    mark: str = ""


def _list(data: dict[str, Any], name: str) -> list[Any]:
    values = data.get(name, [])
    if not isinstance(values, list):
        raise InvalidEventError(f"{name} must be a list")
    return values


def _check_skus(name: str, values: list[Any]) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise InvalidEventError(f"{name} must hold non-empty strings; got {value!r}")
        if len(value) > MAX_SKU_LENGTH:
            raise InvalidEventError(f"{name} holds a SKU longer than {MAX_SKU_LENGTH} characters: {value[:80]!r}")
    return tuple(values)


def _check_ids(values: list[Any]) -> tuple[int, ...]:
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidEventError(f"ids must hold positive integers; got {value!r}")
    return tuple(values)


def parse_event(body: bytes) -> ChangeEvent:
    """The event in a request body, or InvalidEventError with the reason."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidEventError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidEventError("the body must be a JSON object")
    unknown = sorted(set(data) - {"feed", *LISTS})
    if unknown:
        raise InvalidEventError(f"unknown fields: {', '.join(unknown)}; expected feed, {', '.join(LISTS)}")
    feed = data.get("feed", "products")
    if not isinstance(feed, str) or feed not in FEEDS:
        raise InvalidEventError(f"unknown feed {feed!r}; valid feeds: {', '.join(FEEDS)}")
    lists = {name: _list(data, name) for name in LISTS}
    count = sum(len(values) for values in lists.values())
    if count == 0:
        raise InvalidEventError(f"the event is empty: give at least one of {', '.join(LISTS)}")
    if count > MAX_ENTRIES:
        raise InvalidEventError(f"too many entries: {count} (at most {MAX_ENTRIES} per event)")
    return ChangeEvent(feed, _check_skus("skus", lists["skus"]), _check_ids(lists["ids"]),
                       _check_skus("deleted_skus", lists["deleted_skus"]))


def request_window_start(now: datetime, debounce_seconds: int) -> str:
    """A sync request made at or before this is stale and may be replaced."""
    return iso(now - timedelta(seconds=debounce_seconds + REQUEST_GRACE_SECONDS))
