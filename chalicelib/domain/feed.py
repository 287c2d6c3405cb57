"""Feed rows: building a product's feed document for one store view, and hashing it."""
from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from .errors import InvalidProductError

FEEDS = ("products",)

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

def _canonical(document: dict[str, Any]) -> bytes:
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
    sku: str
    store_view_code: str


@dataclass(slots=True)
class FeedRow:
    """One product in one store view: the dashboard's fields, the feed document and its hash."""

    sku: str
    store_view_code: str
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
        return RowKey(self.sku, self.store_view_code)


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


def _number(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidProductError(f"{name} is not a number: {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise InvalidProductError(f"{name} is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise InvalidProductError(f"{name} is not a finite number: {value!r}")
    return number


def row_key_of(product: Mapping[str, Any]) -> RowKey:
    """The identity of a source record, even of a malformed one (for its failed row)."""
    sku = product.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        sku = f"#{product.get('product_id', '?')}"
    return RowKey(sku, str(product.get("store_view_code") or "?"))


def build_row(product: Mapping[str, Any], store_views: Mapping[str, StoreView]) -> FeedRow:
    """Build the feed row of one source product record, or raise InvalidProductError."""
    if product.get("error"):  # the source already knows the record is malformed, and why
        raise InvalidProductError(str(product["error"]))
    sku = product.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        raise InvalidProductError("missing sku")
    view = store_views.get(product.get("store_view_code"))  # type: ignore[arg-type]
    if view is None:
        raise InvalidProductError(f"unknown store view: {product.get('store_view_code')!r}")
    product_id = product.get("product_id")
    if not isinstance(product_id, int) or isinstance(product_id, bool):
        raise InvalidProductError(f"product_id is not an integer: {product_id!r}")
    price = _number(product.get("price"), "price")
    if price is not None and price < 0:
        raise InvalidProductError(f"price is negative: {price}")
    qty = _number(product.get("quantity"), "quantity")
    salable = _number(product.get("salable_quantity"), "salable_quantity")
    in_stock = bool(product.get("in_stock"))
    enabled = product.get("status") == "Enabled"
    visibility = product.get("visibility")
    attributes = product.get("attributes") or {}
    document = {
        "sku": sku,
        "productId": product_id,
        "storeViewCode": view.code,
        "storeCode": view.store_code,
        "websiteCode": view.website_code,
        "name": product.get("name"),
        "type": product.get("type"),
        "status": product.get("status"),
        "visibility": visibility,
        "attributeSet": product.get("attribute_set"),
        "urlKey": product.get("url_key"),
        "description": product.get("description"),
        "shortDescription": product.get("short_description"),
        "weight": _number(product.get("weight"), "weight"),
        "currency": view.currency,
        "price": price,
        "displayable": enabled and visibility not in (None, "Not Visible Individually"),
        "buyable": enabled and in_stock,
        "inStock": in_stock,
        "attributes": [{"attributeCode": code, "value": values} for code, values in attributes.items()],
        "categoryData": product.get("categories") or [],
        "inventory": {"qty": qty, "salableQty": salable},
        "images": product.get("images") or [],
        "parents": product.get("parents") or [],
        "deleted": False,
    }
    try:
        canonical = _canonical(document)
    except orjson.JSONEncodeError as error:
        raise InvalidProductError(f"cannot serialise the product: {error}") from None
    return FeedRow(
        sku=sku,
        store_view_code=view.code,
        product_id=product_id,
        name=product.get("name"),
        type=product.get("type"),
        attribute_set=product.get("attribute_set"),
        price=price,
        quantity=qty,
        salable_quantity=salable,
        visibility=visibility,
        last_modified=product.get("updated_at"),
        document=canonical.decode(),
        hash=content_hash(canonical),
    )


def deletion_of(row: FeedRow, view: StoreView | None) -> FeedRow:
    """The row that tells the destination a product left the catalog (Adobe's minimal payload)."""
    document = {
        "sku": row.sku,
        "productId": row.product_id,
        "storeViewCode": row.store_view_code,
        "storeCode": view.store_code if view else None,
        "websiteCode": view.website_code if view else None,
        "deleted": True,
    }
    canonical = _canonical(document)
    return FeedRow(
        sku=row.sku,
        store_view_code=row.store_view_code,
        product_id=row.product_id,
        name=row.name,
        type=row.type,
        attribute_set=row.attribute_set,
        price=row.price,
        quantity=row.quantity,
        salable_quantity=row.salable_quantity,
        visibility=row.visibility,
        last_modified=row.last_modified,
        document=canonical.decode(),
        hash=content_hash(canonical),
        deleted=True,
        last_exported_hash=row.last_exported_hash,
        last_exported_at=row.last_exported_at,
    )


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
