"""Feed rows of any feed: their keys, documents, hashes and stored states (the feeds are in ``feeds/``; a row's
export state comes from the batch its version travels in: ``batches.py``)."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from .errors import Failure


def canonical(document: dict[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (the same bytes as json.dumps with those options)."""
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


@dataclass(frozen=True, slots=True)
class StoreView:
    code: str
    store_code: str
    website_code: str
    currency: str = "USD"


@dataclass(frozen=True, slots=True, order=True)
class RowKey:
    """An item's identity in its feed: ``id`` (a SKU, an attribute code, a category id) in ``scope`` (a store
    view, a website and customer group, a stock, a parent SKU). The feeds' table says which is which."""

    id: str
    scope: str

    @property
    def sku(self) -> str:
        """The products feed's name for ``id``."""
        return self.id

    @property
    def store_view_code(self) -> str:
        """The products feed's name for ``scope``."""
        return self.scope


@dataclass(slots=True)
class FeedRow:
    """One item of a feed: its key, the feed document and its hash, and (products) the dashboard's columns."""

    id: str
    scope: str
    product_id: int | None = None
    name: str | None = None
    type: str | None = None
    attribute_set: str | None = None
    price: float | None = None
    quantity: float | None = None
    salable_quantity: float | None = None
    visibility: str | None = None
    last_modified: str | None = None
    document: str = ""
    hash: str = ""
    deleted: bool = False
    run_id: str | None = None  # the run that wrote this version
    batch: str | None = None  # the batch this version travels in (its outcome is the row's export state)
    invalid: Failure | None = None  # the source's last record could not be built (the document is the last good one)
    exported_before: str | None = None  # when an earlier version last reached the destination
    # The export state as read (batches.row_state), or as written (awaiting, not exported): never stored.
    export_status: str | None = None
    error: str | None = None
    last_exported_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> RowKey:
        return RowKey(self.id, self.scope)

    @property
    def sku(self) -> str:
        return self.id

    @property
    def store_view_code(self) -> str:
        return self.scope


@dataclass(frozen=True, slots=True)
class StoredState:
    """What change detection needs to know of a row already in the feed."""

    hash: str | None
    deleted: bool = False
    batch: str | None = None
    invalid: bool = False
    exported_before: str | None = None


def content_hash(document: bytes) -> str:
    """The row's hash: of the canonical document, which carries no timestamps."""
    return hashlib.blake2b(document, digest_size=16).hexdigest()


def is_new_version(row: FeedRow, stored: StoredState | None) -> bool:
    """The source holds what the feed does not: a new item, a changed one, or one back after its deletion."""
    return stored is None or stored.deleted or stored.hash != row.hash


# The fields ``exported_item`` adds to a feed document: when it changed and when it was sent, not what it holds.
TRANSPORT_FIELDS = ("updatedAt", "modifiedAt")


def exported_item(document: Mapping[str, Any], last_modified: str | None, modified_at: str) -> dict[str, Any]:
    """The item as a destination receives it: the feed document plus its timestamps (``updatedAt``: the
    source's last change; ``modifiedAt``: when the run that sent this version started)."""
    return {**document, "updatedAt": last_modified, "modifiedAt": modified_at}


def item_hash(item: Mapping[str, Any]) -> str:
    """The content hash of an item as a destination received it: the item without ``TRANSPORT_FIELDS``, canonical
    and hashed as a row's document is, so it equals the hash of the row that sent it (docs/ingestion-api.md defines
    it for services: the simulated one calls this)."""
    return content_hash(canonical({name: value for name, value in item.items() if name not in TRANSPORT_FIELDS}))
