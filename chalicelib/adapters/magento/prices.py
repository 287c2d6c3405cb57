"""The prices feed's read: every product × website × customer group, from Magento's bulk price reads.

A page of products (their SKUs, types, websites) is priced by three POSTs of its SKUs (base, special and tier
prices: ``*-price-information``, hundreds of SKUs each), asked concurrently; the customer groups come from
``/V1/customerGroups/search`` and the composites' links (the ``parents``) from one light pass. The price scope is
the website: a price stored for a store view of the website is the website's, else the default (store 0). A special
price's dates are local dates of the website's time zone (the storeConfigs ``timezone`` of its first store view
synced): each record carries it, and says when it falls back to UTC (a missing or unknown zone).

Records are handed to the feed's builder as Magento gave the values (a malformed price fails its item there).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

from ...domain.errors import SourceError
from ...domain.feeds.composites import parents_in_website
from ...domain.feeds.pricing import time_zone
from ...domain.runs import iso
from .client import MagentoClient, NoRouteError
from .composites import CompositeIndex, offset_pages
from .layout import View
from .mapping import custom_attributes, magento_time
from .paging import GLOBAL, chunks, read_list

BASE = "/V1/products/base-prices-information"
SPECIAL = "/V1/products/special-price-information"
TIER = "/V1/products/tier-prices-information"
GROUPS = "/V1/customerGroups/search"
SINCE_VERSION = "2.2"  # Magento added the bulk price reads (Catalog\Api\*PriceStorageInterface) in 2.2.0
SKUS_PER_REQUEST = 500  # a JSON body: no URL limit; Magento's own storages read in chunks of this order
ALL_GROUPS = "all groups"  # how the tier price read names "every customer group"
FIELDS = "items[id,sku,type_id,updated_at,custom_attributes,extension_attributes[website_ids]],total_count"
Record = dict[str, Any]


class PriceEndpointMissingError(SourceError):
    """Magento does not offer a price endpoint the prices feed reads (an older version, a disabled module)."""

    code = "source.endpoint_missing"


class PriceTables:
    """One page's prices by SKU, as the three reads answered them."""

    def __init__(self, base: list[Any], special: list[Any], tiers: list[Any]):
        self.base = _by_sku_and_store(base)
        self.special = _by_sku_and_store(special)
        self.tiers: dict[str, list[Mapping[str, Any]]] = {}
        for row in tiers:
            if isinstance(row, dict) and isinstance(row.get("sku"), str):
                self.tiers.setdefault(row["sku"], []).append(row)


def _by_sku_and_store(rows: list[Any]) -> dict[str, dict[int, Mapping[str, Any]]]:
    """sku → store id → the first row (special price rows repeat per stored date row: the first is kept)."""
    found: dict[str, dict[int, Mapping[str, Any]]] = {}
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("sku"), str):
            try:
                store_id = int(row.get("store_id") or 0)
            except (TypeError, ValueError):
                store_id = 0
            found.setdefault(row["sku"], {}).setdefault(store_id, row)
    return found


def _in_scope(rows: Mapping[int, Mapping[str, Any]] | None, stores: Sequence[int]) -> Mapping[str, Any] | None:
    """The website's value (a row of one of its store views), else the default (store 0)."""
    if not rows:
        return None
    return next((rows[store] for store in stores if store in rows), rows.get(0))


def post(client: MagentoClient, path: str, skus: Sequence[str]) -> list[Any]:
    try:
        answer = client.post(GLOBAL, path, {"skus": list(skus)})
    except NoRouteError:
        raise PriceEndpointMissingError(
            f"Magento does not offer POST {path}: the prices feed reads prices in bulk through it, which needs "
            f"Magento {SINCE_VERSION} or later (Magento_Catalog's price storage API)") from None
    if not isinstance(answer, list):
        raise SourceError(f"Magento's answer for POST {path} is not a list")
    return answer


def customer_groups(client: MagentoClient) -> list[tuple[int, str]]:
    """(id, code) of every customer group, NOT LOGGED IN (0) included."""
    try:
        groups = read_list(client, GROUPS, [])
    except NoRouteError:
        raise PriceEndpointMissingError(f"Magento does not offer GET {GROUPS} (Magento_Customer): the prices feed "
                                        "needs its customer groups") from None
    return sorted((int(g["id"]), str(g.get("code") or g["id"])) for g in groups
                  if isinstance(g, dict) and g.get("id") is not None)


