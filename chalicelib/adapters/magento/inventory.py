"""Quantities, salable quantities and availability per page of products, in a website's stock: MSI in batches,
legacy stock items as a fallback; composites by Magento's rules from their members."""
from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any
from urllib.parse import quote

from ...domain.feeds.composites import COMPOSITE_TYPES, CONFIGURABLE, composite_salable, member_skus
from .client import MagentoClient, NoRouteError
from .composites import configurable_skus
from .criteria import Filter, all_of, any_in, search_criteria
from .mapping import (
    NO_QUANTITY_TYPES,
    Stock,
    composite_of,
    configurable_children,
    legacy_stock,
    manages_stock,
)
from .paging import GLOBAL, chunks

SKUS_PER_REQUEST = 100  # an `in` filter of 100 SKUs keeps the query string well under URL limits
LEGACY_STOCK_ID = 1  # without MSI, Magento's one stock (cataloginventory_stock "Default")
SOURCE_ITEMS_PAGE = 300


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


class Inventory:
    """Stock per page of products. What it keeps between pages is per website and stock, never per product, and
    pages may be read concurrently (each call keeps its own state): memory stays bounded by the pages in flight.

    A page's stock carries no salable quantity: whether a product can be sold comes from Magento's bulk answer,
    100 SKUs a request. The inventoryStockStatus feed reads the quantities (salable_quantity.py), once per run,
    for the products that can have one."""

    def __init__(self, client: MagentoClient, pool: Executor):
        self._client = client
        self._pool = pool  # the few requests a page needs (source items, members' and products' salability)
        self._lock = threading.Lock()
        self._msi: bool | None = None
        self._stock_of_website: dict[str, int] = {}
        self._stock_names: dict[int, str] = {}
        self._sources_of_stock: dict[int, list[str]] = {}

    @property
    def msi(self) -> bool:
        """Whether the store runs Multi-Source Inventory (its REST routes answer)."""
        with self._lock:
            if self._msi is None:
                try:
                    self._client.get(GLOBAL, "/V1/inventory/sources", search_criteria(page_size=1, current_page=1))
                    self._msi = True
                except NoRouteError:
                    self._msi = False
            return self._msi

    def for_page(self, products: Sequence[Mapping[str, Any]], website_code: str) -> dict[str, Stock]:
        """The stock of each product on a page (by SKU) in the website's stock, without salable quantities;
        composites' availability from their members (with their members' SKUs)."""
        simple = [p for p in products if isinstance(p.get("sku"), str)
                  and p.get("type_id") not in NO_QUANTITY_TYPES and p.get("type_id") not in COMPOSITE_TYPES]
        composites = [p for p in products if isinstance(p.get("sku"), str) and p.get("type_id") in COMPOSITE_TYPES]
        if not self.msi:
            stocks = {sku: Stock(stock.quantity, None, stock.in_stock) for sku, stock in self.legacy(simple).items()}
            salable = self._legacy_members
        else:
            stock_id = self.stock_id(website_code)
            stocks = self.levels(stock_id, simple)

            def salable(skus: list[str]) -> dict[str, bool]:
                return self.are_salable(skus, stock_id)
        if composites:
            ids = [i for p in composites if p.get("type_id") == CONFIGURABLE for i in configurable_children(p)]
            child_skus = configurable_skus(self._client, list(dict.fromkeys(ids)), self._pool) if ids else {}
            shapes = [composite_of(p, child_skus) for p in composites]
            known = {sku: stock.in_stock for sku, stock in stocks.items()}
            known.update(salable([sku for sku in member_skus(shapes) if sku not in known]))
            for shape in shapes:
                stocks[shape.sku] = Stock(None, None, composite_salable(shape, lambda sku: known.get(sku, False)),
                                          shape.members)
        return stocks

    def stock_id(self, website_code: str) -> int:
        """The MSI stock a website sells from."""
        with self._lock:
            if website_code not in self._stock_of_website:
                stock = self._client.get(GLOBAL, f"/V1/inventory/stock-resolver/website/{quote(website_code)}")
                self._stock_of_website[website_code] = int(stock["stock_id"])
                self._stock_names[int(stock["stock_id"])] = str(stock.get("name") or stock["stock_id"])
            return self._stock_of_website[website_code]

    def stock_name(self, stock_id: int) -> str:
        """The name of a stock resolved by ``stock_id`` (its id where Magento gave none)."""
        with self._lock:
            return self._stock_names.get(stock_id, str(stock_id))

    def _sources(self, stock_id: int) -> list[str]:
        with self._lock:
            if stock_id not in self._sources_of_stock:
                links = self._client.get(GLOBAL, "/V1/inventory/stock-source-links", search_criteria(
                    all_of(Filter("stock_id", str(stock_id))), page_size=SOURCE_ITEMS_PAGE, current_page=1))
                self._sources_of_stock[stock_id] = sorted({link["source_code"] for link in links.get("items") or []})
            return self._sources_of_stock[stock_id]

    def levels(self, stock_id: int, products: Sequence[Mapping[str, Any]]) -> dict[str, Stock]:
        """Simple-like products' stock: source items (batched `sku in`, concurrently) and Magento's own answer
        whether each can be sold (100 SKUs a request); no salable quantity."""
        skus = list(dict.fromkeys(p["sku"] for p in products))
        if not skus:
            return {}
        managed = {p["sku"] for p in products if manages_stock(p)}
        sources = self._sources(stock_id)
        quantity = dict.fromkeys(skus, 0.0)
        in_stock = dict.fromkeys(skus, False)
        for items in self._pool.map(lambda chunk: list(self._source_items(chunk, sources)),
                                    list(chunks(skus, SKUS_PER_REQUEST))):
            for item in items:
                sku = item.get("sku")
                if sku in quantity and item.get("status") == 1:  # MSI's stock index counts in-stock sources only
                    quantity[sku] += _float(item.get("quantity"))
                    in_stock[sku] = True
        # A product without stock to sell is not asked (out of stock: not salable); one whose stock is not managed
        # is always salable.
        ask = [sku for sku in skus if sku in managed and quantity[sku] > 0 and in_stock[sku]]
        salable = self.are_salable(ask, stock_id) if ask else {}
        return {sku: Stock(quantity[sku], None, sku not in managed or bool(salable.get(sku))) for sku in skus}

    def _source_items(self, skus: Sequence[str], sources: list[str]) -> Iterable[Mapping[str, Any]]:
        groups = all_of(any_in("sku", skus), any_in("source_code", sources) if sources else None)
        page, seen = 1, 0
        while True:
            result = self._client.get(GLOBAL, "/V1/inventory/source-items", search_criteria(
                groups, sort=[("source_item_id", "ASC")], page_size=SOURCE_ITEMS_PAGE, current_page=page))
            items = result.get("items") or []
            yield from items
            seen += len(items)
            if len(items) < SOURCE_ITEMS_PAGE or seen >= int(result.get("total_count") or 0):
                return  # the last page (2.3 would repeat it if asked for the next)
            page += 1

    def are_salable(self, skus: Sequence[str], stock_id: int) -> dict[str, bool]:
        """Magento's own answer, 100 SKUs a request: salable in the stock (reservations and thresholds included)."""
        def ask(part: Sequence[str]) -> list[Any]:
            params = [(f"skus[{i}]", sku) for i, sku in enumerate(part)] + [("stockId", str(stock_id))]
            return self._client.get(GLOBAL, "/V1/inventory/are-products-salable", params) or []
        found: dict[str, bool] = {}
        for answer in self._pool.map(ask, list(chunks(skus, SKUS_PER_REQUEST))):
            found.update({item["sku"]: bool(item.get("salable")) for item in answer
                          if isinstance(item, dict) and isinstance(item.get("sku"), str)})
        return found

    def legacy(self, products: Sequence[Mapping[str, Any]]) -> dict[str, Stock]:
        """No MSI: the stock item of the list response, or of /V1/stockItems/{sku} where the list left it out; its
        quantity is also what can be sold (no reservations without MSI)."""
        stocks: dict[str, Stock] = {}
        missing = []
        for product in products:
            stock = legacy_stock(product)
            if stock is None:
                missing.append(product["sku"])
            else:
                stocks[product["sku"]] = Stock(stock.quantity, stock.quantity, stock.in_stock)
        for sku, item in zip(missing, self._pool.map(self._stock_item, missing), strict=True):
            qty = _float(item.get("qty")) if isinstance(item, dict) else 0.0
            stocks[sku] = Stock(qty, qty, bool(isinstance(item, dict) and item.get("is_in_stock")))
        return stocks

    def _stock_item(self, sku: str) -> Any:
        return self._client.get(GLOBAL, f"/V1/stockItems/{_path(sku)}")

    def _legacy_members(self, skus: list[str]) -> dict[str, bool]:
        """No MSI: whether each member is in stock, from its legacy stock item (read 100 SKUs a request)."""
        def ask(part: Sequence[str]) -> list[Any]:
            found = self._client.get(GLOBAL, "/V1/products", [*search_criteria(
                all_of(any_in("sku", part)), page_size=len(part), current_page=1),
                ("fields", "items[sku,type_id,extension_attributes[stock_item]]")])
            return (found or {}).get("items") or []
        members = [item for answer in self._pool.map(ask, list(chunks(skus, SKUS_PER_REQUEST))) for item in answer]
        return {sku: stock.in_stock for sku, stock in self.legacy(members).items()}


def _path(sku: str) -> str:
    return quote(sku, safe="")
