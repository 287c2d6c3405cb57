"""What a shopper pays and can buy, as the dashboard shows it next to a product's rows: read from the prices and
inventoryStockStatus feeds' rows (the products feed carries neither an effective price nor a salable quantity).

A product row keeps, beside its document (``FeedRow.extra``, never sent), its store view's website, currency and
stock, and a composite's members: the Price column is the row's website's price for a shopper who is not signed
in (customer group NOT LOGGED IN: what the storefront shows first), in the store view's currency; a composite's is
"from" its cheapest member's (Magento's own price for a configurable is 0). The salable quantity is the stock's.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, NotRequired, TypedDict

from ..domain.answers.products import PricesAndStock, ProductPrice, ProductStock
from ..domain.feed import FeedRow, RowKey
from ..domain.feeds.prices import PRICES, identity_of, scope_of
from ..domain.feeds.pricing import NOT_LOGGED_IN, customer_group_code, lowest
from ..domain.feeds.stock_status import INVENTORY_STOCK_STATUS
from .context import SyncContext
from .outcomes import with_states

SHOPPER = customer_group_code(NOT_LOGGED_IN)


class Shelf(TypedDict):
    """A products row's columns from the prices and stock feeds (a page's Price and Salable quantity)."""

    price: float | None
    price_from: bool
    currency: str | None
    salable_quantity: NotRequired[float | None]  # only where the row names its stock


def _price_key(sku: str, extra: Mapping[str, Any]) -> RowKey | None:
    website = extra.get("websiteCode")
    return RowKey(sku, scope_of(website, SHOPPER)) if isinstance(website, str) and website else None


def shelf_columns(ctx: SyncContext, rows: Iterable[tuple[RowKey, Mapping[str, Any]]]) -> dict[RowKey, Shelf]:
    """For products rows (key, extra): price, currency, price_from (a composite's "from" price) and salable
    quantity, from two BatchGetItems (the prices and stock rows of the page, members included)."""
    rows = list(rows)
    wanted_prices: set[RowKey] = set()
    wanted_stock: set[RowKey] = set()
    for key, extra in rows:
        for sku in [key.id, *(extra.get("members") or [])]:
            if (price_key := _price_key(sku, extra)) is not None:
                wanted_prices.add(price_key)
        if extra.get("stockId") is not None:
            wanted_stock.add(RowKey(key.id, str(extra["stockId"])))
    prices = {row.key: row.price for row in ctx.rows(PRICES).get_rows(wanted_prices, fields=("price", "deleted"))
              if not row.deleted}
    stock = {row.key: row.salable_quantity
             for row in ctx.rows(INVENTORY_STOCK_STATUS).get_rows(wanted_stock, fields=("salable_quantity", "deleted"))
             if not row.deleted}
    found: dict[RowKey, Shelf] = {}
    for key, extra in rows:
        members = [m for m in extra.get("members") or [] if isinstance(m, str)]
        own = prices.get(_price_key(key.id, extra) or key)
        cheapest = lowest(prices.get(_price_key(m, extra) or key) for m in members) if members else None
        from_members = cheapest is not None and (not own)  # Magento's price of a composite: 0 or none
        found[key] = {"price": cheapest if from_members else own, "price_from": from_members,
                      "currency": extra.get("currency")}
        if extra.get("stockId") is not None:  # a source without a stock feed (the sample catalog) keeps the row's
            found[key]["salable_quantity"] = stock.get(RowKey(key.id, str(extra["stockId"])))
    return found


def _document(row: FeedRow) -> dict[str, Any]:
    try:
        document = json.loads(row.document) if row.document else {}
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def prices_and_stock(ctx: SyncContext, sku: str, product_rows: Iterable[FeedRow]) -> PricesAndStock:
    """A product's prices per website and customer group, and its stock per stock (one Query each), with their
    export states; currencies from its store views' rows."""
    currencies = {row.extra.get("websiteCode"): row.extra.get("currency") for row in product_rows if row.extra}
    prices: list[ProductPrice] = []
    rows = with_states(ctx.batches, ctx.rows(PRICES).rows_of_id(sku))
    for row in sorted(rows, key=lambda r: (identity_of(r.key)[1], r.name or "")):  # by website, then group name
        _, website, group = identity_of(row.key)
        document = _document(row)
        prices.append({"website_code": website, "customer_group": row.name, "customer_group_code": group,
                       "currency": currencies.get(website), "price": row.price, "regular": document.get("regular"),
                       "discounts": document.get("discounts") or [], "tier_prices": document.get("tierPrices") or [],
                       "deleted": row.deleted, "export_status": row.export_status, "error": row.error})
    stock: list[ProductStock] = []
    for row in sorted(with_states(ctx.batches, ctx.rows(INVENTORY_STOCK_STATUS).rows_of_id(sku)),
                      key=lambda r: r.scope):
        document = _document(row)
        stock.append({"stock_id": row.scope, "stock_name": row.name, "qty": row.quantity,
                      "qty_for_sale": row.salable_quantity, "is_salable": document.get("isSalable"),
                      "low_stock": document.get("lowStock"), "infinite_stock": document.get("infiniteStock"),
                      "deleted": row.deleted, "export_status": row.export_status, "error": row.error})
    return {"prices": prices, "stock": stock}
