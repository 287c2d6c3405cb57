"""The inventoryStockStatus feed (Adobe's StockItemStatus): one item per stock and product — its quantity, the
quantity that can still be sold (salable: the stock's quantity less reservations), whether it is salable, low or
infinite (stock management off). Where the salable quantity lives: the products feed carries none.

Source record keys (the Magento adapter's): stock_id, stock_name, sku, product_id, type, quantity (the stock's:
its in-stock sources' sum; None for a composite, which has none of its own), salable_quantity (None where
Magento keeps none: stock management off, composites), is_salable (Magento's own answer, composites by its
rules), manage_stock, notify_stock_qty (the low stock threshold, 1 by default), updated_at; and error.

Read whole every run (not incremental): stock and reservations change without any ``updated_at`` change.
"""
from __future__ import annotations

from typing import Any

from ..errors import InvalidRecordError
from ..feed import FeedRow, RowKey, canonical, content_hash
from .definition import Feed, Scopes, SourceRecord
from .values import from_source, invalid, number, text, whole

INVENTORY_STOCK_STATUS = "inventoryStockStatus"
DEFAULT_NOTIFY_QTY = 1.0  # Magento's "Notify for Quantity Below" default


def key_of(record: SourceRecord) -> RowKey:
    sku = record.get("sku")
    shown = sku if isinstance(sku, str) and sku.strip() else f"#{record.get('product_id', '?')}"
    return RowKey(shown, str(record.get("stock_id") if record.get("stock_id") is not None else "?"))


def identity_of(key: RowKey) -> tuple[str, ...]:
    """stockId, sku (the key is the SKU in the scope of its stock)."""
    return key.scope, key.id


def _flag(value: Any, name: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InvalidRecordError(f"{name} is not true or false: {value!r}", code=invalid(name))
    return value


def low_stock(managed: bool, quantity: float | None, salable: float | None, threshold: float | None) -> bool:
    """Magento's low stock: a managed product whose quantity (for sale, where known) is below its threshold."""
    left = salable if salable is not None else quantity
    if not managed or left is None:
        return False
    return left < (DEFAULT_NOTIFY_QTY if threshold is None else threshold)


def build_row(record: SourceRecord, scopes: Scopes) -> FeedRow:
    from_source(record)
    stock_id = whole(record.get("stock_id"), "stock_id", required=True)
    sku = text(record.get("sku"), "sku", required=True) or ""
    product_id = whole(record.get("product_id"), "product_id", required=True)
    quantity = number(record.get("quantity"), "quantity")
    salable = number(record.get("salable_quantity"), "salable_quantity")
    managed = _flag(record.get("manage_stock"), "manage_stock", True)
    is_salable = _flag(record.get("is_salable"), "is_salable", False)
    threshold = number(record.get("notify_stock_qty"), "notify_stock_qty")
    document = {
        "stockId": str(stock_id),
        "sku": sku,
        "productId": product_id,
        "qty": quantity,
        "qtyForSale": salable,
        "infiniteStock": not managed,
        "lowStock": low_stock(managed, quantity, salable, threshold),
        "isSalable": is_salable,
        "deleted": False,
    }
    body = canonical(document)
    name = record.get("stock_name")
    kind = record.get("type")
    return FeedRow(id=sku, scope=str(stock_id), product_id=product_id, name=name if isinstance(name, str) else None,
                   type=kind if isinstance(kind, str) else None, quantity=quantity, salable_quantity=salable,
                   last_modified=record.get("updated_at"), document=body.decode(), hash=content_hash(body))


def deletion_payload(row: FeedRow, scopes: Scopes) -> dict[str, Any]:
    """Adobe's minimal payload of a product that left the stock (modifiedAt is added when it is sent)."""
    return {"stockId": row.scope, "sku": row.id, "productId": row.product_id, "deleted": True}


def invalid_columns(record: SourceRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {name: record[name] for name in ("type",) if isinstance(record.get(name), str)}
    if isinstance(record.get("stock_name"), str):
        fields["name"] = record["stock_name"]
    product_id = record.get("product_id")
    if isinstance(product_id, int) and not isinstance(product_id, bool):
        fields["product_id"] = product_id
    return fields


FEED = Feed(name=INVENTORY_STOCK_STATUS, record="StockItemStatus", identity=("stockId", "sku"), batch_size=100,
            incremental=False, build=build_row, key_of=key_of, deletion=deletion_payload,
            columns_of_invalid=invalid_columns, identity_of=identity_of)
