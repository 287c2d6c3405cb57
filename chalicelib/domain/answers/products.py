"""The answers of the products routes: a page of the search, and one product in every store view with its prices,
stock, parents and variants (services/products.py, services/shelf.py, services/product_relations.py)."""
from typing import Annotated, TypedDict

from ..batches import ITEM_STATUSES
from . import AnyJson, Count, JsonObject, OneOf, Time

ItemStatus = Annotated[str, OneOf(ITEM_STATUSES)]


class Product(TypedDict):
    product_id: Annotated[int | None, "ID"]
    name: str | None
    type: Annotated[str | None, "simple, configurable, downloadable..."]
    last_exported_at: Annotated[Time | None, "Last Exported"]
    last_modified: Annotated[str | None, "Last Modified (the catalog's updated_at)"]
    attribute_set: str | None
    sku: str
    price: Annotated[float | None, "what a shopper who is not signed in pays for one unit in the row's website (the "
                                   "prices feed); the product's own price where the feed has none"]
    price_from: Annotated[bool, "price is the cheapest member's (a configurable or grouped product: Magento prices "
                                "it 0)"]
    currency: Annotated[str | None, "the store view's currency (ISO 4217)"]
    quantity: float | None
    salable_quantity: Annotated[float | None, "the inventoryStockStatus feed's for the view's stock"]
    visibility: Annotated[str | None, "browsable via the catalog or accessible via search"]
    store_view_code: str
    export_status: ItemStatus
    error: Annotated[str | None, "why the row failed or is not exported"]


class ProductPage(TypedDict):
    items: list[Product]
    next_cursor: str | None
    total: Count


class Difference(TypedDict):
    field: str
    feed: AnyJson
    source: AnyJson
    destination: AnyJson


class ProductStoreView(TypedDict):
    store_view_code: str
    document: Annotated[JsonObject | None, "the feed document: the JSON that was or will be exported (null for a "
                                           "store view only the source has)"]
    export_status: ItemStatus | None
    error: str | None
    last_exported_at: Time | None
    hash: str | None
    batch: Annotated[str | None, "the batch this version travels in (its outcome is the state)"]
    source: Annotated[JsonObject | None, "the product as the source returns it now (a feed document)"]
    destination: Annotated[JsonObject | None, "what the destination holds, where it can answer"]
    differences: Annotated[list[Difference], "fields whose feed, source and destination values differ"]


class ProductPrice(TypedDict):
    website_code: str
    customer_group: str | None
    customer_group_code: Annotated[str, "Adobe's: sha1 of the group id"]
    currency: str | None
    price: Annotated[float | None, "what one unit costs"]
    regular: float | None
    discounts: list[JsonObject]
    tier_prices: list[JsonObject]
    deleted: bool
    export_status: ItemStatus | None
    error: str | None


class ProductStock(TypedDict):
    stock_id: str
    stock_name: str | None
    qty: float | None
    qty_for_sale: float | None
    is_salable: bool | None
    low_stock: bool | None
    infinite_stock: bool | None
    deleted: bool
    export_status: ItemStatus | None
    error: str | None


class OptionValue(TypedDict):
    attribute_code: str | None
    label: str | None
    value_index: str | None


Options = Annotated[list[OptionValue], "the child's values of the configurable's options (the variants feed)"]


class Parent(TypedDict):
    sku: str
    product_type: str | None
    product_id: int | None
    name: str | None
    options: Options
    variant_status: Annotated[ItemStatus | None, "the export state of its variants feed item"]


class Variant(TypedDict):
    sku: str
    product_id: int | None
    options: Options
    export_status: ItemStatus | None
    deleted: bool


class Variants(TypedDict):
    total: Count
    items: list[Variant]


class PricesAndStock(TypedDict):
    prices: Annotated[list[ProductPrice], "per website and customer group (the prices feed)"]
    stock: Annotated[list[ProductStock], "per stock (the inventoryStockStatus feed)"]


class ProductDetail(PricesAndStock):
    product_id: int
    sku: str
    name: Annotated[str | None, "the product's name (its first live store view's)"]
    type: str | None
    parents: Annotated[list[Parent], "the configurables, bundles and grouped products holding it (products feed's "
                                     "parents)"]
    variants: Annotated[Variants | None, "a configurable's variants (the variants feed; null for other types)"]
    store_views: list[ProductStoreView]
    source_error: Annotated[str | None, "why the source could not be read live"]
    destination_error: Annotated[str | None, "why the destination could not be asked"]
