"""The Magento 2 / Adobe Commerce catalog source, over the admin REST API: one reader per feed."""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from ...domain.errors import SourceError
from ...domain.feed import StoreView
from ...domain.feeds import SourceRecord, feed_named
from ...domain.feeds.categories import CATEGORIES
from ...domain.feeds.prices import PRICES
from ...domain.feeds.product_attributes import PRODUCT_ATTRIBUTES
from ...domain.feeds.products import PRODUCTS
from ...domain.feeds.stock_status import INVENTORY_STOCK_STATUS
from ...domain.feeds.variants import VARIANTS
from ...ports import CatalogSource, ReadPosition
from .attributes import attribute_records, option_labels, read_attributes
from .categories import CategoryTree
from .client import MagentoClient
from .composites import CompositeIndex, read_index, website_filter
from .criteria import Filter, all_of, any_in
from .inventory import SKUS_PER_REQUEST, Inventory
from .layout import View, read_views
from .mapping import Catalog
from .paging import Groups, product_count, read_list
from .prices import PriceRead, read_prices
from .products import Position, ProductRead, ProductReader
from .stock_status import StockStatusReader
from .variants import read_variants

FEEDS = (PRODUCTS, PRODUCT_ATTRIBUTES, CATEGORIES, VARIANTS, PRICES, INVENTORY_STOCK_STATUS)


def magento_filter_time(iso_text: str) -> str:
    """'2026-11-22T04:47:46.123Z' → '2026-11-22 04:47:46' (Magento stores UTC without a zone)."""
    return f"{iso_text[:10]} {iso_text[11:19]}"


