"""Whether a product can be sold in a requested quantity in a stock: MSI's condition chain, as Magento 2.4's
``GET /V1/inventory/are-product-salable-for-requested-qty/`` runs it (read in magento/inventory, not copied).

The service (AreProductsSalableForRequestedQtyInterface) answers each SKU request in order with the chain the
``IsProductSalableForRequestedQtyInterface`` preference names (the add-to-cart chain: InventorySales' di.xml
means to give the bulk service the place-order chain, but names a constructor argument the class does not have,
so the preference is what it gets). The chain:

1. the product's type must have source items, else the whole request fails (400, checked before anything else);
2. required conditions, all run and their errors merged: the quantity is a correct one (min and max sale
   quantity, quantity increments, decimals: the first that fails) and a source item of the stock is in stock
   (unless stock is not managed);
3. sufficient conditions in order, the first that passes makes it salable, else every error: backorders on (with
   a threshold ≥ 0), stock not managed, quantity + reservations − threshold ≥ the requested quantity.

A product not assigned to a stock other than the default one (no source item at its sources) fails with one
error, whatever else. An unknown SKU makes Magento read the type of a product it did not find (a PHP error):
500, Internal Error.
"""
from __future__ import annotations

import math
from typing import Any

from .catalog import Catalog
from .stock import StockSettings, any_in_stock, assigned, backorders_sell, left_in_stock, settings

DEFAULT_STOCK_ID = 1
Error = dict[str, str]


def _error(code: str, message: str) -> Error:
    return {"code": code, "message": message}


NOT_ASSIGNED = _error("requested-sku-is-not-assigned-to-given-stock",
                      "The requested sku is not assigned to given stock.")
NO_SOURCE_IN_STOCK = _error("is_any_source_item_in_stock-no_source_items_in_stock",
                            "There are no source items with the in stock status")
BACKORDERS_OFF = _error("back_order-disabled", "Backorders are disabled")
STOCK_MANAGED = _error("manage_stock-enabled", "Manage stock is enabled")
NOT_ENOUGH = _error("is_salable_with_reservations-not_enough_qty", "Not enough items for sale")
MAX_SALE_QTY = _error("is_correct_qty-max_sale_qty",
                      "The requested qty exceeds the maximum qty allowed in shopping cart")
DECIMAL = _error("is_correct_qty-is_qty_decimal", "You cannot use decimal quantity for this product.")


def _number(value: float) -> str:
    """A float as PHP prints it in a phrase (1.0 → "1")."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _correct_qty(config: StockSettings, qty: float) -> list[Error]:
    if config.min_sale_qty and qty < config.min_sale_qty:
        return [_error("is_correct_qty-min_sale_qty",
                       f"The fewest you may purchase is {_number(config.min_sale_qty)}.")]
    if config.max_sale_qty and qty > config.max_sale_qty:
        return [MAX_SALE_QTY]
    increments = config.qty_increments if config.enable_qty_increments else 0
    if increments and abs(qty / increments - round(qty / increments)) > 1e-9:
        return [_error("is_correct_qty-qty_increment",
                       f"You can buy this product only in quantities of {_number(increments)} at a time.")]
    if not config.is_qty_decimal and math.floor(qty) != qty:
        return [DECIMAL]
    return []


def _enough(left: int, qty: float) -> bool:
    """bccomp(left, qty, 4) >= 0: compared to 4 decimals, truncated."""
    return math.trunc(left * 10_000) >= math.trunc(qty * 10_000)


def errors(catalog: Catalog, row: int, stock_id: int, qty: float) -> list[Error]:
    """Why the product (simple-like, its type checked by the caller) cannot be sold in ``qty``; [] if it can."""
    if stock_id != DEFAULT_STOCK_ID and not assigned(catalog, row, stock_id):
        return [NOT_ASSIGNED]
    managed = bool(catalog.manage_stock[row])
    required = _correct_qty(settings(catalog, row), qty)
    if managed and not any_in_stock(catalog, row, stock_id):
        required.append(NO_SOURCE_IN_STOCK)
    if required:
        return required
    if backorders_sell(catalog, row) or not managed:
        return []
    if _enough(left_in_stock(catalog, row, stock_id), qty):
        return []
    return [BACKORDERS_OFF, STOCK_MANAGED, NOT_ENOUGH]


def result(catalog: Catalog, row: int, sku: str, stock_id: int, qty: float) -> dict[str, Any]:
    found = errors(catalog, row, stock_id, qty)
    return {"sku": sku, "stock_id": stock_id, "salable": not found, "errors": found}
