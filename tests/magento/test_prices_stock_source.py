"""The prices and inventoryStockStatus readers against the simulated Magento over real HTTP (strict: requests and
answers checked against Magento's schema): bulk reads, Magento's values per website, group and stock, typed
failures."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from chalicelib.adapters.magento.prices import PriceEndpointMissingError
from local_stack.magento.simulator import MagentoSimulator
from tests.magento.test_source import source_for

WEBSITE_IDS = {"base": 1, "eu": 2}
STOCK_OF = {1: 1, 2: 2}


@pytest.fixture(scope="module")
def shared_sim():
    with MagentoSimulator(products=90, integration_as_bearer=True) as sim:
        sim.start()
        yield sim


@pytest.fixture
def sim(shared_sim):
    shared_sim.missing_endpoints = set()
    shared_sim.clear_requests()
    yield shared_sim
    shared_sim.missing_endpoints = set()
    assert not shared_sim.failures, "the simulator found a request or an answer off Magento's schema"


def websites(sim: MagentoSimulator, sku: str) -> list[int]:
    return sim.product(sku, "all")["extension_attributes"]["website_ids"]


def test_every_product_is_priced_per_website_and_group_with_bulk_reads_only(sim):
    records = list(source_for(sim, page_size=50).read("prices", None))
    assert Counter((r["sku"], r["website_code"]) for r in records) == Counter(
        {(sku, code): 4 for sku in sim.skus() for code, w in WEBSITE_IDS.items() if w in websites(sim, sku)})
    posts = Counter(r.path for r in sim.requests if r.method == "POST")
    pages = -(-len(sim.skus()) // 50)
    assert posts == {f"/rest/all/V1/products/{name}-information": pages
                     for name in ("base-prices", "special-price", "tier-prices")}
    assert sum(1 for r in sim.requests if r.path == "/rest/all/V1/customerGroups/search") == 1
    assert not any("/V1/products/" in r.path and r.method == "GET" and r.path.count("/") > 4 for r in sim.requests), \
        "no request per product"


def test_prices_are_magentos_in_each_website_and_tier_prices_are_the_groups(sim):
    sku = next(s for s in sim.skus("simple") if websites(sim, s) == [1, 2])
    sim.set_price(sku, 40, touch=False)
    sim.set_price(sku, 36.5, store="german", touch=False)
    sim.set_tier_prices(sku, [{"price": 30, "price_type": "fixed", "website_id": 0, "customer_group": "Wholesale",
                               "quantity": 10},
                              {"price": 5, "price_type": "discount", "website_id": 2, "customer_group": "all groups",
                               "quantity": 2}], touch=False)
    records = {(r["website_code"], r["customer_group"]): r for r in source_for(sim).read("prices", None)
               if r["sku"] == sku}
    assert records[("base", "General")]["regular"] == 40 and records[("eu", "General")]["regular"] == 36.5
    assert records[("base", "Wholesale")]["tiers"] == [{"qty": 10, "price_type": "fixed", "price": 30}]
    assert records[("base", "General")]["tiers"] == []
    assert records[("eu", "NOT LOGGED IN")]["tiers"] == [{"qty": 2, "price_type": "discount", "price": 5}]
    assert len(records[("eu", "Wholesale")]["tiers"]) == 2


def test_a_configurables_children_name_it_as_their_parent(sim):
    parent = sim.skus("configurable")[0]
    child_id = sim.product(parent, "all")["extension_attributes"]["configurable_product_links"][0]
    record = next(r for r in source_for(sim).read("prices", None) if r["product_id"] == child_id)
    assert {"sku": parent, "type": "configurable"} in record["parents"]


@pytest.mark.parametrize("path", ["/V1/products/base-prices-information", "/V1/products/tier-prices-information"])
def test_a_store_without_a_price_endpoint_is_a_typed_error_naming_it_and_the_version(sim, path):
    sim.missing_endpoints = {path}
    with pytest.raises(PriceEndpointMissingError) as error:
        list(source_for(sim).read("prices", None))
    assert error.value.code == "source.endpoint_missing"
    assert f"POST {path}" in str(error.value) and "Magento 2.2 or later" in str(error.value)


def test_stock_items_are_magentos_per_stock_with_one_salable_quantity_read(sim):
    records = list(source_for(sim).read("inventoryStockStatus", None))
    assert Counter((r["stock_id"], r["sku"]) for r in records) == Counter(
        {(STOCK_OF[w], sku): 1 for sku in sim.skus() for w in websites(sim, sku) if w in STOCK_OF})
    for record in records[::5]:
        magento = sim.stock(record["sku"], record["stock_id"])
        assert (record["quantity"], record["is_salable"]) == (magento["quantity"], magento["is_salable"])
        if magento["manage_stock"] and magento["quantity"] is not None:
            assert record["salable_quantity"] == magento["salable_quantity"]
    asked = Counter(r.path for r in sim.requests if "/get-product-salable-quantity/" in r.path)
    assert asked and max(asked.values()) == 1, "each product's salable quantity once per stock"


def test_prices_read_now_judge_the_window_at_the_sources_clock(sim):
    at = datetime(2030, 1, 1, tzinfo=UTC)
    source = source_for(sim)
    source._clock = lambda: at
    assert {r["read_at"] for r in source.read("prices", None)} == {"2030-01-01T00:00:00.000Z"}


def test_a_price_record_carries_its_websites_time_zone_from_the_store_config(sim):
    # The simulator's first view of each website: default (base, America/Chicago), german (eu, Europe/Berlin).
    zones = {(r["website_code"], r["timezone"], r["timezone_fallback"]) for r in source_for(sim).read("prices", None)}
    assert zones == {("base", "America/Chicago", None), ("eu", "Europe/Berlin", None)}
