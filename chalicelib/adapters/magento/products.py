"""The products feed's read: per stock, the first store view paged by key, the other views' same id ranges,
stock (without salable quantities: the inventoryStockStatus feed's) and composites' members read concurrently, a
few pages ahead of the consumer."""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ...domain.feeds.composites import parents_in_website
from ...ports import ReadPosition
from .client import MagentoClient
from .composites import CompositeIndex, website_filter
from .inventory import LEGACY_STOCK_ID, Inventory
from .layout import View, by_website
from .mapping import Catalog, to_record
from .paging import Groups, product_pages, product_range

PAGES_AHEAD = 3  # pages read ahead of the consumer: enough to keep the store's slots busy, memory bounded
Record = dict[str, Any]
Position = tuple[int, int]  # a resumable read's place: (the stock's number in order, the last product id read)


@dataclass(frozen=True)
class ProductRead:
    """What one read needs: the views, what their codes mean, and who holds whom."""

    views: Sequence[View]
    catalogs: Mapping[str, Catalog]  # by view code
    index: CompositeIndex


class ProductReader:
    def __init__(self, client: MagentoClient, page_size: int, pool: Executor):
        self._client = client
        self._page_size = page_size
        self._pool = pool  # the requests pages fan out; the client caps what is in flight

    def read(self, read: ProductRead, searches: Sequence[Groups],
             start: Position | None = None) -> Iterator[Record | ReadPosition]:
        """The records of the products each search finds, stock by stock, page by page (in id order).

        One pipeline for every stock and search: the pages of the next stock start while the last ones of the
        previous are still being read. With ``start`` (one search: a whole read), the read resumes there and a
        ReadPosition follows each page: every record before it was yielded.
        """
        positions = start is not None
        pending: deque[tuple[Future[list[Record]], Position]] = deque()
        # Two queues for the client's slots: a page's own requests (its other views' ranges, its source items,
        # its composites' members) wait only for a slot, never behind requests made one per product (salable
        # quantities) that the pages before it fanned out. (The products feed asks no salable quantity since the
        # inventoryStockStatus feed: Inventory asks them only for that feed's read.)
        with ThreadPoolExecutor(max_workers=PAGES_AHEAD, thread_name_prefix="magento-page") as pages, \
                ThreadPoolExecutor(self._client.concurrency, thread_name_prefix="magento-product") as per_product:
            inventory = Inventory(self._client, self._pool, per_product)
            for stock, views, groups, first, low, high in self._leader_pages(read, searches, inventory, start):
                pending.append((pages.submit(self._page, read, views, groups, first, low, high, inventory),
                                (stock, high)))
                while pending and (len(pending) >= PAGES_AHEAD or pending[0][0].done()):
                    yield from self._settled(pending.popleft(), positions)
            while pending:
                yield from self._settled(pending.popleft(), positions)

    @staticmethod
    def _settled(page: tuple[Future[list[Record]], Position], positions: bool) -> Iterator[Record | ReadPosition]:
        future, (stock, high) = page
        yield from future.result()
        if positions:
            yield ReadPosition(f"{stock}:{high}")

    def _leader_pages(self, read: ProductRead, searches: Sequence[Groups], inventory: Inventory,
                      start: Position | None) -> Iterator[tuple[int, list[View], Groups, list[Mapping[str, Any]],
                                                                int, int]]:
        # The views of the websites that share a stock: page through the products of all those websites in the
        # first view by key, read the same id range in each other view (its own website's), and look the stock
        # up once per page, whatever the number of views and websites.
        first_stock, after = start or (0, 0)
        for stock, views in enumerate(_by_stock(read.views, inventory)):
            if stock < first_stock:
                continue
            websites = list(dict.fromkeys(v.website_id for v in views))
            for groups in searches:
                for first, low, high in product_pages(self._client, views[0].code,
                                                      [*groups, [website_filter(websites)]], self._page_size,
                                                      after=after if stock == first_stock else 0):
                    yield stock, views, groups, first, low, high

    def _page(self, read: ProductRead, views: list[View], groups: Groups, first: list[Mapping[str, Any]],
              low: int, high: int, inventory: Inventory) -> list[Record]:
        others = [self._pool.submit(product_range, self._client, v.code, [*groups, [website_filter([v.website_id])]],
                                    low, high, self._page_size) for v in views[1:]]
        stocks = inventory.for_page(first, views[0].view.website_code)
        stock_id = inventory.stock_id(views[0].view.website_code) if inventory.msi else LEGACY_STOCK_ID
        shared = len({v.website_id for v in views}) > 1
        leader = [p for p in first if _in_website(p, views[0].website_id)] if shared else first
        records = []
        for view, page in zip(views, [leader, *(future.result() for future in others)], strict=True):
            catalog = read.catalogs[view.code]
            for product in page:
                parents = parents_in_website(read.index.parents_of(product.get("id"), product.get("sku")),
                                             view.website_id)
                record = to_record(product, view.code, catalog, stocks.get(str(product.get("sku"))), parents)
                record["stock_id"] = stock_id  # where the dashboard finds its salable quantity (inventoryStockStatus)
                records.append(record)
        return records


def _by_stock(views: Sequence[View], inventory: Inventory) -> list[list[View]]:
    """The views grouped by the stock their website sells from (MSI), else by website; in order."""
    websites = by_website(views)
    if not inventory.msi:
        return list(websites.values())
    grouped: dict[int, list[View]] = {}
    for same_website in websites.values():
        grouped.setdefault(inventory.stock_id(same_website[0].view.website_code), []).extend(same_website)
    return list(grouped.values())


def _in_website(product: Mapping[str, Any], website_id: int) -> bool:
    ids = (product.get("extension_attributes") or {}).get("website_ids")
    return not isinstance(ids, list) or website_id in ids
