"""GET /V1/products: filters, sorting, both paging modes, input limits, websites and store-scoped values."""
from __future__ import annotations

import pytest

from local_stack.magento import MagentoSimulator

from .conftest import PRODUCTS, Http, criteria, sku_path


def ids(result):
    return [item["id"] for item in result["items"]]


def test_everything_with_an_empty_search_criteria(http, sim):
    result = http.products("all")

    assert result["total_count"] == PRODUCTS == len(result["items"])
    assert result["search_criteria"] == {"filter_groups": []}


def test_search_criteria_is_required(http):
    answer = http.get("/rest/V1/products")

    assert answer.status == 400
    assert answer.json == {"message": '"%fieldName" is required. Enter and try again.',
                           "parameters": {"fieldName": "searchCriteria"}}


def test_type_mix_is_realistic(http):
    types = [item["type_id"] for item in http.products("all")["items"]]

    assert types.count("simple") > len(types) / 2
    assert {"simple", "configurable", "virtual", "downloadable", "bundle", "grouped"} <= set(types)


def test_sort_on_entity_id_both_ways(http):
    ascending = http.products("default", sort=[("entity_id", "ASC")])
    descending = http.products("default", sort=[("entity_id", "DESC")])

    assert ids(ascending) == sorted(ids(ascending)) == list(range(1, PRODUCTS + 1))
    assert ids(descending) == ids(ascending)[::-1]


def test_without_sort_order_is_by_updated_at_not_by_id(http):
    items = http.products("default")["items"]

    stamps = [item["updated_at"] for item in items]
    assert stamps == sorted(stamps)
    assert [item["id"] for item in items] != sorted(item["id"] for item in items)


def test_filters_in_a_group_are_ored_and_groups_anded(http):
    result = http.products("default", [("type_id", "virtual", "eq"), ("type_id", "downloadable", "eq")],
                           [("status", "1", "eq")], sort=[("entity_id", "ASC")])

    assert result["items"]
    assert {i["type_id"] for i in result["items"]} <= {"virtual", "downloadable"}
    assert all(i["status"] == 1 for i in result["items"])
    every = http.products("default", sort=[("entity_id", "ASC")])["items"]
    assert ids(result) == [i["id"] for i in every if i["type_id"] in ("virtual", "downloadable") and i["status"] == 1]


@pytest.mark.parametrize("condition, value, keep", [
    ("eq", "10", lambda i: i == 10), ("neq", "10", lambda i: i != 10), ("gt", "100", lambda i: i > 100),
    ("gteq", "100", lambda i: i >= 100), ("lt", "5", lambda i: i < 5), ("lteq", "5", lambda i: i <= 5),
    ("in", "3,7,11", lambda i: i in (3, 7, 11)), ("nin", "3,7,11", lambda i: i not in (3, 7, 11)),
])
def test_conditions_on_entity_id(http, condition, value, keep):
    result = http.products("all", [("entity_id", value, condition)], sort=[("entity_id", "ASC")])

    assert ids(result) == [i for i in range(1, PRODUCTS + 1) if keep(i)]
    assert result["search_criteria"]["filter_groups"] == [
        {"filters": [{"field": "entity_id", "value": value, "condition_type": condition}]}]


def test_sku_in_and_like(http, sim):
    skus = sim.skus("simple")[:3]

    by_in = http.products("default", [("sku", ",".join(skus), "in")])
    by_like = http.products("default", [("sku", "TOP-%", "like")])

    assert sorted(i["sku"] for i in by_in["items"]) == sorted(skus)
    assert by_like["items"] and all(i["sku"].startswith("TOP-") for i in by_like["items"])


