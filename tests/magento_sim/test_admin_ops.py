"""Edits while the server runs: what bumps updated_at (product saves) and what does not (stock, mass updates)."""
from __future__ import annotations

import pytest

from .conftest import PRODUCTS, criteria, sku_path

NOW = "2025-07-01 12:00:00"  # the manual clock's start


def test_price_change_bumps_updated_at(http, sim, clock):
    sku = sim.skus("simple")[0]
    clock.advance(60)

    sim.set_price(sku, 12.5)
    product = http.ok(f"/rest/V1/products/{sku_path(sku)}")

    assert product["price"] == 12.5 and product["updated_at"] == "2025-07-01 12:01:00"
    changed = http.products("default", [("updated_at", "2025-07-01 12:00:00", "gteq")])
    assert [i["sku"] for i in changed["items"]] == [sku]


def test_store_price_applies_to_the_stores_website(http, sim):
    sku = sim.skus("simple")[0]

    sim.set_price(sku, 9.99, store="german")

    assert http.ok(f"/rest/german/V1/products/{sku_path(sku)}")["price"] == 9.99
    assert http.ok(f"/rest/default/V1/products/{sku_path(sku)}")["price"] != 9.99


def test_quantity_change_does_not_bump_updated_at(http, sim):
    sku = sim.skus("simple")[0]
    before = sim.updated_at(sku)

    sim.set_quantity(sku, 3)

    assert sim.updated_at(sku) == before
    assert http.products("default", [("updated_at", NOW, "gteq")])["total_count"] == 0


def test_mass_update_does_not_bump_updated_at(sim):
    sku = sim.skus("simple")[0]
    before = sim.updated_at(sku)

    sim.set_price(sku, 1.0, touch=False)

    assert sim.updated_at(sku) == before and sim.product(sku)["price"] == 1


def test_name_per_store(http, sim):
    sku = sim.skus("simple")[0]

    sim.set_name(sku, "Nom français", store="french")

    assert http.ok(f"/rest/french/V1/products/{sku_path(sku)}")["name"] == "Nom français"
    assert http.ok(f"/rest/default/V1/products/{sku_path(sku)}")["name"] != "Nom français"
    assert sim.updated_at(sku) == NOW


def test_add_and_delete_products(http, sim):
    sku = sim.add_product("Brand New Tee", price=25, attribute_set_id=9)

    added = http.ok(f"/rest/V1/products/{sku_path(sku)}")
    assert added["id"] == PRODUCTS + 1 and added["name"] == "Brand New Tee"
    assert added["created_at"] == added["updated_at"] == NOW
    assert http.products("default")["total_count"] == PRODUCTS + 1

    sim.delete_product(sku)
    assert http.get(f"/rest/V1/products/{sku_path(sku)}").status == 404
    assert http.products("default")["total_count"] == PRODUCTS


def test_malformed_products_reach_the_client(http, sim):
    missing_name, bad_price = sim.skus("simple")[:2]
    sim.malform_product(missing_name, "missing_name")
    sim.malform_product(bad_price, "bad_price")

    items = {i["id"]: i for i in http.products("default", [("sku", f"{missing_name},{bad_price}", "in")])["items"]}

    by_sku = {i.get("sku"): i for i in items.values()}
    assert "name" not in by_sku[missing_name]
    assert isinstance(by_sku[bad_price]["price"], str)


def test_a_malformed_bundle_selection_quantity_reaches_the_client(http, sim):
    bundle, simple = sim.skus("bundle")[0], sim.skus("simple")[0]
    sim.malform_product(bundle, "bad_selection_qty")

    [item] = http.products("default", [("sku", bundle, "eq")])["items"]

    first = item["extension_attributes"]["bundle_product_options"][0]["product_links"][0]
    assert isinstance(first["qty"], str) and "," in first["qty"]
    with pytest.raises(ValueError, match="bundle products only"):
        sim.malform_product(simple, "bad_selection_qty")


def test_malformed_without_sku(http, sim):
    sku = sim.skus("simple")[0]
    sim.malform_product(sku, "missing_sku")

    listed = http.products("default", sort=[("entity_id", "ASC")], page_size=200)["items"]

    assert sum("sku" not in i for i in listed) == 1


def test_edits_over_the_admin_http_endpoints(http, sim, clock):
    sku = sim.skus("simple")[0]
    clock.advance(3600)

    price = http.request("POST", f"/__sim/products/{sku_path(sku)}/price", body={"price": 7}, token=None)
    quantity = http.request("POST", f"/__sim/products/{sku_path(sku)}/quantity", body={"quantity": 5,
                                                                                        "source": "eu_warehouse"})
    added = http.request("POST", "/__sim/products", body={"name": "Over HTTP", "price": 3})
    deleted = http.request("DELETE", f"/__sim/products/{sku_path(added.json['sku'])}")
    missing = http.request("POST", "/__sim/products/NOPE/price", body={"price": 1})

    assert price.status == 200 and price.json["updated_at"] == "2025-07-01 13:00:00"
    assert quantity.status == 200 and quantity.json["updated_at"] == "2025-07-01 13:00:00"
    assert added.status == 201 and deleted.status == 200 and missing.status == 404
    assert http.ok(f"/__sim/products/{sku_path(sku)}")["price"] == 7


def test_settings_over_the_admin_http_endpoint(http, sim):
    info = http.request("POST", "/__sim/config", body={"paging": "2.3", "input_limits": True})

    assert info.json["paging"] == "2.3" and sim.input_limits
    assert http.get("/rest/V1/products", criteria(page_size=500)).status == 400


def test_request_log_over_http(http, sim):
    http.get("/rest/V1/store/websites")

    log = http.request("GET", "/__sim/requests").json

    assert log[-1]["path"] == "/rest/V1/store/websites"
    assert http.request("DELETE", "/__sim/requests").json == []
