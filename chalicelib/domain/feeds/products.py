"""The products feed (Adobe's Product): one item per product and store view."""
from __future__ import annotations

from typing import Any

import orjson

from ..errors import InvalidRecordError
from ..feed import FeedRow, RowKey, StoreView, canonical, content_hash
from .composites import is_composite
from .definition import Feed, Scopes, SourceRecord
from .values import from_source, invalid, number


def row_key_of(product: SourceRecord) -> RowKey:
    """The identity of a source record, even of a malformed one (for its failed row)."""
    sku = product.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        sku = f"#{product.get('product_id', '?')}"
    return RowKey(sku, str(product.get("store_view_code") or "?"))


def build_row(product: SourceRecord, store_views: Scopes) -> FeedRow:
    """Build the feed row of one source product record, or raise InvalidRecordError."""
    from_source(product)  # the source already knows the record is malformed, and why
    sku = product.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        raise InvalidRecordError("missing sku", code=invalid("sku"))
    view = store_views.get(product.get("store_view_code"))  # type: ignore[arg-type]
    if view is None:
        raise InvalidRecordError(f"unknown store view: {product.get('store_view_code')!r}", code=invalid("store_view"))
    product_id = product.get("product_id")
    if not isinstance(product_id, int) or isinstance(product_id, bool):
        raise InvalidRecordError(f"product_id is not an integer: {product_id!r}", code=invalid("product_id"))
    price = number(product.get("price"), "price")
    if price is not None and price < 0:
        raise InvalidRecordError(f"price is negative: {price}", code=invalid("price"))
    # A composite has no quantity of its own (Magento's admin shows none): the sum of its members' is not a
    # quantity anyone can buy. Its availability (in_stock) comes from its members.
    composite = is_composite(product.get("type"))
    qty = None if composite else number(product.get("quantity"), "quantity")
    salable = None if composite else number(product.get("salable_quantity"), "salable_quantity")
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
        "weight": number(product.get("weight"), "weight"),
        "currency": view.currency,
        "price": price,
        "displayable": enabled and visibility not in (None, "Not Visible Individually"),
        "buyable": enabled and in_stock,
        "inStock": in_stock,
        "attributes": [{"attributeCode": code, "value": values} for code, values in attributes.items()],
        "categoryData": product.get("categories") or [],
        # The salable quantity is the inventoryStockStatus feed's (qtyForSale, per stock), as in Adobe's feeds.
        "inventory": {"qty": qty},
        "images": product.get("images") or [],
        "parents": product.get("parents") or [],
        "deleted": False,
    }
    try:
        text = canonical(document)
    except orjson.JSONEncodeError as error:
        raise InvalidRecordError(f"cannot serialise the product: {error}", code=invalid("document")) from None
    return FeedRow(
        id=sku,
        scope=view.code,
        product_id=product_id,
        name=product.get("name"),
        type=product.get("type"),
        attribute_set=product.get("attribute_set"),
        price=price,
        quantity=qty,
        salable_quantity=salable,
        visibility=visibility,
        last_modified=product.get("updated_at"),
        document=text.decode(),
        hash=content_hash(text),
        extra=display_columns(product, view),
    )


def display_columns(product: SourceRecord, view: StoreView) -> dict[str, Any]:
    """What the dashboard needs to show the row's price and salable quantity from the prices and stock feeds:
    the view's website, currency and stock, and a composite's members (its "from" price is its cheapest
    member's). Kept on the row, never sent."""
    columns: dict[str, Any] = {"websiteCode": view.website_code, "currency": view.currency}
    if isinstance(product.get("stock_id"), (int, str)) and not isinstance(product.get("stock_id"), bool):
        columns["stockId"] = str(product["stock_id"])
    members = product.get("members")
    if isinstance(members, list) and members:
        columns["members"] = [sku for sku in members if isinstance(sku, str)]
    return columns


def deletion_payload(row: FeedRow, views: Scopes) -> dict[str, Any]:
    """Adobe's minimal payload for a product that left the catalog (in one store view)."""
    view = views.get(row.store_view_code)
    return {
        "sku": row.sku,
        "productId": row.product_id,
        "storeViewCode": row.store_view_code,
        "storeCode": view.store_code if view else None,
        "websiteCode": view.website_code if view else None,
        "deleted": True,
    }


def invalid_columns(record: SourceRecord) -> dict[str, Any]:
    """The dashboard columns a malformed record can still fill (only what has the right type)."""
    fields = {name: record.get(name) for name in ("name", "type", "attribute_set", "visibility")}
    product_id = record.get("product_id")
    fields["product_id"] = product_id if isinstance(product_id, int) and not isinstance(product_id, bool) else None
    return {name: value for name, value in fields.items() if isinstance(value, (str, int))}


PRODUCTS = "products"
FEED = Feed(name=PRODUCTS, record="Product", identity=("sku", "storeViewCode"), batch_size=100,
            incremental=True, build=build_row, key_of=row_key_of, deletion=deletion_payload,
            columns_of_invalid=invalid_columns, product_keyed=True)


def deletion_of(row: FeedRow, view: StoreView | None) -> FeedRow:
    """The deletion row of a product's row in ``view`` (the feed's ``deletion_row`` for one known view)."""
    return FEED.deletion_row(row, {view.code: view} if view else {})
