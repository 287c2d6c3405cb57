"""`prices`: the prices and inventoryStockStatus feeds read whole from the simulated Magento through the real adapter:
requests per 1,000 items (by kind), items/s; the products feed's read alongside, to show it asks no salable
quantity (the stock feed's read is the run's one)."""
from __future__ import annotations

import time
from collections import Counter
from typing import Any, ClassVar

from .common import Result
from .magento_pull import _simulator

NAME = "prices"
TITLE = "Prices and stock status read from the simulated Magento"
GOAL = ("prices: ≤ 10 requests per 1,000 price items (bulk reads); inventoryStockStatus: report requests per 1,000 "
        "stock items and what they are; the products feed asks no salable quantity")
DEFAULT_PRODUCTS = 10_000
PRICES_GOAL = 10.0
FEEDS = ("prices", "inventoryStockStatus", "products")


def _kind(method: str, path: str, params: Any) -> str:
    values = dict(params).values()
    if method == "POST":
        return f"POST {path.split('/V1/')[-1]} (SKUs of a page)"
    if "/get-product-salable-quantity/" in path:
        return "salable quantity (one per product the bulk check did not settle, per stock)"
    if "/V1/inventory/are-product-salable-for-requested-qty" in path:
        return "are-product-salable-for-requested-qty (bulk, up to 100 SKUs each)"
    if path.endswith("/V1/inventory/are-products-salable"):
        return "are-products-salable (100 SKUs each)"
    if path.endswith("/V1/inventory/source-items"):
        return "source items (100 SKUs each)"
    if path.endswith("/V1/customerGroups/search"):
        return "customer groups"
    if path.endswith("/V1/products") and "type_id" in values:
        return "composites' links (fields=, a page each)"
    if path.endswith("/V1/products") and "entity_id" in values and "in" in values:
        return "children by id (fields=, 100 each)"
    if path.endswith("/V1/products"):
        return "product pages"
    return "store layout, categories, attributes, stocks"


def _read(url: str, integration: dict, feed: str, concurrency: int, page_size: int) -> tuple[int, float, Counter]:
    from chalicelib.adapters.magento import MagentoCatalogSource, MagentoClient, OAuth1Auth

    class CountingClient(MagentoClient):
        kinds: ClassVar[Counter] = Counter()

        def get(self, store, path, params=()):
            self.kinds[_kind("GET", path, params)] += 1
            return super().get(store, path, params)

        def post(self, store, path, body):
            self.kinds[_kind("POST", path, ())] += 1
            return super().post(store, path, body)

    CountingClient.kinds = Counter()
    auth = OAuth1Auth(integration["consumer_key"], integration["consumer_secret"], integration["access_token"],
                      integration["access_token_secret"])
    source = MagentoCatalogSource(CountingClient(url, auth, concurrency=concurrency), page_size=page_size)
    started = time.perf_counter()
    items = sum(1 for _ in source.read(feed, None))
    return items, time.perf_counter() - started, CountingClient.kinds


def run(args) -> Result:
    products = args.rows or DEFAULT_PRODUCTS
    page_size, concurrency = 200, 8
    process, url, integration = _simulator(products)
    try:
        figures = {}
        for feed in FEEDS:
            print(f"  {feed}: {products:,} products ...", flush=True)
            figures[feed] = _read(url, integration, feed, concurrency, page_size)
    finally:
        process.terminate()
        process.wait(10)
    result = Result(NAME, TITLE, GOAL)
    result.add("simulated Magento", "`python -m local_stack.magento --lenient` (a subprocess), OAuth 1.0a signed")
    result.add("products / websites / customer groups / stocks", f"{products:,} / 2 / 4 / 2")
    result.add("page size / MAGENTO_CONCURRENCY", f"{page_size} / {concurrency}")
    rows = []
    for feed, (items, seconds, kinds) in figures.items():
        requests = sum(kinds.values())
        rows.append([feed, f"{items:,}", f"{seconds:,.1f}", f"{items / seconds:,.0f}", f"{requests:,}",
                     f"{1000 * requests / max(items, 1):.1f}"])
    result.tables.append(("Each feed read whole, no added latency", ["feed", "items", "s", "items/s", "requests",
                                                                     "per 1,000 items"], rows))
    for feed in ("prices", "inventoryStockStatus"):
        items, _, kinds = figures[feed]
        result.tables.append((f"{feed}: requests by kind", ["kind", "requests", "per 1,000 items"],
                              [[kind, f"{n:,}", f"{1000 * n / max(items, 1):.2f}"] for kind, n in kinds.most_common()]))
    prices_items, _, prices_kinds = figures["prices"]
    per_thousand = 1000 * sum(prices_kinds.values()) / max(prices_items, 1)
    stock_items, _, stock_kinds = figures["inventoryStockStatus"]
    salable = sum(n for kind, n in stock_kinds.items() if kind.startswith("salable quantity"))
    bulk = sum(n for kind, n in stock_kinds.items() if kind.startswith("are-product-salable-for-requested-qty"))
    products_salable = sum(n for kind, n in figures["products"][2].items() if kind.startswith("salable quantity"))
    result.met = per_thousand <= PRICES_GOAL and products_salable == 0
    result.verdict = (f"prices {per_thousand:.2f} requests per 1,000 items (goal ≤ {PRICES_GOAL:.0f}); "
                      f"inventoryStockStatus {1000 * sum(stock_kinds.values()) / max(stock_items, 1):.1f} per 1,000 "
                      f"items, {1000 * salable / max(stock_items, 1):.1f} of them salable quantities read one product "
                      f"at a time (where the bulk check, {1000 * bulk / max(stock_items, 1):.1f} per 1,000, did not "
                      f"settle them); the products feed asked {products_salable} salable quantities.")
    return result
