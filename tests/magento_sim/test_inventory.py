"""MSI (sources, stocks, links, resolver, source items, salable quantity) and the legacy stock items."""
from __future__ import annotations

from local_stack.magento import MagentoSimulator

from .conftest import Http, criteria, sku_path

GLOBAL = "/rest/all/V1"
NO_SOURCE_ITEMS = "Can't check requested quantity for products without Source Items support."


def test_sources_stocks_and_links(http):
    sources = http.ok(f"{GLOBAL}/inventory/sources", criteria())
    stocks = http.ok(f"{GLOBAL}/inventory/stocks")
    links = http.ok(f"{GLOBAL}/inventory/stock-source-links", criteria([("stock_id", "2", "eq")]))

    assert [s["source_code"] for s in sources["items"]] == ["default", "us_west", "eu_warehouse", "eu_pickup"]
    assert {s["stock_id"]: s["extension_attributes"]["sales_channels"] for s in stocks["items"]} == {
        1: [{"type": "website", "code": "base"}], 2: [{"type": "website", "code": "eu"}]}
    assert links["items"] == [{"stock_id": 2, "source_code": "eu_warehouse", "priority": 1},
                              {"stock_id": 2, "source_code": "eu_pickup", "priority": 2}]


def test_stock_resolver_maps_websites_to_stocks(http):
    assert http.ok(f"{GLOBAL}/inventory/stock-resolver/website/base")["stock_id"] == 1
    assert http.ok(f"{GLOBAL}/inventory/stock-resolver/website/eu")["stock_id"] == 2
    missing = http.get(f"{GLOBAL}/inventory/stock-resolver/website/mars")
    assert missing.status == 404 and missing.json == {"message": "No linked stock found"}


def test_source_items_for_a_batch_of_skus(http, sim):
    skus = sim.skus("simple")[:5]
    sim.clear_requests()

    result = http.ok(f"{GLOBAL}/inventory/source-items", criteria(
        [("sku", ",".join(skus), "in")], [("source_code", "default", "eq")], sort=[("source_item_id", "ASC")],
        page_size=300, page=1))

    assert {i["sku"] for i in result["items"]} <= set(skus) and result["items"]
    assert all(i["source_code"] == "default" for i in result["items"])
    query = sim.requests[-1].query
    assert query["searchCriteria[filterGroups][0][filters][0][conditionType]"] == "in"
    assert query["searchCriteria[filterGroups][0][filters][0][value]"] == ",".join(skus)


def test_composite_products_have_no_source_items(http, sim):
    parent = sim.skus("configurable")[0]

    result = http.ok(f"{GLOBAL}/inventory/source-items", criteria([("sku", parent, "eq")]))

    assert result == {"items": [], "search_criteria": result["search_criteria"], "total_count": 0}


def test_salable_quantity_is_source_quantity_less_reservations(http, sim):
    checked = 0
    for sku in sim.skus("simple")[:40]:
        stock_one = [("source_code", "default,us_west", "in")]
        items = http.ok(f"{GLOBAL}/inventory/source-items", criteria([("sku", sku, "eq")], stock_one))["items"]
        salable = http.get(f"{GLOBAL}/inventory/get-product-salable-quantity/{sku_path(sku)}/1")
        assert salable.status == 200
        in_stock = sum(i["quantity"] for i in items if i["status"] == 1)
        assert 0 <= salable.json <= in_stock
        checked += salable.json < in_stock
    assert checked, "some products have reservations"


def test_salable_quantity_fails_for_composite_types(http, sim):
    for kind in ("configurable", "bundle", "grouped"):
        answer = http.get(f"{GLOBAL}/inventory/get-product-salable-quantity/{sku_path(sim.skus(kind)[0])}/1")

        assert answer.status == 400 and answer.json == {"message": NO_SOURCE_ITEMS}


def test_is_salable_for_simple_and_configurable(http, sim):
    parent = sim.skus("configurable")[0]

    assert http.ok(f"{GLOBAL}/inventory/is-product-salable/{sku_path(parent)}/1") in (True, False)
    assert http.ok(f"{GLOBAL}/inventory/is-product-salable/NO-SUCH/1") is False


def test_quantity_change_shows_in_msi_and_legacy_stock(http, sim):
    sku = next(s for s in sim.skus("simple") if sim.stock(s, 1)["manage_stock"])
    sim.set_quantity(sku, 0)
    sim.set_quantity(sku, 0, source="us_west")  # the default stock's other source

    legacy = http.ok(f"{GLOBAL}/stockItems/{sku_path(sku)}")
    salable = http.ok(f"{GLOBAL}/inventory/get-product-salable-quantity/{sku_path(sku)}/1")

    assert legacy["qty"] == 0 and legacy["is_in_stock"] is False
    assert salable == 0
    sim.set_quantity(sku, 42)
    assert http.ok(f"{GLOBAL}/stockItems/{sku_path(sku)}")["qty"] == 42


