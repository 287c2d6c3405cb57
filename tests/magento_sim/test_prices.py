"""The bulk price reads (base, special, tier prices by lists of SKUs) and the customer groups, strict both ways."""
from __future__ import annotations

import pytest

from local_stack.magento import MagentoSimulator

from .conftest import Http, criteria

BASE = "/rest/V1/products/base-prices-information"
SPECIAL = "/rest/V1/products/special-price-information"
TIER = "/rest/V1/products/tier-prices-information"


def _post(http, path, skus):
    answer = http.request("POST", path, body={"skus": skus})
    assert answer.status == 200, answer.text
    return answer.json


def test_customer_groups(http):
    groups = http.ok("/rest/V1/customerGroups/search", criteria())
    general = http.ok("/rest/V1/customerGroups/search", criteria([("code", "General", "eq")]))

    assert [(g["id"], g["code"]) for g in groups["items"]] == [(0, "NOT LOGGED IN"), (1, "General"),
                                                               (2, "Wholesale"), (3, "Retailer")]
    assert groups["total_count"] == 4 and all(g["tax_class_name"] == "Retail Customer" for g in groups["items"])
    assert [g["id"] for g in general["items"]] == [1]
    assert http.get("/rest/V1/customerGroups/search").status == 400  # searchCriteria is required


@pytest.mark.parametrize("version, past_the_end", [("2.4", []), ("2.3", ["Retailer"])])
def test_customer_groups_paging_on_both_versions(version, past_the_end):
    with MagentoSimulator(10, version=version) as sim:
        page = Http(sim).ok("/rest/V1/customerGroups/search", criteria(page_size=3, page=3))
    assert [g["code"] for g in page["items"]] == past_the_end and page["total_count"] == 4


def test_base_prices_of_hundreds_of_skus_in_one_request(http, sim):
    skus = sim.skus()
    sim.clear_requests()

    prices = _post(http, BASE, skus)

    assert len(sim.requests) == 1
    priced = {p["sku"] for p in prices}
    assert priced and all(sim.product(s, "all")["type_id"] in ("simple", "virtual", "downloadable", "bundle")
                          for s in priced)
    assert not priced & set(sim.skus("configurable") + sim.skus("grouped"))
    eu = next(s for s in priced if sim.product(s, "german")["price"] != sim.product(s, "default")["price"])
    rows = {p["store_id"]: p["price"] for p in prices if p["sku"] == eu}
    assert rows == {0: sim.product(eu, "default")["price"], 3: sim.product(eu, "german")["price"],
                    4: sim.product(eu, "german")["price"]}  # website scope: every store view of the website


def test_only_fixed_price_bundles_have_a_base_price(http, sim):
    bundles = sim.skus("bundle")
    fixed = {s for s in bundles if sim.product(s, "all")["price"] > 0}

    assert {p["sku"] for p in _post(http, BASE, bundles)} == fixed


def test_unknown_skus_are_left_out_without_an_error(http, sim):
    sku = sim.skus("simple")[0]

    for path in (BASE, SPECIAL, TIER):
        assert _post(http, path, ["NO-SUCH-SKU"]) == []
        assert _post(http, path, []) == []
    prices = _post(http, BASE, ["NO-SUCH", f" {sku.lower()} ", sku])
    assert [p["sku"] for p in prices if p["store_id"] == 0] == [f" {sku.lower()} "]  # spelled as first asked


@pytest.mark.parametrize("body, status", [
    (None, 400), ({}, 400), ({"skus": "PRD-000001"}, 400), ({"skus": [1, 2]}, 400), ({"sku": ["x"]}, 400)])
def test_malformed_requests(http, body, status):
    for path in (BASE, SPECIAL, TIER):
        answer = http.request("POST", path, body=body)
        assert answer.status == status, answer.text


def test_a_get_or_a_body_that_is_not_json(http):
    assert http.get(BASE).status == 404  # the route is POST only
    answer = http.request("POST", BASE, body=None, headers={"Content-Type": "application/json"})
    assert answer.status == 400


def test_special_prices_with_windows(http, sim):
    specials = _post(http, SPECIAL, sim.skus())

    assert specials
    assert all(set(p) == {"price", "store_id", "sku", "price_from", "price_to"} for p in specials)
    assert any(p["price_from"] and not p["price_to"] for p in specials)
    for special in specials:
        product = {a["attribute_code"]: a["value"] for a in sim.product(special["sku"], "all")["custom_attributes"]}
        if special["store_id"] == 0:
            assert float(product["special_price"]) == special["price"]
            assert product.get("special_from_date") == special["price_from"]
            assert product.get("special_to_date") == special["price_to"]


