"""Stock rules: salable quantity per stock (MSI), salability of simple and composite products, legacy stock items.

A stock's quantity of a product is the sum of its in-stock source items at the stock's sources; salable
quantity is that less the product's reservations and the out-of-stock threshold, never below 0. "Manage
Stock" off makes a product salable whatever its quantity (MSI's index marks it salable; its salable quantity
is still computed). Composites have no quantity: a configurable or grouped product is salable when any
member is, a bundle when each required option has a salable selection (Magento's rules; member status is not
considered, as the stock index does not).
"""
from __future__ import annotations

from typing import Any

from . import layout
from .catalog import BUNDLE, NO_ITEM, SIMPLE_LIKE, Catalog, magento_time

MIN_QTY = 0  # the "Out-of-Stock Threshold" configuration


def stock_quantity(catalog: Catalog, row: int, stock_id: int) -> int:
    return sum(max(catalog.qty[code][row], 0) for code in layout.SOURCES_OF_STOCK.get(stock_id, ())
               if catalog.source_status[code][row])


def salable_quantity(catalog: Catalog, row: int, stock_id: int) -> int:
    """Quantity of the stock's in-stock source items, less reservations and the threshold (never below 0)."""
    return max(0, stock_quantity(catalog, row, stock_id) - catalog.reservation(row, stock_id) - MIN_QTY)


def is_salable(catalog: Catalog, row: int, stock_id: int) -> bool:
    kind = catalog.type[row]
    if kind in SIMPLE_LIKE:
        return not catalog.manage_stock[row] or salable_quantity(catalog, row, stock_id) > 0
    entity_id = catalog.entity_id[row]
    bundle = catalog.bundles.get(entity_id)
    if kind == BUNDLE and bundle is not None:
        def salable(option_selections: list[int]) -> bool:
            rows = (catalog.row_of_id(member) for member in option_selections)
            return any(r is not None and is_salable(catalog, r, stock_id) for r in rows)
        required = [[s.product_id for s in o.selections] for o in bundle.options if o.required]
        if required:
            return all(salable(members) for members in required)
        return any(salable([s.product_id for s in o.selections]) for o in bundle.options)
    return any(is_salable(catalog, member, stock_id) for member in catalog.members(entity_id))


def legacy_stock_item(catalog: Catalog, row: int) -> dict[str, Any]:
    """The legacy stock item: the default source's quantity and status (stock id 1, as Magento reports it)."""
    kind = catalog.type[row]
    managed = bool(catalog.manage_stock[row])
    if kind in SIMPLE_LIKE:
        qty = catalog.qty["default"][row]
        in_stock = not managed or (qty != NO_ITEM and bool(catalog.source_status["default"][row]))
        qty = max(qty, 0)
    else:
        qty, in_stock = 0, is_salable(catalog, row, 1)
    entity_id = catalog.entity_id[row]
    return {"item_id": entity_id, "product_id": entity_id, "stock_id": 1, "qty": qty, "is_in_stock": in_stock,
            "is_qty_decimal": False, "show_default_notification_message": False, "use_config_min_qty": True,
            "min_qty": 0, "use_config_min_sale_qty": 1, "min_sale_qty": 1, "use_config_max_sale_qty": True,
            "max_sale_qty": 10000, "use_config_backorders": True, "backorders": 0,
            "use_config_notify_stock_qty": True, "notify_stock_qty": 1, "use_config_qty_increments": True,
            "qty_increments": 0, "use_config_enable_qty_inc": True, "enable_qty_increments": False,
            "use_config_manage_stock": managed, "manage_stock": managed,
            "low_stock_date": None if in_stock else magento_time(catalog.updated[row]),
            "is_decimal_divided": False, "stock_status_changed_auto": 0}
