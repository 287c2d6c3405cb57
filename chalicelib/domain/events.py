"""Change events: their body, the dirty entries they leave and the debounce rule (their signature:
event_signatures.py)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .client_input import clipped, parse_json, quoted
from .errors import CatalogSyncError, InvalidRequestError
from .feeds import FEEDS
from .runs import iso

MAX_ENTRIES = 1000
MAX_SKU_LENGTH = 64
MAX_PRODUCT_ID = 2**63 - 1  # what a DynamoDB number and the API's product route both hold
MAX_BODY_BYTES = 256 * 1024  # 1,000 SKUs of 64 characters, escaped, fit with room to spare
LISTS = ("skus", "ids", "deleted_skus")
# A sync request older than the debounce plus this is presumed lost (its message never went out or
# never arrived): the next event may request again rather than wait for the hourly sync.
REQUEST_GRACE_SECONDS = 300
# What an accepted event says of its sync: this event requested it, or one requested already will read it.
SCHEDULED, ALREADY_SCHEDULED = "scheduled", "already scheduled"


class InvalidEventError(CatalogSyncError):
    """A change event's body cannot be accepted; the message says why (``too_large``: a 413, else a 400)."""

    code = "invalid_event"

    def __init__(self, message: str, too_large: bool = False):
        super().__init__(message)
        self.too_large = too_large


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


def _storable(value: str) -> bool:
    """Text a key can hold: no control character, no lone surrogate (JSON's "\\ud800" is one: it has no UTF-8)."""
    return not any(unicodedata.category(char) in ("Cc", "Cs") for char in value)


def _check_skus(name: str, values: list[Any]) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise InvalidEventError(f"{name} must hold non-empty strings; got {quoted(value)}")
        if len(value) > MAX_SKU_LENGTH:
            raise InvalidEventError(f"{name} holds a SKU longer than {MAX_SKU_LENGTH} characters: {quoted(value)}")
        if not _storable(value):
            raise InvalidEventError(f"{name} holds a SKU with a control character or a lone surrogate: "
                                    f"{quoted(value)}")
    return tuple(values)


def _check_ids(values: list[Any]) -> tuple[int, ...]:
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidEventError(f"ids must hold positive integers; got {quoted(value)}")
        if value > MAX_PRODUCT_ID:
            raise InvalidEventError(f"ids must hold positive integers of at most {MAX_PRODUCT_ID}; got {quoted(value)}")
    return tuple(values)


def parse_event(body: bytes) -> ChangeEvent:
    """The event in a request body, or InvalidEventError with the reason."""
    try:
        data = parse_json(body, MAX_BODY_BYTES)
    except InvalidRequestError as invalid:
        raise InvalidEventError(str(invalid), too_large=len(body) > MAX_BODY_BYTES) from None
    if not isinstance(data, dict):
        raise InvalidEventError("the body must be a JSON object")
    unknown = sorted(set(data) - {"feed", *LISTS})
    if unknown:
        raise InvalidEventError(f"unknown fields: {clipped(', '.join(unknown))}; expected feed, {', '.join(LISTS)}")
    feed = data.get("feed", "products")
    if not isinstance(feed, str) or feed not in FEEDS:
        raise InvalidEventError(f"unknown feed {quoted(feed)}; valid feeds: {', '.join(FEEDS)}")
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
