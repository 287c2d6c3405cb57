"""Edits the feed tests need, in Python and over /__sim: special price windows and the clock, tier prices,
configurable children, bundle selections, categories, stock; and which of them move updated_at."""
from __future__ import annotations

import pytest

from .conftest import criteria, sku_path

NOW = "2025-07-01 12:00:00"  # the manual clock's start
SPECIAL = "/rest/V1/products/special-price-information"


def _special(http, sku):
    return http.request("POST", SPECIAL, body={"skus": [sku]}).json


def _simple_in_base(sim):
    return next(s for s in sim.skus("simple") if 1 in sim.product(s, "all")["extension_attributes"]["website_ids"]
                and sim.stock(s, 1)["manage_stock"])


def test_generated_windows_lie_around_the_clocks_day(http, sim):
    windows = [(p["price_from"], p["price_to"]) for p in http.request("POST", SPECIAL, body={
        "skus": sim.skus()}).json]

    assert any(start and start > NOW for start, _ in windows), "some open later"
    assert any(end and end < NOW for _, end in windows), "some are over"
    assert any(start and start < NOW and (end is None or end > NOW) for start, end in windows), "some are open"


def test_a_window_that_opens_changes_nothing_magento_shows(http, sim, clock):
    sku = _simple_in_base(sim)
    before = sim.updated_at(sku)
    sim.set_special_price(sku, 3.5, "2025-07-01 12:30:00", None, touch=False)  # as the bulk API writes it
    answer = _special(http, sku)

    clock.advance(3600)  # the window is open now

    assert _special(http, sku) == answer == [{"price": 3.5, "store_id": 0, "sku": sku,
                                              "price_from": "2025-07-01 12:30:00", "price_to": None}]
    assert sim.updated_at(sku) == before
    assert http.request("GET", "/__sim/clock").json == {"now": "2025-07-01 13:00:00"}


def test_a_special_price_saved_in_the_admin_moves_updated_at(sim, clock):
    sku = _simple_in_base(sim)
    clock.advance(60)

    sim.set_special_price(sku, 4.0, "2025-07-02 00:00:00", "2025-07-09 00:00:00")
    assert sim.updated_at(sku) == "2025-07-01 12:01:00"
    sim.clear_special_price(sku)
    assert sim.prices(sku)["special"] == []


@pytest.mark.parametrize("arguments", [(3.0, "2025-07-02", None), (3.0, None, "02/07/2025 00:00:00"),
                                       (-1.0, None, None)])
def test_special_prices_are_checked(sim, arguments):
    with pytest.raises(ValueError):
        sim.set_special_price(sim.skus("simple")[0], *arguments)
    with pytest.raises(ValueError):
        sim.set_special_price(sim.skus("configurable")[0], 3.0)
    with pytest.raises(ValueError, match="percentage"):
        sim.set_special_price(sim.skus("bundle")[0], 120.0)


def test_special_price_and_clock_over_http(http, sim):
    sku = _simple_in_base(sim)
    clock = http.request("POST", "/__sim/clock", body={"now": "2025-07-01 14:00:00", "advance": 60})
    saved = http.request("POST", f"/__sim/products/{sku_path(sku)}/special-price",
                         body={"price": 2.5, "price_from": "2025-07-02 00:00:00", "store": "german"})
    bad = http.request("POST", f"/__sim/products/{sku_path(sku)}/special-price", body={"price": 2.5, "price_to": "x"})

    assert clock.json == {"now": "2025-07-01 14:01:00"} and saved.status == 200
    assert saved.json["updated_at"] == "2025-07-01 14:01:00" and bad.status == 400
    assert {r["store_id"] for r in _special(http, sku)} >= {3, 4}
    cleared = http.request("DELETE", f"/__sim/products/{sku_path(sku)}/special-price?store=german&touch=false")
    assert cleared.status == 200 and not {r["store_id"] for r in _special(http, sku)} & {3, 4}
    assert http.request("POST", "/__sim/clock", body={"now": "yesterday"}).status == 400


def test_tier_prices_are_replaced_and_checked(http, sim):
    sku = sim.skus("simple")[0]
    tier = {"price": 8, "price_type": "fixed", "website_id": 1, "customer_group": "Retailer", "quantity": 3}

    sim.set_tier_prices(sku, [tier])
    assert sim.prices(sku)["tier"] == [{**tier, "sku": sku}]
    assert sim.updated_at(sku) == NOW
    for wrong in ({**tier, "quantity": 0}, {**tier, "price_type": "percent"}, {**tier, "customer_group": "VIP"},
                  {**tier, "website_id": 7}, {**tier, "price_type": "discount", "price": 150}):
        with pytest.raises((ValueError, KeyError)):
            sim.set_tier_prices(sku, [wrong])
    with pytest.raises(ValueError, match="duplicate"):
        sim.set_tier_prices(sku, [tier, tier])
    with pytest.raises(ValueError, match="bundle"):
        sim.set_tier_prices(sim.skus("bundle")[0], [tier])
    answer = http.request("POST", f"/__sim/products/{sku_path(sku)}/tier-prices",
                          body={"tier_prices": [], "touch": False})
    assert answer.status == 200 and sim.prices(sku)["tier"] == []


