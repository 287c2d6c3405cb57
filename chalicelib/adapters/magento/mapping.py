"""A Magento product (REST JSON) in one store view → the source record the feed is built from. Pure."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...domain.feeds.composites import BUNDLE, CONFIGURABLE, BundleOption, Composite

if TYPE_CHECKING:
    from .categories import CategoryTree

STATUS = {1: "Enabled", 2: "Disabled"}
VISIBILITY = {1: "Not Visible Individually", 2: "Catalog", 3: "Search", 4: "Catalog, Search"}
NO_QUANTITY_TYPES = frozenset({"giftcard"})  # salable by configuration, not by a stock quantity
# Fields that are the record's own keys, not feed attributes.
_OWN_ATTRIBUTES = frozenset({"description", "short_description", "url_key", "meta_title", "meta_description",
                             "meta_keyword", "category_ids", "options_container", "required_options",
                             "has_options", "tax_class_id", "image", "small_image", "thumbnail", "swatch_image",
                             "url_path", "gift_message_available", "msrp_display_actual_price_type"})


@dataclass
class Catalog:
    """What a product's ids and codes mean in one store view: attribute set names, option labels (yes/no
    included), the category tree."""

    attribute_sets: dict[int, str] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)  # attribute code → option id → label
    categories: CategoryTree | None = None
    media_url: str = ""


@dataclass(frozen=True)
class Stock:
    """A product's quantity in one store view's stock (None where Magento keeps none), and a composite's members
    (a configurable's children, a grouped product's associated products)."""

    quantity: float | None
    salable_quantity: float | None
    in_stock: bool
    members: tuple[str, ...] = ()


def magento_time(text: Any) -> str | None:
    """'2019-08-30 07:14:51' (UTC, no zone) → '2019-08-30T07:14:51.000Z'."""
    if not isinstance(text, str) or len(text) < 19:
        return None
    return f"{text[:10]}T{text[11:19]}.000Z"


def custom_attributes(product: Mapping[str, Any]) -> dict[str, Any]:
    items = product.get("custom_attributes") or []
    if not isinstance(items, list):
        raise ValueError("custom_attributes is not a list")
    return {item["attribute_code"]: item.get("value") for item in items
            if isinstance(item, dict) and isinstance(item.get("attribute_code"), str)}


def _labels(code: str, value: Any, catalog: Catalog) -> list[str]:
    options = catalog.options.get(code)
    values = value if isinstance(value, list) else [value]
    if options is not None:  # select / multiselect: option ids, comma-separated for multiselect
        ids = [part.strip() for v in values for part in str(v).split(",") if part.strip()]
        return [options.get(option_id, option_id) for option_id in ids]
    return [str(v) for v in values if v is not None and v != ""]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def to_record(product: Mapping[str, Any], store_view_code: str, catalog: Catalog, stock: Stock | None,
              parents: list[dict[str, str]] | None = None) -> dict:
    """The source record; a malformed product gets an ``error`` and becomes a failed row, not a failed run.
    ``parents``: the composites that hold the product in this view's website (Magento's answer has none)."""
    product_id = product.get("id")
    record: dict[str, Any] = {"store_view_code": store_view_code, "product_id": product_id,
                              "sku": product.get("sku")}
    try:
        record.update(_fields(product, catalog, stock))
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        record["error"] = f"malformed Magento product: {error}"
        record["error_code"] = "source.malformed_product"
    record["parents"] = parents or []
    return record


def _categories(product: Mapping[str, Any], catalog: Catalog, status: int | None, visibility: int | None) -> list:
    if catalog.categories is None:
        return []
    links = [(cid, _int(link.get("position"))) for link in (product.get("extension_attributes") or {}).get(
        "category_links") or [] if (cid := _int(link.get("category_id"))) is not None]
    listed = status == 1 and visibility in (2, 3, 4)
    return catalog.categories.product_categories(links, listed)


def _fields(product: Mapping[str, Any], catalog: Catalog, stock: Stock | None) -> dict[str, Any]:
    attributes = custom_attributes(product)
    type_id = product.get("type_id")
    set_id = _int(product.get("attribute_set_id"))
    status, visibility = _int(product.get("status")), _int(product.get("visibility"))
    return {
        "name": product.get("name"),
        "type": type_id,
        "status": STATUS.get(status, f"unknown status {product.get('status')!r}"),  # type: ignore[arg-type]
        "visibility": VISIBILITY.get(visibility),  # type: ignore[arg-type]
        "attribute_set": catalog.attribute_sets.get(set_id, f"attribute set {set_id}") if set_id else None,
        "price": product.get("price"),
        "weight": product.get("weight"),
        "quantity": stock.quantity if stock else None,
        "salable_quantity": stock.salable_quantity if stock else None,
        "in_stock": stock.in_stock if stock else False,
        "members": list(stock.members) if stock else [],
        "url_key": attributes.get("url_key"),
        "description": attributes.get("description"),
        "short_description": attributes.get("short_description"),
        "attributes": {code: _labels(code, value, catalog) for code, value in sorted(attributes.items())
                       if code not in _OWN_ATTRIBUTES},
        "categories": _categories(product, catalog, status, visibility),
        "images": [{"resource": {"url": catalog.media_url + str(entry.get("file") or ""),
                                 "label": entry.get("label"), "roles": list(entry.get("types") or [])},
                    "sortOrder": entry.get("position")}
                   for entry in product.get("media_gallery_entries") or [] if not entry.get("disabled")],
        "created_at": magento_time(product.get("created_at")),
        "updated_at": magento_time(product.get("updated_at")),
    }


def configurable_children(product: Mapping[str, Any]) -> list[int]:
    """A configurable product's children, by entity id (its answer names them by id only)."""
    extension = product.get("extension_attributes") or {}
    return [i for i in (_int(v) for v in extension.get("configurable_product_links") or []) if i is not None]