def test_updated_at_gteq(http, sim):
    every = http.products("all")["items"]
    cut = sorted(i["updated_at"] for i in every)[len(every) // 2]

    result = http.products("all", [("updated_at", cut, "gteq")])

    assert sorted(ids(result)) == sorted(i["id"] for i in every if i["updated_at"] >= cut)


def test_unknown_filter_field_is_an_error(http):
    answer = http.get("/rest/V1/products", criteria([("no_such_attribute", "1", "eq")]))

    assert answer.status == 400 and answer.json["parameters"] == ["no_such_attribute"]


def test_store_view_does_not_filter_by_website_unless_asked(http):
    everything = http.products("german")
    in_eu = http.products("german", [("website_id", "2", "eq")])

    assert everything["total_count"] == PRODUCTS
    assert 0 < in_eu["total_count"] < PRODUCTS
    assert all(2 in i["extension_attributes"]["website_ids"] for i in in_eu["items"])
    outside = {i["id"] for i in everything["items"]} - {i["id"] for i in in_eu["items"]}
    assert outside and all(2 not in i["extension_attributes"]["website_ids"]
                           for i in everything["items"] if i["id"] in outside)


def test_names_follow_the_store_view(http, sim):
    default = {i["id"]: i["name"] for i in http.products("default")["items"]}
    french = {i["id"]: i["name"] for i in http.products("french")["items"]}
    german = {i["id"]: i["name"] for i in http.products("german")["items"]}

    assert any(french[i] != default[i] for i in default)
    assert any(german[i] != default[i] for i in default)
    assert any(french[i] == default[i] for i in default)  # untranslated products show the default name


def test_store_scoped_status(http, sim):
    sku = sim.skus("simple")[0]
    sim.set_status(sku, 2, store="german")

    assert http.ok(f"/rest/german/V1/products/{sku_path(sku)}")["status"] == 2
    assert http.ok(f"/rest/default/V1/products/{sku_path(sku)}")["status"] == 1


def test_page_past_the_end_on_2_4_is_empty_with_the_same_total(http):
    last = http.products("default", sort=[("entity_id", "ASC")], page_size=50, page=3)
    past = http.products("default", sort=[("entity_id", "ASC")], page_size=50, page=4)

    assert len(last["items"]) == PRODUCTS - 100
    assert past["items"] == [] and past["total_count"] == PRODUCTS
    assert past["search_criteria"]["current_page"] == 4 and past["search_criteria"]["page_size"] == 50


def test_page_past_the_end_on_2_3_repeats_the_last_page():
    with MagentoSimulator(PRODUCTS, seed=7, version="2.3") as sim:
        http = Http(sim)
        last = http.products("default", sort=[("entity_id", "ASC")], page_size=50, page=3)
        past = http.products("default", sort=[("entity_id", "ASC")], page_size=50, page=9)

    assert past["items"] == last["items"] and past["total_count"] == PRODUCTS
    assert sim.failures == []


def test_input_limits_refuse_a_page_over_300(sim, http):
    sim.input_limits = True

    answer = http.get("/rest/V1/products", criteria(page_size=301))
    default_page = http.products("default")

    assert answer.status == 400
    assert answer.json == {"message": "Maximum SearchCriteria pageSize is %max", "parameters": {"max": 300}}
    assert len(default_page["items"]) == 20 and default_page["search_criteria"]["page_size"] == 20
    assert len(http.products("default", page_size=300)["items"]) == PRODUCTS


def test_without_input_limits_any_page_size_goes(http):
    assert len(http.products("default", page_size=1000)["items"]) == PRODUCTS


def test_keyset_paging_reads_everything_once(http):
    seen, last = [], 0
    while True:
        page = http.products("german", [("website_id", "2", "eq")], [("entity_id", str(last), "gt")],
                             sort=[("entity_id", "ASC")], page_size=17, page=1)
        if not page["items"]:
            break
        seen += ids(page)
        last = seen[-1]

    expected = ids(http.products("german", [("website_id", "2", "eq")], sort=[("entity_id", "ASC")]))
    assert seen == expected


def test_product_by_sku_in_store_scope_and_by_store_id(http, sim):
    sku = sim.skus("simple")[0]

    product = http.ok(f"/rest/french/V1/products/{sku_path(sku)}")
    by_store_id = http.ok(f"/rest/V1/products/{sku_path(sku)}", [("storeId", "2")])

    assert product["sku"] == sku and product == by_store_id
    assert product["extension_attributes"]["stock_item"]["product_id"] == product["id"]


def test_product_by_sku_with_an_unknown_store_id(http, sim):
    answer = http.get(f"/rest/V1/products/{sku_path(sim.skus()[0])}", [("storeId", "99")])

    assert answer.status == 404
    assert answer.json == {"message": "The store that was requested wasn't found. Verify the store and try again."}


def test_product_by_sku_is_case_insensitive_and_404s_when_missing(http, sim):
    sku = sim.skus("simple")[0]

    assert http.ok(f"/rest/V1/products/{sku_path(sku.lower())}")["sku"] == sku
    missing = http.get("/rest/V1/products/NO-SUCH-SKU")
    assert missing.status == 404
    assert missing.json["message"] == "The product that was requested doesn't exist. Verify the product and try again."


def test_configurable_links_children_that_are_not_visible_alone(http, sim):
    parent = http.ok(f"/rest/V1/products/{sku_path(sim.skus('configurable')[0])}")
    children = http.ok(f"/rest/V1/configurable-products/{sku_path(parent['sku'])}/children")

    links = parent["extension_attributes"]["configurable_product_links"]
    assert links == [c["id"] for c in children] and len(links) >= 2
    assert all(c["visibility"] == 1 and c["type_id"] == "simple" for c in children)
    assert parent["price"] == 0
    options = {o["attribute_id"]: o for o in parent["extension_attributes"]["configurable_product_options"]}
    colors = {int(a["value"]) for c in children for a in c["custom_attributes"] if a["attribute_code"] == "color"}
    assert {v["value_index"] for v in options["93"]["values"]} == colors


def test_bundle_and_grouped_link_their_parts(http, sim):
    bundle = http.ok(f"/rest/V1/products/{sku_path(sim.skus('bundle')[0])}")
    grouped = http.ok(f"/rest/V1/products/{sku_path(sim.skus('grouped')[0])}")

    assert bundle["extension_attributes"]["bundle_product_options"][0]["product_links"][0]["sku"]
    assert {link["link_type"] for link in grouped["product_links"]} == {"associated"}


def test_select_and_multiselect_values_are_option_ids(http, sim):
    items = http.products("default")["items"]
    values = {a["attribute_code"]: a["value"] for i in items for a in i["custom_attributes"]}
    options = {o["value"] for o in http.ok("/rest/V1/products/attributes/activity/options")}

    assert values["color"].isdigit()
    multiselect = [a["value"] for i in items for a in i["custom_attributes"] if a["attribute_code"] == "activity"]
    assert any("," in v for v in multiselect)
    assert all(part in options for v in multiselect for part in v.split(","))


def test_fields_parameter_trims_the_answer(http):
    answer = http.ok("/rest/V1/products", [*criteria(page_size=2), ("fields", "items[id,sku],total_count")])

    fields = ("fields", "items[sku,extension_attributes[website_ids]]")
    nested = http.ok("/rest/V1/products", [*criteria(page_size=2), fields])

    assert set(answer) == {"items", "total_count"}
    assert all(set(item) == {"id", "sku"} for item in answer["items"])
    assert all(set(item["extension_attributes"]) == {"website_ids"} for item in nested["items"])


def test_same_seed_same_catalog():
    first = MagentoSimulator(300, seed=3)
    second = MagentoSimulator(300, seed=3)
    other = MagentoSimulator(300, seed=4)

    assert [first.product(s) for s in first.skus()] == [second.product(s) for s in second.skus()]
    assert first.skus() != other.skus() or [first.product(s) for s in first.skus()] != [
        other.product(s) for s in other.skus()]
