"""The inventoryStockStatus feed's read: every product × stock its websites sell from, with quantities.

The stocks are those of the synced websites (MSI's stock resolver; without MSI, Magento's one stock). A page of
products (light: ``fields=``) is read once and its stock asked per stock: source items and Magento's salable
answer in batches, the salable quantity one request per product that can have any (Magento's REST has no bulk
read of it). This is the run's one read of salable quantities: the products feed asks none.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

from ...domain.feeds.composites import COMPOSITE_TYPES
from .client import MagentoClient
from .composites import offset_pages
from .inventory import LEGACY_STOCK_ID, Inventory
from .layout import View
from .mapping import NO_QUANTITY_TYPES, magento_time, manages_stock
from .paging import GLOBAL

FIELDS = ("items[id,sku,type_id,updated_at,extension_attributes[website_ids,configurable_product_links,stock_item["
          "manage_stock,notify_stock_qty,qty,is_in_stock],bundle_product_options[required,product_links[sku]]],"
          "product_links[link_type,linked_product_sku]],total_count")
Record = dict[str, Any]


def stocks_of(views: Sequence[View], inventory: Inventory) -> dict[int, tuple[str, str, frozenset[int]]]:
    """stock id → (its name, a website code selling from it, the website ids that do)."""
    found: dict[int, tuple[str, str, frozenset[int]]] = {}
    for view in views:
        if inventory.msi:
            stock_id = inventory.stock_id(view.view.website_code)
            name = inventory.stock_name(stock_id)
        else:
            stock_id, name = LEGACY_STOCK_ID, "Default Stock"
        known = found.get(stock_id)
        websites = (known[2] if known else frozenset()) | {view.website_id}
        found[stock_id] = (name, known[1] if known else view.view.website_code, websites)
    return found


def _websites(product: Mapping[str, Any]) -> set[int]:
    return {int(w) for w in (product.get("extension_attributes") or {}).get("website_ids") or [] if str(w).isdigit()}


def _notify_qty(product: Mapping[str, Any]) -> Any:
    item = (product.get("extension_attributes") or {}).get("stock_item")
    return item.get("notify_stock_qty") if isinstance(item, dict) else None


def read_stock_status(client: MagentoClient, views: Sequence[View], inventory: Inventory, page_size: int,
                      pool: Executor) -> Iterator[Record]:
    stocks = stocks_of(views, inventory)
    for page in offset_pages(client, GLOBAL, [], page_size, FIELDS, pool):
        for stock_id, (name, website_code, websites) in sorted(stocks.items()):
            products = [p for p in page if isinstance(p.get("sku"), str) and _websites(p) & websites]
            levels = inventory.for_page(products, website_code, salable_quantity=True)
            for product in products:
                kind = product.get("type_id")
                stock = levels.get(product["sku"])
                composite = kind in COMPOSITE_TYPES or kind in NO_QUANTITY_TYPES
                managed = manages_stock(product) and kind not in NO_QUANTITY_TYPES  # a gift card: by configuration
                yield {"stock_id": stock_id, "stock_name": name, "sku": product["sku"],
                       "product_id": product.get("id"), "type": kind,
                       "quantity": None if composite or stock is None else stock.quantity,
                       "salable_quantity": None if composite or stock is None or not managed
                       else stock.salable_quantity,
                       "is_salable": True if kind in NO_QUANTITY_TYPES else bool(stock and stock.in_stock),
                       "manage_stock": managed, "notify_stock_qty": _notify_qty(product),
                       "updated_at": magento_time(product.get("updated_at"))}