def test_legacy_stock_item_matches_the_default_source(http, sim):
    for sku in sim.skus("simple")[:10]:
        item = http.ok(f"{GLOBAL}/stockItems/{sku_path(sku)}")
        sources = http.ok(f"{GLOBAL}/inventory/source-items", criteria([("sku", sku, "eq")],
                                                                      [("source_code", "default", "eq")]))["items"]
        assert item["qty"] == (sources[0]["quantity"] if sources else 0)
        assert item["stock_id"] == 1


def test_stock_status(http, sim):
    sku = sim.skus("simple")[0]

    status = http.ok(f"{GLOBAL}/stockStatuses/{sku_path(sku)}")

    assert status["stock_item"]["product_id"] == status["product_id"]


def test_are_products_salable(http, sim):
    skus = sim.skus("simple")[:2]

    result = http.ok(f"{GLOBAL}/inventory/are-products-salable", [("skus[]", s) for s in skus] + [("stockId", "1")])

    assert [r["sku"] for r in result] == skus


def test_a_stock_sums_its_sources(http, sim):
    both = next(s for s in sim.skus("simple") if sim.catalog.qty["us_west"][sim.catalog.row_of_sku(s)] > 0
                and sim.stock(s, 1)["manage_stock"])
    items = http.ok(f"{GLOBAL}/inventory/source-items", criteria([("sku", both, "eq")]))["items"]
    in_stock_one = sum(i["quantity"] for i in items if i["source_code"] in ("default", "us_west") and i["status"])

    assert sim.stock(both, 1)["quantity"] == in_stock_one
    salable = http.ok(f"{GLOBAL}/inventory/get-product-salable-quantity/{sku_path(both)}/1")
    assert salable == sim.stock(both, 1)["salable_quantity"] <= in_stock_one


def test_products_without_stock_management_are_always_salable(http, sim):
    unmanaged = [s for s in sim.skus() if not sim.stock(s, 1)["manage_stock"]]

    assert unmanaged and {sim.product(s, "all")["type_id"] for s in unmanaged} <= {"simple", "virtual",
                                                                                     "downloadable"}
    for sku in unmanaged:
        for source in ("default", "us_west", "eu_warehouse", "eu_pickup"):
            if sim.catalog.qty[source][sim.catalog.row_of_sku(sku)] >= 0:
                sim.set_quantity(sku, 0, source=source)
        assert http.ok(f"{GLOBAL}/inventory/is-product-salable/{sku_path(sku)}/1") is True
        item = http.ok(f"{GLOBAL}/stockItems/{sku_path(sku)}")
        assert item["manage_stock"] is False and item["use_config_manage_stock"] is False


def test_a_bundle_is_salable_when_each_required_option_is(http, sim):
    def options_of(sku):
        return sim.product(sku, "all")["extension_attributes"]["bundle_product_options"]

    def stock(option, quantity):
        for link in option["product_links"]:
            sim.set_manage_stock(link["sku"], True)
            for source in ("default", "us_west"):
                sim.set_quantity(link["sku"], quantity, source=source)

    bundle = next(s for s in sim.skus("bundle") if not all(o["required"] for o in options_of(s)))
    options = options_of(bundle)
    for option in options:
        stock(option, 50 if option["required"] else 0)  # (50 outlasts any reservation)

    assert http.ok(f"{GLOBAL}/inventory/is-product-salable/{sku_path(bundle)}/1") is True  # optional ones are empty
    stock(next(o for o in options if o["required"]), 0)
    assert http.ok(f"{GLOBAL}/inventory/is-product-salable/{sku_path(bundle)}/1") is False
    assert http.ok(f"{GLOBAL}/stockItems/{sku_path(bundle)}")["is_in_stock"] is False


def test_without_msi_the_inventory_routes_are_gone_and_the_rest_stays():
    with MagentoSimulator(30, msi=False) as sim:
        http = Http(sim)
        assert http.get(f"{GLOBAL}/inventory/sources", criteria()).status == 404
        assert http.request("POST", "/rest/V1/products/base-prices-information", body={"skus": sim.skus()}).json
        assert http.ok(f"{GLOBAL}/stockItems/{sku_path(sim.skus('simple')[0])}")["stock_id"] == 1