def test_adding_and_removing_configurable_children(http, sim, clock):
    parent = sim.skus("configurable")[0]
    clock.advance(120)
    before = http.ok(f"/rest/V1/configurable-products/{sku_path(parent)}/children")

    child = sim.add_configurable_child(parent)
    after = http.ok(f"/rest/V1/configurable-products/{sku_path(parent)}/children")
    assert [c["sku"] for c in after] == [c["sku"] for c in before] + [child]
    assert after[-1]["visibility"] == 1 and sim.updated_at(parent) == "2025-07-01 12:02:00"
    with pytest.raises(ValueError, match="same set"):
        color, size = (next(int(a["value"]) for a in after[-1]["custom_attributes"] if a["attribute_code"] == code)
                       for code in ("color", "size"))
        sim.add_configurable_child(parent, color=color, size=size)

    gone = before[0]
    clock.advance(60)
    sim.remove_configurable_child(parent, gone["sku"])
    remaining = http.ok(f"/rest/V1/configurable-products/{sku_path(parent)}/children")
    assert gone["sku"] not in [c["sku"] for c in remaining]
    assert gone["id"] not in sim.product(parent, "all")["extension_attributes"]["configurable_product_links"]
    orphan = sim.product(gone["sku"], "default")
    assert (orphan["name"], orphan["updated_at"]) == (gone["name"], gone["updated_at"])  # the child is not saved
    assert sim.parents(gone["sku"]) == [] and sim.updated_at(parent) == "2025-07-01 12:03:00"


def test_a_standalone_product_becomes_a_child_with_its_name(sim):
    parent = next(s for s in sim.skus("configurable") if sim.product(s, "all")["attribute_set_id"] == 9)
    loner = next(s for s in sim.skus("simple") if not sim.parents(s) and sim.product(s, "all")["attribute_set_id"] == 9
                 and sim.product(s, "all")["visibility"] == 4)
    name = sim.product(loner)["name"]

    sim.add_configurable_child(parent, loner, color=59, size=170)  # white XL

    assert sim.product(loner)["name"] == name and {"sku": parent, "type": "configurable"} in sim.parents(loner)
    with pytest.raises(ValueError, match="another configurable"):
        sim.add_configurable_child(next(s for s in sim.skus("configurable") if s != parent), loner, 49, 166)


def test_configurable_children_over_http(http, sim):
    parent = sim.skus("configurable")[1]

    added = http.request("POST", f"/__sim/products/{sku_path(parent)}/children", body={})
    removed = http.request("DELETE", f"/__sim/products/{sku_path(parent)}/children/{sku_path(added.json['sku'])}")
    again = http.request("DELETE", f"/__sim/products/{sku_path(parent)}/children/{sku_path(added.json['sku'])}")
    not_configurable = http.request("POST", f"/__sim/products/{sku_path(sim.skus('simple')[0])}/children", body={})

    assert added.status == 201 and removed.status == 200 and again.status == 404 and not_configurable.status == 400


def test_changing_a_bundle_options_selections(http, sim, clock):
    bundle = sim.skus("bundle")[0]
    option = sim.product(bundle, "all")["extension_attributes"]["bundle_product_options"][0]
    members = [s for s in sim.skus("simple") if not sim.parents(s)][:2]
    clock.advance(30)

    sim.set_bundle_option(bundle, option["option_id"], [{"sku": members[0], "qty": 3, "is_default": True},
                                                         {"sku": members[1], "qty": 1}], required=False, touch=False)

    shown = http.ok(f"/rest/V1/bundle-products/{sku_path(bundle)}/options/all")[0]
    assert [(link["sku"], link["qty"], link["is_default"]) for link in shown["product_links"]] == [
        (members[0], 3, True), (members[1], 1, False)]
    assert shown["required"] is False and sim.updated_at(bundle) != "2025-07-01 12:00:30"
    answer = http.request("POST", f"/__sim/products/{sku_path(bundle)}/bundle-options/{option['option_id']}",
                          body={"title": "Mats"})
    assert answer.status == 200 and answer.json["updated_at"] == "2025-07-01 12:00:30"
    composite = http.request("POST", f"/__sim/products/{sku_path(bundle)}/bundle-options/{option['option_id']}",
                             body={"selections": [{"sku": sim.skus("configurable")[0]}]})
    unknown = http.request("POST", f"/__sim/products/{sku_path(bundle)}/bundle-options/999999", body={})
    assert composite.status == 400 and unknown.status == 404


