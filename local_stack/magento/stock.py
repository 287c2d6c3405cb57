"""Stock rules: salable quantity per stock (MSI), salability of simple and composite products, legacy stock items.

A stock's quantity of a product is the sum of its in-stock source items at the stock's sources; salable
quantity is that less the product's reservations and the out-of-stock threshold (``min_qty``), never below 0.
"Manage Stock" off makes a product salable whatever its quantity (MSI's index marks it salable; its salable
quantity is still computed), and so do backorders (with a threshold ≥ 0) while a source item is in stock.
A product's stock settings are the configuration's defaults unless an edit set its own (``StockSettings``).
Composites have no quantity: a configurable or grouped product is salable when any member is, a bundle when
each required option has a salable selection (Magento's rules; member status is not considered, as the stock
index does not).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from . import layout
from .catalog import BUNDLE, NO_ITEM, SIMPLE_LIKE, Catalog, magento_time


@dataclass(frozen=True)
class StockSettings:
    """A product's stock item settings (the legacy stock item's; MSI reads them for every stock)."""

    backorders: int = 0  # 0 no, 1 allow qty below 0, 2 and notify the customer
    min_qty: int = 0  # "Out-of-Stock Threshold"
    min_sale_qty: int = 1  # "Minimum Qty Allowed in Shopping Cart"
    max_sale_qty: int = 10000  # "Maximum Qty Allowed in Shopping Cart"
    enable_qty_increments: bool = False
    qty_increments: int = 0
    is_qty_decimal: bool = False


DEFAULT_SETTINGS = StockSettings()  # the store's configuration (what ``use_config_*`` stands for)


def settings(catalog: Catalog, row: int) -> StockSettings:
    return catalog.stock_settings.get(catalog.entity_id[row], DEFAULT_SETTINGS)


def assigned(catalog: Catalog, row: int, stock_id: int) -> bool:
    """Whether the product has a source item (in stock or not) at one of the stock's sources."""
    return any(catalog.qty[code][row] != NO_ITEM for code in layout.SOURCES_OF_STOCK.get(stock_id, ()))


def any_in_stock(catalog: Catalog, row: int, stock_id: int) -> bool:
    return any(catalog.qty[code][row] != NO_ITEM and catalog.source_status[code][row]
               for code in layout.SOURCES_OF_STOCK.get(stock_id, ()))


def backorders_sell(catalog: Catalog, row: int) -> bool:
    """Backorders on with a threshold ≥ 0: salable beyond the quantity (Magento's BackOrderCondition)."""
    config = settings(catalog, row)
    return config.backorders != 0 and config.min_qty >= 0


def stock_quantity(catalog: Catalog, row: int, stock_id: int) -> int:
    return sum(max(catalog.qty[code][row], 0) for code in layout.SOURCES_OF_STOCK.get(stock_id, ())
               if catalog.source_status[code][row])


def left_in_stock(catalog: Catalog, row: int, stock_id: int) -> int:
    """Quantity of the stock's in-stock source items, less reservations and the threshold (may be below 0)."""
    return stock_quantity(catalog, row, stock_id) - catalog.reservation(row, stock_id) - settings(catalog, row).min_qty


def salable_quantity(catalog: Catalog, row: int, stock_id: int) -> int:
    """``left_in_stock``, never below 0."""
    return max(0, left_in_stock(catalog, row, stock_id))


def is_salable(catalog: Catalog, row: int, stock_id: int) -> bool:
    kind = catalog.type[row]
    if kind in SIMPLE_LIKE:
        return (not catalog.manage_stock[row] or salable_quantity(catalog, row, stock_id) > 0
                or (backorders_sell(catalog, row) and any_in_stock(catalog, row, stock_id)))
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
    config, default = asdict(settings(catalog, row)), asdict(DEFAULT_SETTINGS)

    def own(name: str) -> bool:  # the values are the effective ones, whether the configuration's or the item's
        return config[name] != default[name]
    return {"item_id": entity_id, "product_id": entity_id, "stock_id": 1, "qty": qty, "is_in_stock": in_stock,
            "is_qty_decimal": config["is_qty_decimal"], "show_default_notification_message": False,
            "use_config_min_qty": not own("min_qty"), "min_qty": config["min_qty"],
            "use_config_min_sale_qty": 0 if own("min_sale_qty") else 1, "min_sale_qty": config["min_sale_qty"],
            "use_config_max_sale_qty": not own("max_sale_qty"), "max_sale_qty": config["max_sale_qty"],
            "use_config_backorders": not own("backorders"), "backorders": config["backorders"],
            "use_config_notify_stock_qty": True, "notify_stock_qty": 1,
            "use_config_qty_increments": not own("qty_increments"), "qty_increments": config["qty_increments"],
            "use_config_enable_qty_inc": not own("enable_qty_increments"),
            "enable_qty_increments": config["enable_qty_increments"],
            "use_config_manage_stock": managed, "manage_stock": managed,
            "low_stock_date": None if in_stock else magento_time(catalog.updated[row]),
            "is_decimal_divided": False, "stock_status_changed_auto": 0}