class MagentoCatalogSource(CatalogSource):
    """Every feed's records from one store, with at most the client's ``concurrency`` requests in flight.

    Each read checks the store first (its store views), so a wrong URL or token fails the call, not the first
    record; the records themselves are read lazily, a few pages ahead of the consumer.
    """

    kind = "magento"

    def __init__(self, client: MagentoClient, store_views: Sequence[str] = (), page_size: int = 200,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.client = client
        self._wanted = tuple(store_views)
        self._page_size = page_size
        self._clock = clock  # when a special price's window is judged open (the prices feed)

    def store_views(self) -> list[StoreView]:
        return [v.view for v in self._views()]

    def feeds(self) -> tuple[str, ...]:
        return FEEDS

    def with_concurrency(self, threads: int) -> MagentoCatalogSource:
        """The same store read with at most ``threads`` requests in flight (for one run: a resync's
        --thread-count in place of MAGENTO_CONCURRENCY)."""
        return MagentoCatalogSource(self.client.with_concurrency(threads), self._wanted, self._page_size)

    def read(self, feed: str, changed_since: str | None) -> Iterator[SourceRecord]:
        self.require(feed)
        if feed == PRODUCTS:
            return self.products(changed_since)
        return self._whole(feed, self._views())

    def read_by_ids(self, feed: str, ids: Collection[str],
                    product_ids: Collection[int] = ()) -> Iterator[SourceRecord]:
        self.require(feed)
        if feed == PRODUCTS:
            return self.products_by_key(ids, product_ids)
        key_of = feed_named(feed).key_of
        wanted, wanted_products = set(ids), set(product_ids)
        return (record for record in self._whole(feed, self._views())
                if key_of(record).id in wanted or record.get("product_id") in wanted_products)

    def read_resumable(self, feed: str, start: str | None) -> Iterator[SourceRecord | ReadPosition]:
        """Products from ``start`` ("<stock>:<last product id>", as this read yields them after each page); the
        other feeds, small, read whole again (no position)."""
        self.require(feed)
        if feed != PRODUCTS:
            return self.read(feed, None)
        views = self._views()  # read now: a wrong URL or token fails the call, not the first next()
        return self._products(views, [[]], None, _position(start))

    def count(self, feed: str) -> int | None:
        """The products feed's rows: each view's products (those of its website), one request a view; None for
        the other feeds, or when the store cannot say (the count only feeds the CLI's progress)."""
        self.require(feed)
        if feed != PRODUCTS:
            return None
        try:
            counts = [product_count(self.client, v.code, [[website_filter([v.website_id])]]) for v in self._views()]
        except SourceError:
            return None
        return None if None in counts else sum(c or 0 for c in counts)

    # -- products --------------------------------------------------------------------------------------

    def products(self, changed_since: str | None) -> Iterator[SourceRecord]:
        """Every product in every view, or those updated at or after ``changed_since`` (ISO) and the children
        of composites updated since (their ``parents`` may have changed with the composite's links)."""
        since = magento_filter_time(changed_since) if changed_since else None
        searches = [all_of(Filter("updated_at", since, "gteq"))] if since else [[]]
        return self._products(self._views(), searches, since)

    def products_by_key(self, skus: Collection[str], product_ids: Collection[int]) -> Iterator[SourceRecord]:
        if not skus and not product_ids:
            return iter(())
        return self._products(self._views(), _key_searches(skus, product_ids), None)

    def _products(self, views: list[View], searches: list[Groups], since: str | None,
                  start: Position | None = None) -> Iterator[Any]:
        """The products' records (with ``start``: a resumable read, its positions between them)."""
        with ThreadPoolExecutor(self.client.concurrency, thread_name_prefix="magento") as pool:
            read = ProductRead(views, self._catalogs(views, pool), read_index(self.client, self._page_size, pool,
                                                                               since))
            reader = ProductReader(self.client, self._page_size, pool)
            found_ids: set[int] = set()
            found_skus: set[str] = set()
            for record in reader.read(read, searches, start):
                if since is not None and not isinstance(record, ReadPosition):  # what the composites' changes
                    _note(record, read.index, found_ids, found_skus)  # still need: O(links), not O(catalog)
                yield record
            if since is not None:
                ids, skus = read.index.changed_child_ids - found_ids, read.index.changed_child_skus - found_skus
                if ids or skus:
                    yield from reader.read(read, _key_searches(skus, ids))

    def _catalogs(self, views: list[View], pool: Executor) -> dict[str, Catalog]:
        """What each view's codes mean: attribute set names, option labels, the category tree."""
        sets = pool.submit(read_list, self.client, "/V1/eav/attribute-sets/list", all_of(Filter("entity_type_id", "4")))
        options = {v.code: pool.submit(option_labels, self.client, v.code) for v in views}
        trees = {v.code: pool.submit(read_list, self.client, "/V1/categories/list", [], v.code) for v in views}
        names = {int(s["attribute_set_id"]): s.get("attribute_set_name", "") for s in sets.result()}
        catalogs = {}
        for v in views:
            labels, codes = options[v.code].result()
            catalogs[v.code] = Catalog(names, labels, CategoryTree(trees[v.code].result(), v.root_category_id),
                                       v.product_media_url, codes)
        return catalogs

    # -- the other feeds: read whole (prices and stock change without updated_at; only changes are sent) --

    def _whole(self, feed: str, views: list[View]) -> Iterator[SourceRecord]:
        if feed == PRODUCT_ATTRIBUTES:
            return attribute_records(read_attributes(self.client), views)
        if feed == CATEGORIES:
            return self._categories(views)
        if feed == PRICES:
            return self._prices(views)
        if feed == INVENTORY_STOCK_STATUS:
            return self._stock_status(views)
        return self._variants()

    def _prices(self, views: list[View]) -> Iterator[SourceRecord]:
        with ThreadPoolExecutor(self.client.concurrency, thread_name_prefix="magento") as pool:
            read = PriceRead(self.client, views, read_index(self.client, self._page_size, pool), self._clock)
            yield from read_prices(self.client, read, self._page_size, pool)

    def _stock_status(self, views: list[View]) -> Iterator[SourceRecord]:
        # Two queues for the client's slots: the salable quantities the bulk check leaves (one request per product)
        # on their own, so that the pages and their batched requests never wait behind those fanned out before them.
        with ThreadPoolExecutor(self.client.concurrency, thread_name_prefix="magento") as pool, \
                ThreadPoolExecutor(self.client.concurrency, thread_name_prefix="magento-product") as per_product:
            reader = StockStatusReader(self.client, Inventory(self.client, pool), self._page_size, pool, per_product)
            yield from reader.read(views)

    def _categories(self, views: list[View]) -> Iterator[SourceRecord]:
        for v in views:
            tree = CategoryTree(read_list(self.client, "/V1/categories/list", [], v.code), v.root_category_id)
            yield from tree.records(v.code, v.media_url)

    def _variants(self) -> Iterator[SourceRecord]:
        with ThreadPoolExecutor(self.client.concurrency, thread_name_prefix="magento") as pool:
            yield from read_variants(self.client, self._page_size, pool)

    def _views(self) -> list[View]:
        return read_views(self.client, self._wanted)


def _position(start: str | None) -> Position:
    """A position this source yielded ("<stock>:<last product id>"); anything else: the beginning."""
    stock, _, last = (start or "").partition(":")
    return (int(stock), int(last)) if stock.isdigit() and last.isdigit() else (0, 0)


def _key_searches(skus: Iterable[str], product_ids: Iterable[int]) -> list[Groups]:
    """Searches for products by SKU or id, 100 keys a search (an `in` filter that long keeps URLs short)."""
    keys = [("sku", sku) for sku in sorted(skus)] + [("entity_id", str(i)) for i in sorted(product_ids)]
    searches = []
    for start in range(0, len(keys), SKUS_PER_REQUEST):
        chunk = keys[start:start + SKUS_PER_REQUEST]
        by_sku = [value for field, value in chunk if field == "sku"]
        by_id = [value for field, value in chunk if field == "entity_id"]
        searches.append([[f for f in (any_in("sku", by_sku) if by_sku else None,
                                      any_in("entity_id", by_id) if by_id else None) if f]])
    return searches


def _note(record: SourceRecord, index: CompositeIndex, ids: set[int], skus: set[str]) -> None:
    product_id: Any = record.get("product_id")
    if product_id in index.changed_child_ids:
        ids.add(product_id)
    if record.get("sku") in index.changed_child_skus:
        skus.add(record["sku"])