def test_changing_and_moving_a_category(http, sim, clock):
    clock.advance(10)
    sim.set_category(5, store="french", name="Blousons", url_key="blousons")
    sim.set_category(9, parent_id=12, position=3)  # women's bottoms move under men

    french = {c["id"]: c for c in http.ok("/rest/french/V1/categories/list", criteria())["items"]}
    default = {c["id"]: c for c in http.ok("/rest/V1/categories/list", criteria())["items"]}
    assert french[5]["name"] == "Blousons" and default[5]["name"] == "Jackets"
    assert french[5]["updated_at"] == "2025-07-01 12:00:10" and default[4]["updated_at"] == "2022-01-01 00:00:00"
    assert (default[10]["path"], default[10]["level"]) == ("1/2/12/9/10", 4)
    url_path = next(a["value"] for a in default[10]["custom_attributes"] if a["attribute_code"] == "url_path")
    assert url_path == "men/bottoms-women/pants-women"
    assert "9" in default[12]["children"].split(",") and "9" not in default[3]["children"].split(",")


def test_categories_over_http_and_their_checks(http, sim):
    shown = http.request("POST", "/__sim/categories/30", body={"is_active": False})
    hidden = http.ok("/rest/V1/categories/list", criteria([("entity_id", "2", "eq")]))
    loop = http.request("POST", "/__sim/categories/3", body={"parent_id": 5})
    typo = http.request("POST", "/__sim/categories/3", body={"is_active": "no"})

    assert shown.status == 200 and shown.json["is_active"] is False
    assert "30" not in hidden["items"][0]["children"].split(",")  # children lists active children only
    assert loop.status == 400 and typo.status == 400
    assert http.request("POST", "/__sim/categories/999", body={"name": "x"}).status == 404


def test_assigning_a_product_to_categories(http, sim):
    sku = sim.skus("simple")[0]

    sim.set_product_categories(sku, [2, 29])

    assert sku in [link["sku"] for link in http.ok("/rest/V1/categories/29/products")]
    assert [link["category_id"] for link in sim.product(sku)["extension_attributes"]["category_links"]] == ["2", "29"]
    with pytest.raises(KeyError):
        sim.set_product_categories(sku, [999])


def test_source_quantities_and_manage_stock(http, sim):
    sku = _simple_in_base(sim)
    before = sim.updated_at(sku)

    sim.set_quantity(sku, 7, source="us_west")
    sim.set_quantity(sku, 0, source="default")
    items = http.ok("/rest/all/V1/inventory/source-items", criteria([("sku", sku, "eq")]))["items"]
    assert {i["source_code"]: i["quantity"] for i in items}["us_west"] == 7
    assert sim.stock(sku, 1)["quantity"] == 7 and sim.updated_at(sku) == before

    sim.set_quantity(sku, 0, source="us_west")
    assert http.ok(f"/rest/all/V1/inventory/is-product-salable/{sku_path(sku)}/1") is False
    answer = http.request("POST", f"/__sim/products/{sku_path(sku)}/manage-stock", body={"manage_stock": False})
    assert answer.status == 200 and answer.json["updated_at"] == before
    assert http.ok(f"/rest/all/V1/inventory/is-product-salable/{sku_path(sku)}/1") is True
    item = http.ok(f"/rest/all/V1/stockItems/{sku_path(sku)}")
    assert item["manage_stock"] is False and item["is_in_stock"] is True
    assert http.request("GET", f"/__sim/products/{sku_path(sku)}/stock?stock_id=1").json["is_salable"] is True


def test_readers_over_http(http, sim):
    child = sim.catalog.sku[sim.catalog.children(sim.catalog.entity_id[sim.catalog.row_of_sku(
        sim.skus("configurable")[0])])[0]]

    assert http.request("GET", f"/__sim/products/{sku_path(child)}/parents").json == sim.parents(child)
    assert http.request("GET", f"/__sim/products/{sku_path(child)}/prices").json == sim.prices(child)
    assert http.request("GET", "/__sim/summary").json == sim.summary()
    assert http.request("GET", "/__sim/categories/5?store=german").json["name"] == "Jacken"
    assert http.request("POST", "/__sim/config", body={"missing_endpoints": ["/V1/nope"]}).status == 400