def price_tables(client: MagentoClient, skus: Sequence[str], pool: Executor) -> PriceTables:
    parts = list(chunks(list(skus), SKUS_PER_REQUEST))
    answers = {path: pool.map(lambda part, p=path: post(client, p, part), parts) for path in (BASE, SPECIAL, TIER)}
    return PriceTables(*([row for answer in answers[path] for row in answer] for path in (BASE, SPECIAL, TIER)))


class PriceRead:
    """What pricing a page needs from the store: its websites (with their store views), groups and links."""

    def __init__(self, client: MagentoClient, views: Sequence[View], index: CompositeIndex,
                 clock: Callable[[], datetime]):
        all_views = client.get(GLOBAL, "/V1/store/storeViews")
        self.websites = {v.website_id: v.view.website_code for v in views}
        self.zones: dict[int, tuple[str, str | None]] = {}
        for v in views:  # the first synced view of each website names its zone
            if v.website_id not in self.zones:
                note = time_zone(v.timezone)[1]
                self.zones[v.website_id] = ("UTC", f"website {v.view.website_code!r}: {note}") if note else (
                    str(v.timezone).strip(), None)
        self.stores = {w: sorted(int(v["id"]) for v in all_views if int(v.get("website_id") or 0) == w)
                       for w in self.websites}
        self.groups = customer_groups(client)
        self.group_ids = {code.lower(): group_id for group_id, code in self.groups}
        self.index = index
        self.read_at = iso(clock())

    def records(self, product: Mapping[str, Any], tables: PriceTables) -> Iterator[Record]:
        sku = product.get("sku")
        if not isinstance(sku, str):
            return
        extension = product.get("extension_attributes") or {}
        in_websites = {int(w) for w in extension.get("website_ids") or [] if str(w).isdigit()}
        kind = product.get("type_id")
        fixed = str(custom_attributes(product).get("price_type")) == "1" if kind == "bundle" else None
        links = self.index.parents_of(product.get("id"), sku)
        for website_id, website_code in self.websites.items():
            if website_id not in in_websites:
                continue
            base = _in_scope(tables.base.get(sku), self.stores[website_id])
            special = _in_scope(tables.special.get(sku), self.stores[website_id])
            parents = [{"sku": p["sku"], "type": p["productType"]}
                       for p in parents_in_website(links, website_id)]
            zone, fallback = self.zones[website_id]
            for group_id, group_code in self.groups:
                yield {"sku": sku, "product_id": product.get("id"), "type": kind, "fixed_price": fixed,
                       "website_id": website_id, "website_code": website_code, "customer_group_id": group_id,
                       "customer_group": group_code, "regular": base.get("price") if base else None,
                       "special": None if special is None else {
                           "price": special.get("price"), "price_from": special.get("price_from"),
                           "price_to": special.get("price_to")},
                       "tiers": self._tiers(tables.tiers.get(sku, ()), website_id, group_id),
                       "parents": parents, "timezone": zone, "timezone_fallback": fallback,
                       "read_at": self.read_at,
                       "updated_at": magento_time(product.get("updated_at"))}

    def _tiers(self, rows: Sequence[Mapping[str, Any]], website_id: int, group_id: int) -> list[Record]:
        tiers = []
        for row in rows:
            group = str(row.get("customer_group") or "").lower()
            if str(row.get("website_id")) not in ("0", str(website_id)):
                continue
            if group != ALL_GROUPS and self.group_ids.get(group) != group_id:
                continue
            tiers.append({"qty": row.get("quantity"), "price_type": row.get("price_type"), "price": row.get("price")})
        return tiers


def read_prices(client: MagentoClient, read: PriceRead, page_size: int, pool: Executor) -> Iterator[Record]:
    """Every price item, a page of products at a time (its SKUs priced by three bulk reads)."""
    for page in offset_pages(client, GLOBAL, [], page_size, FIELDS, pool):
        skus = list(dict.fromkeys(p["sku"] for p in page if isinstance(p.get("sku"), str)))
        tables = price_tables(client, skus, pool) if skus else PriceTables([], [], [])
        for product in page:
            yield from read.records(product, tables)
