"""The inventoryStockStatus feed's read: every product × stock its websites sell from, with quantities.

The stocks are those of the synced websites (MSI's stock resolver; without MSI, Magento's one stock). A page of
products (light: ``fields=``) is read once and its stock asked per stock: source items and Magento's salable
answer in batches, then the salable quantities (salable_quantity.py: Magento's bulk answer whether each product
can be sold in its whole quantity less its threshold, one request only for those it does not settle). This is
the run's one read of salable quantities: the products feed asks none.

The salable quantity is asked only of a managed simple-like product that Magento says is salable in the stock and
that is enabled in one of the stock's websites it is in; the others carry none to ask for: stock management off
(None), composites (None), not salable (0), disabled in every website of the stock (None: it cannot be sold
there; once enabled, the next run, which reads the feed whole, asks it). A few (page, stock) units are read at
once, so that the per-product requests of one fill the client's slots while another waits for its batched
answers; what is in flight stays within the client's concurrency, and memory within the units and pages ahead.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ...domain.feeds.composites import COMPOSITE_TYPES
from .client import MagentoClient
from .composites import offset_pages
from .inventory import LEGACY_STOCK_ID, Inventory
from .layout import View
from .mapping import NO_QUANTITY_TYPES, Stock, magento_time, manages_stock
from .paging import GLOBAL, entity_id, search_products
from .salable_quantity import SalableQuantities

# The stock item's backorders, min_qty and is_qty_decimal: what salable_quantity.py needs to ask in bulk.
FIELDS = ("items[id,sku,type_id,updated_at,extension_attributes[website_ids,configurable_product_links,stock_item["
          "manage_stock,notify_stock_qty,qty,is_in_stock,backorders,min_qty,is_qty_decimal],"
          "bundle_product_options[required,product_links[sku]]],product_links[link_type,linked_product_sku]],"
          "total_count")
STATUS_FIELDS = "items[id,status]"
DISABLED = 2  # Magento's product status: 1 enabled, 2 disabled (a website-scoped attribute)
UNITS_AHEAD = 8  # (page, stock) units read at once: enough to keep the client's slots busy, memory bounded
Record = dict[str, Any]


@dataclass(frozen=True)
class StockOf:
    """A stock to read: its name, a website selling from it (to resolve it) and a view of each of its websites."""

    stock_id: int
    name: str
    website_code: str
    views: Mapping[int, str]  # website id → the code of a synced view of it (where its products' status is read)


def stocks_of(views: Sequence[View], inventory: Inventory) -> list[StockOf]:
    """The stocks the synced websites sell from, by id."""
    found: dict[int, StockOf] = {}
    for view in views:
        if inventory.msi:
            stock_id = inventory.stock_id(view.view.website_code)
            name = inventory.stock_name(stock_id)
        else:
            stock_id, name = LEGACY_STOCK_ID, "Default Stock"
        known = found.get(stock_id) or StockOf(stock_id, name, view.view.website_code, {})
        found[stock_id] = StockOf(stock_id, name, known.website_code, {view.website_id: view.code, **known.views})
    return [found[stock_id] for stock_id in sorted(found)]


def _websites(product: Mapping[str, Any]) -> set[int]:
    return {int(w) for w in (product.get("extension_attributes") or {}).get("website_ids") or [] if str(w).isdigit()}


def _notify_qty(product: Mapping[str, Any]) -> Any:
    item = (product.get("extension_attributes") or {}).get("stock_item")
    return item.get("notify_stock_qty") if isinstance(item, dict) else None


def _simple_like(product: Mapping[str, Any]) -> bool:
    return product.get("type_id") not in COMPOSITE_TYPES and product.get("type_id") not in NO_QUANTITY_TYPES


class StockStatusReader:
    """Reads the feed a few (page, stock) units at a time; ``pool`` for the pages and the units' batched
    requests, ``per_product`` for the salable quantities (both capped by the client's slots)."""

    def __init__(self, client: MagentoClient, inventory: Inventory, page_size: int, pool: Executor,
                 per_product: Executor):
        self._client = client
        self._inventory = inventory
        self._page_size = page_size
        self._pool = pool
        self.salable = SalableQuantities(client, pool, per_product)

    def read(self, views: Sequence[View]) -> Iterator[Record]:
        stocks = stocks_of(views, self._inventory)
        pending: deque[Future[list[Record]]] = deque()
        with ThreadPoolExecutor(UNITS_AHEAD, thread_name_prefix="magento-stock") as units:
            for page in offset_pages(self._client, GLOBAL, [], self._page_size, FIELDS, self._pool):
                for stock in stocks:
                    products = [p for p in page if isinstance(p.get("sku"), str) and _websites(p) & stock.views.keys()]
                    if products:
                        pending.append(units.submit(self._unit, stock, products))
                    while pending and (len(pending) >= UNITS_AHEAD or pending[0].done()):
                        yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()

    def _unit(self, stock: StockOf, products: list[Mapping[str, Any]]) -> list[Record]:
        """One page's products in one stock."""
        msi = self._inventory.msi
        enabled = self._pool.submit(self._enabled, stock, products) if msi else None
        levels = self._inventory.for_page(products, stock.website_code)
        amounts: dict[str, float] = {}
        if enabled is not None:
            on = enabled.result()
            ask = [p for p in products if _simple_like(p) and manages_stock(p) and p["sku"] in on
                   and (stock_of := levels.get(p["sku"])) is not None and stock_of.in_stock]
            amounts = self.salable.read(ask, levels, stock.stock_id) if ask else {}
        return [self._record(stock, product, levels.get(product["sku"]), amounts.get(product["sku"]), msi)
                for product in products]

    def _enabled(self, stock: StockOf, products: Sequence[Mapping[str, Any]]) -> set[str]:
        """The SKUs enabled in at least one website of the stock they are in: the page's id range read in a view of
        each website (``fields=`` id and status only). A product the range does not return counts as enabled."""
        ids = [i for i in (entity_id(p) for p in products) if i is not None]
        wanted = {w for p in products for w in _websites(p) & stock.views.keys()}
        disabled: dict[int, set[int]] = {}
        if ids:
            for website_id in sorted(wanted):
                found = search_products(self._client, stock.views[website_id], [], min(ids) - 1, max(ids),
                                        self._page_size, STATUS_FIELDS)
                disabled[website_id] = {i for item in found if (i := entity_id(item)) is not None
                                        and str(item.get("status")) == str(DISABLED)}
        return {p["sku"] for p in products
                if any(entity_id(p) not in disabled.get(w, ()) for w in _websites(p) & stock.views.keys())}

    @staticmethod
    def _record(stock: StockOf, product: Mapping[str, Any], level: Stock | None, salable: float | None,
                msi: bool) -> Record:
        kind = product.get("type_id")
        composite = kind in COMPOSITE_TYPES or kind in NO_QUANTITY_TYPES
        managed = manages_stock(product) and kind not in NO_QUANTITY_TYPES  # a gift card: by configuration
        quantity = None if composite or level is None else level.quantity
        if composite or level is None or not managed:
            salable_quantity = None
        elif not msi:
            salable_quantity = quantity  # no reservations without MSI: its quantity is what can be sold
        elif not level.in_stock:
            salable_quantity = 0.0
        else:
            salable_quantity = salable  # None: disabled in every website of the stock, not asked
        return {"stock_id": stock.stock_id, "stock_name": stock.name, "sku": product["sku"],
                "product_id": product.get("id"), "type": kind, "quantity": quantity,
                "salable_quantity": salable_quantity,
                "is_salable": True if kind in NO_QUANTITY_TYPES else bool(level and level.in_stock),
                "manage_stock": managed, "notify_stock_qty": _notify_qty(product),
                "updated_at": magento_time(product.get("updated_at"))}