def bundle_options(product: Mapping[str, Any]) -> tuple[BundleOption, ...]:
    """A bundle's options: required or not, with their selections' SKUs."""
    options = (product.get("extension_attributes") or {}).get("bundle_product_options") or []
    return tuple(BundleOption(bool(option.get("required")),
                              tuple(link["sku"] for link in option.get("product_links") or []
                                    if isinstance(link, dict) and isinstance(link.get("sku"), str)))
                 for option in options if isinstance(option, dict))


def grouped_members(product: Mapping[str, Any]) -> tuple[str, ...]:
    """A grouped product's associated products, by SKU."""
    return tuple(link["linked_product_sku"] for link in product.get("product_links") or []
                 if isinstance(link, dict) and link.get("link_type") == "associated"
                 and isinstance(link.get("linked_product_sku"), str))


def composite_of(product: Mapping[str, Any], child_skus: Mapping[int, str]) -> Composite:
    """A composite as its availability needs it; a configurable's children by SKU through ``child_skus``."""
    sku, kind = str(product.get("sku")), str(product.get("type_id"))
    if kind == CONFIGURABLE:
        ids = configurable_children(product)
        return Composite(sku, kind, tuple(child_skus[i] for i in ids if i in child_skus))
    if kind == BUNDLE:
        return Composite(sku, kind, options=bundle_options(product))
    return Composite(sku, kind, grouped_members(product))


def legacy_stock(product: Mapping[str, Any]) -> Stock | None:
    """The stock item a product carries (legacy CatalogInventory), if the response has it."""
    item = (product.get("extension_attributes") or {}).get("stock_item")
    if not isinstance(item, dict):
        return None
    qty = item.get("qty")
    return Stock(float(qty) if qty is not None else None, None, bool(item.get("is_in_stock")))


def manages_stock(product: Mapping[str, Any]) -> bool:
    """Whether Magento counts the product's stock ("Manage Stock"); yes unless its stock item says no."""
    item = (product.get("extension_attributes") or {}).get("stock_item")
    return not (isinstance(item, dict) and item.get("manage_stock") is False)
