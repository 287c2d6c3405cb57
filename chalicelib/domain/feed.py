"""Feed rows of any feed: their keys, stored states, export states and hashes (the feeds are in ``feeds/``)."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

# Export states of a feed row, as the dashboard filters them.
PENDING = "pending"
EXPORTED = "exported"
FAILED = "failed"
DELETED = "deleted"
NOT_EXPORTED = "not_exported"

# Why a failed row failed: the source record could not be built, the destination refused this content (not
# sent again until it changes), or the export failed for now (the row waits in the outbox for the next sync).
INVALID = "invalid"
REJECTED = "rejected"
RETRY = "retry"

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
    export_status: str = PENDING
    error: str | None = None
    last_exported_hash: str | None = None
    last_exported_at: str | None = None
    run_id: str | None = None
    failure: str | None = None  # INVALID, REJECTED or RETRY while the row is failed
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
    last_exported_hash: str | None
    export_status: str
    deleted: bool
    last_exported_at: str | None = None
    failure: str | None = None


def content_hash(document: bytes) -> str:
    """The row's hash: of the canonical document, which carries no timestamps."""
    return hashlib.blake2b(document, digest_size=16).hexdigest()


def needs_write(row: FeedRow, stored: StoredState | None) -> bool:
    """A row is written when it is new, its content changed, or it was failed (to reset its state)."""
    return stored is None or stored.hash != row.hash or stored.export_status == FAILED


def carry_export_state(row: FeedRow, stored: StoredState | None) -> FeedRow:
    """Keep what was last exported when a row is rewritten: it is what the destination holds."""
    if stored is not None:
        row.last_exported_hash = stored.last_exported_hash
        row.last_exported_at = stored.last_exported_at
    return row


def is_exported(row_hash: str, stored: StoredState | None) -> bool:
    return stored is not None and stored.last_exported_hash == row_hash


def is_rejected(row_hash: str, stored: StoredState | None) -> bool:
    """The destination refused this very content: it is not sent again until the row changes."""
    return (stored is not None and stored.export_status == FAILED and stored.failure == REJECTED
            and stored.hash == row_hash)


def exported_item(document: Mapping[str, Any], last_modified: str | None, modified_at: str) -> dict[str, Any]:
    """The item as a destination receives it: the feed document plus its timestamps (``updatedAt``: the
    source's last change; ``modifiedAt``: when the run that sent this version started)."""
    return {**document, "updatedAt": last_modified, "modifiedAt": modified_at}