def test_special_dates_join_on_the_product_not_the_store(http, sim):
    sku = next(s for s in sim.skus("simple") if 1 in sim.product(s, "all")["extension_attributes"]["website_ids"])
    sim.set_special_price(sku, 5.0, "2025-07-01 00:00:00", "2025-07-31 00:00:00")
    sim.set_special_price(sku, 4.5, "2025-07-10 00:00:00", None, store="german")

    rows = _post(http, SPECIAL, [sku])

    # 3 price rows (stores 0, 3, 4) × 3 start rows × 1 end row: Magento's left joins repeat them.
    assert len(rows) == 9
    assert {(r["store_id"], r["price"]) for r in rows} == {(0, 5), (3, 4.5), (4, 4.5)}
    assert {r["price_from"] for r in rows} == {"2025-07-01 00:00:00", "2025-07-10 00:00:00"}
    assert {r["price_to"] for r in rows} == {"2025-07-31 00:00:00"}


def test_tier_prices(http, sim):
    tiers = _post(http, TIER, sim.skus())

    assert {t["price_type"] for t in tiers} == {"fixed", "discount"}
    assert {t["customer_group"] for t in tiers} >= {"all groups", "Wholesale"}
    assert {t["website_id"] for t in tiers} >= {0, 1}
    bundles = set(sim.skus("bundle"))
    assert all(t["price_type"] == "discount" for t in tiers if t["sku"] in bundles)
    assert all(t["price"] <= 100 for t in tiers if t["price_type"] == "discount")
    sku = tiers[0]["sku"]
    on_product = sim.product(sku, "all")["tier_prices"]
    assert len(on_product) == sum(1 for t in tiers if t["sku"] == sku)
    assert all(t["customer_group_id"] in (0, 1, 2, 3, 32000) for t in on_product)


def test_a_store_views_product_shows_its_websites_tier_prices(sim):
    sku = sim.skus("simple")[0]
    sim.set_tier_prices(sku, [
        {"price": 9, "price_type": "fixed", "website_id": 0, "customer_group": "all groups", "quantity": 5},
        {"price": 10, "price_type": "discount", "website_id": 2, "customer_group": "Wholesale", "quantity": 2}])

    assert [(t["customer_group_id"], t["qty"]) for t in sim.product(sku, "default")["tier_prices"]] == [(32000, 5)]
    german = sim.product(sku, "german")["tier_prices"]
    assert german[1]["extension_attributes"] == {"website_id": 2, "percentage_value": 10}
    assert german[1]["value"] == round(sim.product(sku, "german")["price"] * 0.9, 2)


def test_an_older_store_without_the_price_endpoints(http, sim):
    sim.missing_endpoints = {"/V1/products/base-prices-information"}

    answer = http.request("POST", BASE, body={"skus": []})

    assert answer.status == 404 and answer.json == {"message": "Request does not match any route."}
    assert http.request("POST", TIER, body={"skus": []}).status == 200


def test_faults_apply_to_the_price_endpoints(http, sim):
    sim.faults.throttle(1, retry_after=2)

    throttled = http.request("POST", TIER, body={"skus": []})

    assert throttled.status == 429 and throttled.headers["Retry-After"] == "2"
    assert http.request("POST", TIER, body={"skus": []}).status == 200


def test_the_price_endpoints_need_the_catalog_resource(http, sim):
    assert http.request("POST", BASE, body={"skus": []}, token=None).status == 401
    sim.authenticator.integration_resources = frozenset({"Magento_Catalog::products"})
    sim.integration_as_bearer = True
    answer = http.request("POST", BASE, body={"skus": []}, token=sim.integration.access_token)
    assert answer.status == 401 and answer.json["parameters"] == {"resources": "Magento_Catalog::catalog"}


def test_input_limits_apply_to_the_group_search_not_to_sku_lists(http, sim):
    sim.input_limits = True

    assert http.get("/rest/V1/customerGroups/search", criteria(page_size=500)).status == 400
    assert len(_post(http, TIER, sim.skus() * 3)) == len(_post(http, TIER, sim.skus()))  # arrays of strings: no limit


def test_lenient_mode_still_answers_malformed_bodies_with_400():
    with MagentoSimulator(10, strict=False) as sim:
        http = Http(sim)
        assert http.request("POST", BASE, body={"skus": "PRD-000001"}).status == 400
        assert http.request("POST", BASE, body=["PRD-000001"]).status == 400
        assert http.request("POST", BASE, body={"skus": [1, None]}).json == []
        assert not sim.failures
