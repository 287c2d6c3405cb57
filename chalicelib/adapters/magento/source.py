"""The Magento 2 / Adobe Commerce catalog source, over the admin REST API."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ...domain.errors import SourceError
from ...domain.feed import StoreView
from ...domain.feeds.products import PRODUCTS
from ...ports import CatalogSource, SourceProduct
from .client import MagentoClient
from .criteria import Filter, all_of, any_in, search_criteria
from .inventory import GLOBAL, SKUS_PER_REQUEST, Inventory
from .mapping import Catalog, to_record

LIST_PAGE = 300  # metadata lists (attribute sets, attributes, categories): Magento's largest page


@dataclass(frozen=True)
class _View:
    view: StoreView
    website_id: int
    media_url: str


def magento_filter_time(iso_text: str) -> str:
    """'2026-11-22T04:47:46.123Z' → '2026-11-22 04:47:46' (Magento stores UTC without a zone)."""
    return f"{iso_text[:10]} {iso_text[11:19]}"


class MagentoCatalogSource(CatalogSource):
    """Products per store view, read by key (``entity_id`` ascending, ``entity_id gt last``).

    Paging by key instead of ``currentPage`` is correct on 2.3 (which repeats the last page past the end)
    and 2.4 (which answers empty), and neither duplicates nor skips products while the catalog changes.
    """

    kind = "magento"

    def __init__(self, client: MagentoClient, store_views: Sequence[str] = (), page_size: int = 200,
                 salable_workers: int = 4):
        self.client = client
        self._wanted = tuple(store_views)
        self._page_size = page_size
        self._workers = salable_workers

    def store_views(self) -> list[StoreView]:
        return [v.view for v in self._views()]

    def feeds(self) -> tuple[str, ...]:
        return (PRODUCTS,)

    def with_concurrency(self, threads: int) -> MagentoCatalogSource:
        """The same store read with ``threads`` requests in flight (for one run: a resync's --thread-count)."""
        return MagentoCatalogSource(self.client, self._wanted, self._page_size, salable_workers=threads)

    def read(self, feed: str, changed_since: str | None) -> Iterator[SourceProduct]:
        self.require(feed)
        return self.products(changed_since)

    def read_by_ids(self, feed: str, ids: Collection[str],
                    product_ids: Collection[int] = ()) -> Iterator[SourceProduct]:
        self.require(feed)
        return self.products_by_key(ids, product_ids)

    def products(self, changed_since: str | None) -> Iterator[SourceProduct]:
        since = Filter("updated_at", magento_filter_time(changed_since), "gteq") if changed_since else None
        return self._read(lambda: [[since]] if since else [])

    def products_by_key(self, skus: Collection[str], product_ids: Collection[int]) -> Iterator[SourceProduct]:
        keys = [("sku", sku) for sku in sorted(skus)] + [("entity_id", str(i)) for i in sorted(product_ids)]

        def groups() -> Iterable[list[list[Filter]]]:
            for start in range(0, len(keys), SKUS_PER_REQUEST):
                chunk = keys[start:start + SKUS_PER_REQUEST]
                by_sku = [value for field, value in chunk if field == "sku"]
                by_id = [value for field, value in chunk if field == "entity_id"]
                yield [[f for f in (any_in("sku", by_sku) if by_sku else None,
                                    any_in("entity_id", by_id) if by_id else None) if f]]
        return self._read(groups, many=True) if keys else iter(())

    # -- reading ---------------------------------------------------------------------------------------

    def _read(self, groups: Any, many: bool = False) -> Iterator[SourceProduct]:
        views = self._views()  # read now: a wrong URL or token fails the call, not the first next()
        catalog = self._catalog()
        inventory = Inventory(self.client, self._workers)
        websites: dict[int, list[_View]] = {}
        for v in views:
            websites.setdefault(v.website_id, []).append(v)

        def records() -> Iterator[SourceProduct]:
            for same_website in websites.values():
                # The views of one website hold the same products and share one stock: page through the
                # first view by key, read the same id range in the others, and look the stock up once.
                catalogs = [replace(catalog, media_url=v.media_url, options=self._options(v.view.code))
                            for v in same_website]
                for group in (groups() if many else [groups()]):
                    for first, low, high in self._pages(same_website[0], group):
                        pages = [first] + [self._range(v, group, low, high) for v in same_website[1:]]
                        stocks = inventory.for_page(first, same_website[0].view.website_code)
                        for v, view_catalog, page in zip(same_website, catalogs, pages, strict=False):
                            for product in page:
                                yield to_record(product, v.view.code, view_catalog, stocks.get(product.get("sku")))
        return records()

    def _search(self, v: _View, groups: list[list[Filter]], low: int, high: int | None) -> list[Mapping[str, Any]]:
        website = Filter("website_id", str(v.website_id))  # /rest/<store>/V1/products does not filter by website
        bounds = [[Filter("entity_id", str(low), "gt")]] + ([[Filter("entity_id", str(high), "lteq")]] if high else [])
        criteria = search_criteria([*groups, [website], *bounds], sort=[("entity_id", "ASC")],
                                   page_size=self._page_size, current_page=1)
        result = self.client.get(v.view.code, "/V1/products", criteria)
        items = result.get("items") if isinstance(result, dict) else None
        if not isinstance(items, list):
            raise SourceError(f"Magento's answer for /rest/{v.view.code}/V1/products has no items list")
        return items

    def _pages(self, v: _View, groups: list[list[Filter]]) -> Iterator[tuple[list[Mapping[str, Any]], int, int]]:
        """Pages of products with ids above the last page's: each with the id range it covers."""
        last = 0
        while True:
            items = self._search(v, groups, last, None)
            ids = [_id(item) for item in items]
            page = [item for item, i in zip(items, ids, strict=False) if i is None or i > last]
            newest = max((i for i in ids if i is not None), default=last)
            if not page:
                return
            yield page, last, newest
            if newest <= last or len(items) < self._page_size:
                return
            last = newest

    def _range(self, v: _View, groups: list[list[Filter]], low: int, high: int) -> list[Mapping[str, Any]]:
        """The products with ids in (low, high] in another view of the same website."""
        return [item for item in self._search(v, groups, low, high) if (_id(item) or low + 1) > low]

    # -- what the codes mean ---------------------------------------------------------------------------

    def _views(self) -> list[_View]:
        views = self.client.get(GLOBAL, "/V1/store/storeViews")
        groups = {g["id"]: g for g in self.client.get(GLOBAL, "/V1/store/storeGroups")}
        websites = {w["id"]: w for w in self.client.get(GLOBAL, "/V1/store/websites")}
        configs = {c["code"]: c for c in self.client.get(GLOBAL, "/V1/store/storeConfigs")}
        active = {v["code"]: v for v in views if v.get("is_active") and v.get("id") != 0 and v["code"] != "admin"}
        missing = [code for code in self._wanted if code not in active]
        if missing:
            raise SourceError(f"Magento has no active store view {', '.join(map(repr, missing))}; its active store "
                              f"views are {', '.join(sorted(active)) or 'none'} (check MAGENTO_STORE_VIEWS)")
        chosen = [active[code] for code in self._wanted] if self._wanted else sorted(active.values(),
                                                                                       key=lambda v: v["id"])
        result = []
        for v in chosen:
            config = configs.get(v["code"], {})
            group = groups.get(v.get("store_group_id"), {})
            website = websites.get(v.get("website_id"), {})
            currency = config.get("base_currency_code") or config.get("default_display_currency_code") or "USD"
            media = (config.get("secure_base_media_url") or config.get("base_media_url") or "") + "catalog/product"
            result.append(_View(StoreView(v["code"], group.get("code", ""), website.get("code", ""), currency),
                                int(v["website_id"]), media))
        return result

    def _catalog(self) -> Catalog:
        sets = self._list("/V1/eav/attribute-sets/list", all_of(Filter("entity_type_id", "4")))
        categories = self._list("/V1/categories/list", [])
        by_id = {int(c["id"]): c for c in categories if "id" in c}
        paths = {}
        for cid, category in by_id.items():
            ids = [int(part) for part in str(category.get("path") or cid).split("/") if part.isdigit()]
            names = [by_id[i].get("name", str(i)) for i in ids if i in by_id and int(by_id[i].get("level", 2)) >= 2]
            paths[cid] = "/".join(names)
        return Catalog(
            attribute_sets={int(s["attribute_set_id"]): s.get("attribute_set_name", "") for s in sets},
            categories=paths)

    def _options(self, store: str) -> dict[str, dict[str, str]]:
        """Select and multiselect option labels, as the store view shows them."""
        attributes = self._list("/V1/products/attributes", all_of(any_in("frontend_input", ["select", "multiselect"])),
                                store)
        return {a["attribute_code"]: {str(o.get("value")): o.get("label") for o in a.get("options") or []
                                      if str(o.get("value") or "").strip()} for a in attributes}

    def _list(self, path: str, groups: list[list[Filter]], store: str = GLOBAL) -> list[dict]:
        """A small metadata list, read whole (offset paging is safe here: it hardly changes during a run)."""
        items: list[dict] = []
        page = 1
        while True:
            result = self.client.get(store, path, search_criteria(groups, page_size=LIST_PAGE, current_page=page))
            chunk = result.get("items") or []
            items += chunk
            if len(chunk) < LIST_PAGE or len(items) >= int(result.get("total_count") or 0):
                return items
            page += 1


def _id(item: Any) -> int | None:
    try:
        return int(item.get("id"))
    except (AttributeError, TypeError, ValueError):
        return None
