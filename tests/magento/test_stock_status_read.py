"""The inventoryStockStatus feed's salable quantities against the simulated Magento over real HTTP: asked
concurrently within the client's concurrency, on their own queue, and only of products that can have one (in
bulk first, one request each for those the bulk answer does not settle: test_salable_bulk.py)."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib.adapters.magento import BearerAuth, MagentoCatalogSource, MagentoClient, RetryPolicy
from chalicelib.adapters.magento.inventory import Inventory
from chalicelib.adapters.magento.layout import read_views
from chalicelib.adapters.magento.stock_status import StockStatusReader
from local_stack.magento.simulator import MagentoSimulator
from tests.magento.test_source import Sleeps, source_for

SALABLE = "/get-product-salable-quantity/"
BULK = "/are-product-salable-for-requested-qty/"
BULK_TEMPLATE = "/V1/inventory/are-product-salable-for-requested-qty/"


@pytest.fixture
def own_sim():
    with MagentoSimulator(products=60, integration_as_bearer=True) as sim:
        sim.start()
        yield sim
        assert not sim.failures, "the simulator found a request or an answer off Magento's schema"


def asked(sim: MagentoSimulator, stock_id: int | None = None) -> Counter[str]:
    """The SKUs whose salable quantity was asked (in ``stock_id``), with how often."""
    return Counter(r.path.split("/")[-2] for r in sim.requests
                   if SALABLE in r.path and (stock_id is None or r.path.endswith(f"/{stock_id}")))


def bulk_asked(sim: MagentoSimulator, stock_id: int | None = None) -> Counter[str]:
    """The SKUs asked in bulk whether they can be sold in a quantity (in ``stock_id``), with how often."""
    return Counter(value for r in sim.requests if BULK in r.path and (stock_id is None
                                                                         or r.query.get("stockId") == str(stock_id))
                   for name, value in r.query.items() if name.endswith("[sku]"))


def given(sim: MagentoSimulator, stock_id: int) -> Counter[str]:
    """The SKUs whose salable quantity the read asked Magento about, one way or the other."""
    return asked(sim, stock_id) + bulk_asked(sim, stock_id)


def salable_simple(sim: MagentoSimulator, website_id: int) -> list[str]:
    """Managed simple products of the website that Magento can sell some of in its stock (stock id = website id)."""
    return [s for s in sim.skus("simple") if website_id in sim.product(s, "all")["extension_attributes"]["website_ids"]
            and (stock := sim.stock(s, website_id))["manage_stock"] and stock["salable_quantity"] > 0]


class CountingClient(MagentoClient):
    """Counts the requests in flight itself (inside the client's slot), by kind."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.counting = threading.Lock()
        self.now: Counter[str] = Counter()
        self.most: Counter[str] = Counter()

    def _answer(self, method: str, url: str, *args: Any) -> Any:
        kind = "salable" if SALABLE in url else "bulk" if BULK in url else "other"
        with self.counting:
            self.now.update((kind, "all"))
            for name in (kind, "all"):
                self.most[name] = max(self.most[name], self.now[name])
        try:
            return super()._answer(method, url, *args)
        finally:
            with self.counting:
                self.now.subtract((kind, "all"))


def counting_client(sim: MagentoSimulator, concurrency: int) -> CountingClient:
    return CountingClient(sim.base_url, BearerAuth(sim.integration.access_token), concurrency=concurrency,
                          retry=RetryPolicy(sleep=Sleeps()))


def test_salable_quantities_are_asked_concurrently_and_never_more_than_the_setting_at_once(own_sim):
    own_sim.missing_endpoints = {BULK_TEMPLATE}  # every salable quantity one request: many to overlap
    own_sim.faults.latency = 0.01
    client = counting_client(own_sim, 3)
    records = list(MagentoCatalogSource(client, page_size=10).read("inventoryStockStatus", None))
    assert records and asked(own_sim)
    assert client.most["all"] <= 3 and client.most_in_flight <= 3, "the setting caps every request, of any kind"
    assert client.most["salable"] > 1, "salable quantities are asked several at once"


@pytest.mark.parametrize("concurrency", [1, 2, 5])
def test_the_bulk_answers_and_the_remaining_reads_stay_within_the_setting(concurrency):
    with MagentoSimulator(products=400, integration_as_bearer=True) as sim:
        sim.start()
        sim.faults.latency = 0.002
        client = counting_client(sim, concurrency)
        records = list(MagentoCatalogSource(client, page_size=20).read("inventoryStockStatus", None))
        assert records and bulk_asked(sim) and asked(sim), "both kinds were asked"
        assert client.most["all"] <= concurrency and client.most_in_flight <= concurrency
        assert client.most["bulk"] <= concurrency and client.most["salable"] <= concurrency
        if concurrency > 1:
            assert client.most["all"] > 1, "requests overlap"
        assert not sim.failures


class RecordingPool(ThreadPoolExecutor):
    """A pool that notes what each map call was given."""

    def __init__(self) -> None:
        super().__init__(2)
        self.maps: list[list] = []

    def map(self, fn, *iterables, **kwargs):  # type: ignore[no-untyped-def]
        items = list(iterables[0])
        self.maps.append(items)
        return super().map(fn, items, **kwargs)


def test_salable_quantities_have_a_queue_of_their_own(own_sim):
    client = MagentoClient(own_sim.base_url, BearerAuth(own_sim.integration.access_token))
    with RecordingPool() as pool, RecordingPool() as per_product:
        reader = StockStatusReader(client, Inventory(client, pool), 25, pool, per_product)
        records = list(reader.read(read_views(client, ())))
    skus = [sku for items in per_product.maps for sku in items]
    assert skus and all(isinstance(sku, str) for sku in skus), "one salable quantity per product, on its own queue"
    assert pool.maps and all(not isinstance(chunk, str) for items in pool.maps for chunk in items), \
        "pages and batched requests (the bulk answers among them) on the other"
    assert {(r["stock_id"], r["sku"]) for r in records if r["salable_quantity"]} <= {
        (stock_id, sku) for stock_id in (1, 2) for sku in given(own_sim, stock_id)}


def test_a_product_disabled_in_every_website_of_the_stock_is_not_asked_its_salable_quantity(own_sim):
    disabled, enabled_here, enabled = salable_simple(own_sim, 1)[:3]
    own_sim.set_status(disabled, 2, store="default")  # disabled in the base website (stock 1)
    own_sim.set_status(enabled_here, 2)  # disabled by default, enabled in the base website
    own_sim.set_status(enabled_here, 1, store="default")
    own_sim.clear_requests()
    records = {r["sku"]: r for r in source_for(own_sim, store_views=("default",)).read("inventoryStockStatus", None)}
    assert disabled not in given(own_sim, 1)
    assert (records[disabled]["salable_quantity"], records[disabled]["is_salable"]) == (None, True), \
        "none read; Magento's own answer whether it is salable"
    for sku in (enabled_here, enabled):
        assert given(own_sim, 1)[sku] >= 1
        assert records[sku]["salable_quantity"] == own_sim.stock(sku, 1)["salable_quantity"]
    status_reads = [r for r in own_sim.requests if r.path == "/rest/default/V1/products"
                    and r.query.get("fields") == "items[id,status]"]
    pages = -(-len(own_sim.skus()) // 25)
    assert 0 < len(status_reads) <= pages, "one status read per page and website of the stock"


def test_only_products_that_can_have_a_salable_quantity_are_asked_it(own_sim):
    records = list(source_for(own_sim).read("inventoryStockStatus", None))
    for record in records:
        stock_id, sku = record["stock_id"], record["sku"]
        magento = own_sim.stock(sku, stock_id)
        view = {1: "default", 2: "german"}[stock_id]
        can_have = (magento["quantity"] is not None and magento["manage_stock"] and magento["is_salable"]
                    and own_sim.product(sku, view)["status"] != 2)
        assert (given(own_sim, stock_id)[sku] > 0) == can_have, (stock_id, sku, magento)
        assert asked(own_sim, stock_id)[sku] <= 1 and bulk_asked(own_sim, stock_id)[sku] <= 1


def test_a_store_that_asks_to_slow_down_during_the_salable_quantities_is_waited_for(own_sim):
    expected = sorted((r["stock_id"], r["sku"], r["salable_quantity"])
                      for r in source_for(own_sim).read("inventoryStockStatus", None))
    own_sim.faults.path_contains = SALABLE
    own_sim.faults.fail(3, status=503)
    sleeps = Sleeps()
    records = list(source_for(own_sim, sleeps=sleeps).read("inventoryStockStatus", None))
    assert sorted((r["stock_id"], r["sku"], r["salable_quantity"]) for r in records) == expected
    assert sleeps, "the 503s were retried after a pause"
