"""Quantities and salable quantities per store view's stock: MSI in batches, legacy stock items as a fallback."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from ...domain.errors import SourceError
from .client import MagentoClient
from .criteria import Filter, all_of, any_in, search_criteria
from .mapping import COMPOSITE_TYPES, NO_QUANTITY_TYPES, Stock, children_of, legacy_stock

GLOBAL = "all"  # inventory is global in Magento: read it outside any store view
SKUS_PER_REQUEST = 100  # an `in` filter of 100 SKUs keeps the query string well under URL limits
SOURCE_ITEMS_PAGE = 300


def _chunks(values: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


class Inventory:
    """Stock per page of products. What it keeps between pages is per website and stock, never per product:
    memory stays bounded by the page size whatever the catalog's size."""

    def __init__(self, client: MagentoClient, salable_workers: int = 4):
        self._client = client
        self._workers = salable_workers
        self._msi: bool | None = None
        self._stock_of_website: dict[str, int] = {}
        self._sources_of_stock: dict[int, list[str]] = {}
        self._stocks: dict[tuple[int, str], Stock] = {}  # (stock id, sku) → stock, for the current page
        self._child_skus: dict[int, str] = {}  # child entity id → sku, for the current page

    @property
    def msi(self) -> bool:
        """Whether the store runs Multi-Source Inventory (its REST routes answer)."""
        if self._msi is None:
            try:
                self._client.get(GLOBAL, "/V1/inventory/sources", search_criteria(page_size=1, current_page=1))
                self._msi = True
            except SourceError as error:
                if "no such REST route" not in str(error):
                    raise
                self._msi = False
        return self._msi

    def for_page(self, products: Sequence[Mapping[str, Any]], website_code: str) -> dict[str, Stock]:
        """The stock of each product on a page (by SKU), in the given website's stock."""
        self._stocks.clear()
        self._child_skus.clear()
        if not self.msi:
            return self._legacy(products)
        stock_id = self._stock_id(website_code)
        simple, composite = [], []
        for product in products:
            sku, kind = product.get("sku"), product.get("type_id")
            if not isinstance(sku, str) or kind in NO_QUANTITY_TYPES:
                continue
            (composite if kind in COMPOSITE_TYPES else simple).append(product)
        children = {p["sku"]: self._children(p) for p in composite}
        needed = {p["sku"] for p in simple} | {sku for skus in children.values() for sku in skus}
        self._load(stock_id, sorted(needed))
        stocks = {p["sku"]: self._stocks[(stock_id, p["sku"])] for p in simple}
        for sku, skus in children.items():
            parts = [self._stocks[(stock_id, child)] for child in skus if (stock_id, child) in self._stocks]
            stocks[sku] = Stock(sum(s.quantity or 0.0 for s in parts), sum(s.salable_quantity or 0.0 for s in parts),
                                any(s.in_stock for s in parts))
        return stocks

    def _stock_id(self, website_code: str) -> int:
        if website_code not in self._stock_of_website:
            stock = self._client.get(GLOBAL, f"/V1/inventory/stock-resolver/website/{website_code}")
            self._stock_of_website[website_code] = int(stock["stock_id"])
        return self._stock_of_website[website_code]

    def _sources(self, stock_id: int) -> list[str]:
        if stock_id not in self._sources_of_stock:
            links = self._client.get(GLOBAL, "/V1/inventory/stock-source-links", search_criteria(
                all_of(Filter("stock_id", str(stock_id))), page_size=SOURCE_ITEMS_PAGE, current_page=1))
            self._sources_of_stock[stock_id] = sorted({link["source_code"] for link in links.get("items") or []})
        return self._sources_of_stock[stock_id]

    def _children(self, product: Mapping[str, Any]) -> list[str]:
        ids, skus = children_of(product)
        missing = [i for i in ids if i not in self._child_skus]
        for chunk in _chunks(missing, SKUS_PER_REQUEST):
            found = self._client.get(GLOBAL, "/V1/products", search_criteria(
                all_of(any_in("entity_id", chunk)), page_size=len(chunk), current_page=1))
            self._child_skus.update({int(item["id"]): item["sku"] for item in found.get("items") or []})
        return skus + [self._child_skus[i] for i in ids if i in self._child_skus]

    def _load(self, stock_id: int, skus: list[str]) -> None:
        """Source items for the SKUs not read yet (batched `sku in`), then their salable quantities."""
        skus = [sku for sku in skus if (stock_id, sku) not in self._stocks]
        if not skus:
            return
        sources = self._sources(stock_id)
        quantity = dict.fromkeys(skus, 0.0)
        in_stock = dict.fromkeys(skus, False)
        for chunk in _chunks(skus, SKUS_PER_REQUEST):
            for item in self._source_items(chunk, sources):
                sku = item.get("sku")
                if sku in quantity:
                    quantity[sku] += _float(item.get("quantity"))
                    in_stock[sku] = in_stock[sku] or item.get("status") == 1
        # Salable quantity = quantity − reservations, which only Magento knows: one request per product that
        # has stock at all (none for the rest: their salable quantity is 0).
        ask = [sku for sku in skus if quantity[sku] > 0 and in_stock[sku]]
        salable = dict.fromkeys(skus, 0.0)
        if ask:
            with ThreadPoolExecutor(max_workers=self._workers) as pool:
                for sku, value in zip(ask, pool.map(lambda s: self._salable(s, stock_id), ask), strict=False):
                    salable[sku] = value
        for sku in skus:
            self._stocks[(stock_id, sku)] = Stock(quantity[sku], salable[sku], in_stock[sku] and salable[sku] > 0)

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

    def _salable(self, sku: str, stock_id: int) -> float:
        value = self._client.get(GLOBAL, f"/V1/inventory/get-product-salable-quantity/{_path(sku)}/{stock_id}")
        return _float(value)

    def _legacy(self, products: Sequence[Mapping[str, Any]]) -> dict[str, Stock]:
        """No MSI: the stock item of the list response, or of /V1/stockItems/{sku} where the list left it out."""
        stocks: dict[str, Stock] = {}
        missing = []
        for product in products:
            sku = product.get("sku")
            if not isinstance(sku, str) or product.get("type_id") in NO_QUANTITY_TYPES:
                continue
            stock = legacy_stock(product)
            if stock is None:
                missing.append(sku)
            else:
                stocks[sku] = Stock(stock.quantity, stock.quantity, stock.in_stock)
        if missing:
            with ThreadPoolExecutor(max_workers=self._workers) as pool:
                for sku, item in zip(missing, pool.map(
                        lambda s: self._client.get(GLOBAL, f"/V1/stockItems/{_path(s)}"), missing), strict=False):
                    qty = _float(item.get("qty")) if isinstance(item, dict) else 0.0
                    stocks[sku] = Stock(qty, qty, bool(isinstance(item, dict) and item.get("is_in_stock")))
        return stocks


def _path(sku: str) -> str:
    return quote(sku, safe="")
