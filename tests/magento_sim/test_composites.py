"""Composite products and what hangs off a product, as Magento's REST shows them: configurables and their children,
bundles' options and selections, grouped members, product links, downloadable links, media, yes/no attributes."""
from __future__ import annotations

from .conftest import criteria, sku_path

NOT_BUNDLE = {"message": "This is implemented for bundle products only."}


def _extension(sim, sku, store="all"):
    return sim.product(sku, store)["extension_attributes"]


def test_configurables_name_their_options_and_children(http, sim):
    for parent in sim.skus("configurable"):
        ext = _extension(sim, parent)
        children = http.ok(f"/rest/all/V1/configurable-products/{sku_path(parent)}/children")
        options = http.ok(f"/rest/all/V1/configurable-products/{sku_path(parent)}/options/all")

        assert options == ext["configurable_product_options"]
        assert [c["id"] for c in children] == ext["configurable_product_links"] and children
        assert [(o["attribute_id"], o["label"], o["position"]) for o in options] == [("93", "Color", 0),
                                                                                     ("144", "Size", 1)]
        for position, code in enumerate(("color", "size")):
            used = {int(a["value"]) for c in children for a in c["custom_attributes"] if a["attribute_code"] == code}
            assert [v["value_index"] for v in options[position]["values"]] == sorted(used)
        assert all(c["type_id"] == "simple" and c["visibility"] == 1 for c in children)
        assert len({tuple(a["value"] for a in c["custom_attributes"] if a["attribute_code"] in ("color", "size"))
                    for c in children}) == len(children), "each child has its own color and size"


def test_configurable_endpoints_on_other_products(http, sim):
    simple = sim.skus("simple")[0]

    assert http.ok(f"/rest/V1/configurable-products/{sku_path(simple)}/children") == []
    answer = http.get(f"/rest/V1/configurable-products/{sku_path(simple)}/options/all")
    assert answer.status == 400 and answer.json["parameters"] == [simple]
    assert http.get("/rest/V1/configurable-products/NO-SUCH/children").status == 404


def test_bundles_have_required_and_optional_options_with_quantities(http, sim):
    optional = quantities = 0
    for bundle in sim.skus("bundle"):
        options = http.ok(f"/rest/all/V1/bundle-products/{sku_path(bundle)}/options/all")
        assert options == _extension(sim, bundle)["bundle_product_options"]
        assert options[0]["required"] is True and all(o["sku"] == bundle for o in options)
        assert {o["type"] for o in options} <= {"select", "radio", "checkbox", "multi"}
        for option in options:
            assert option["product_links"], "every option offers something"
            links = option["product_links"]
            assert all(sim.product(link["sku"], "all")["type_id"] in ("simple", "virtual") for link in links)
            assert all(link["option_id"] == option["option_id"] and link["qty"] > 0 for link in links)
            if option["type"] in ("radio", "select"):
                assert links[0]["is_default"] is True
            quantities += any(link["qty"] > 1 for link in links)
        optional += any(not o["required"] for o in options)
    assert optional and quantities, "some options are optional, some selections come in quantities"


def test_dynamic_and_fixed_price_bundles(http, sim):
    kinds = {}
    for bundle in sim.skus("bundle"):
        product = sim.product(bundle, "all")
        price_type = next(a["value"] for a in product["custom_attributes"] if a["attribute_code"] == "price_type")
        link = product["extension_attributes"]["bundle_product_options"][0]["product_links"][0]
        children = http.ok(f"/rest/all/V1/bundle-products/{sku_path(bundle)}/children")
        kinds[price_type] = (product, link, children[0])
    dynamic, link, child = kinds["0"]
    assert dynamic["price"] == 0 and link["price_type"] is None
    assert link["price"] == sim.product(link["sku"], "all")["price"]  # the selected product's own price
    assert child["price"] is None and child["price_type"] is None  # LinkManagement::getChildren leaves them out
    fixed, link, child = kinds["1"]
    assert fixed["price"] > 0 and link["price_type"] in (0, 1) and child["price"] == link["price"]


def test_bundle_children_of_one_option(http, sim):
    bundle = sim.skus("bundle")[0]
    options = http.ok(f"/rest/V1/bundle-products/{sku_path(bundle)}/options/all")
    every = http.ok(f"/rest/V1/bundle-products/{sku_path(bundle)}/children")
    last = options[-1]["option_id"]

    one = http.ok(f"/rest/V1/bundle-products/{sku_path(bundle)}/children", [("optionId", str(last))])

    assert [c["sku"] for c in every] == [link["sku"] for o in options for link in o["product_links"]]
    assert [c["sku"] for c in one] == [link["sku"] for link in options[-1]["product_links"]]
    assert http.get(f"/rest/V1/bundle-products/{sku_path(bundle)}/children", [("optionId", "x")]).status == 400


def test_bundle_endpoints_on_other_products(http, sim):
    grouped = sim.skus("grouped")[0]

    for path in (f"bundle-products/{sku_path(grouped)}/options/all", f"bundle-products/{sku_path(grouped)}/children"):
        answer = http.get(f"/rest/V1/{path}")
        assert answer.status == 400 and answer.json == NOT_BUNDLE
    assert http.get("/rest/V1/bundle-products/NO-SUCH/options/all").status == 404


def test_grouped_products_link_their_members_with_quantities(http, sim):
    quantities = set()
    for grouped in sim.skus("grouped"):
        links = sim.product(grouped, "all")["product_links"]
        associated = http.ok(f"/rest/V1/products/{sku_path(grouped)}/links/associated")

        assert associated == [link for link in links if link["link_type"] == "associated"] and associated
        assert all(link["sku"] == grouped and "qty" in link["extension_attributes"] for link in associated)
        assert [link["position"] for link in associated] == list(range(1, len(associated) + 1))
        quantities |= {link["extension_attributes"]["qty"] for link in associated}
    assert quantities and quantities <= {0, 1, 2}  # the default quantity a shopper sees (0: none preset)


def test_link_types_and_links_of_a_type(http, sim):
    types = http.ok("/rest/V1/products/links/types")
    linked = next(s for s in sim.skus() if any(link["link_type"] == "related"
                                                for link in sim.product(s, "all")["product_links"]))

    assert types == [{"code": 1, "name": "related"}, {"code": 5, "name": "crosssell"}, {"code": 4, "name": "upsell"},
                     {"code": 3, "name": "associated"}]
    related = http.ok(f"/rest/V1/products/{sku_path(linked)}/links/related")
    assert related and all(link["link_type"] == "related" for link in related)
    assert http.ok(f"/rest/V1/products/{sku_path(linked)}/links/associated") == []
    unknown = http.get(f"/rest/V1/products/{sku_path(linked)}/links/similar")
    assert unknown.status == 404 and unknown.json["parameters"] == ["similar"]
    assert http.get("/rest/V1/products/NO-SUCH/links/related").status == 404


def test_downloadable_links_and_media(http, sim):
    downloadable, simple = sim.skus("downloadable")[0], sim.skus("simple")[0]

    links = http.ok(f"/rest/V1/products/{sku_path(downloadable)}/downloadable-links")
    assert links == _extension(sim, downloadable, "default")["downloadable_product_links"] and links
    assert http.ok(f"/rest/V1/products/{sku_path(simple)}/downloadable-links") == []
    media = http.ok(f"/rest/french/V1/products/{sku_path(simple)}/media")
    assert media == sim.product(simple, "french")["media_gallery_entries"] and media
    assert http.get("/rest/V1/products/NO-SUCH/media").status == 404


def test_yes_no_attributes(http, sim):
    attribute = http.ok("/rest/V1/products/attributes/eco_collection")
    german = http.ok("/rest/german/V1/products/attributes/eco_collection/options")
    booleans = http.ok("/rest/V1/products/attributes", criteria([("frontend_input", "boolean", "eq")]))["items"]

    assert attribute["frontend_input"] == "boolean" and attribute["is_user_defined"] is True
    assert attribute["options"] == [{"label": "Yes", "value": "1"}, {"label": "No", "value": "0"}]
    assert german == [{"label": "Ja", "value": "1"}, {"label": "Nein", "value": "0"}]
    codes = {a["attribute_code"] for a in booleans}
    assert {"eco_collection", "performance_fabric", "erin_recommends", "new", "sale"} <= codes
    values = [a["value"] for s in sim.skus() for a in sim.product(s)["custom_attributes"]
              if a["attribute_code"] in codes]
    assert set(values) == {"1", "0"}
    missing = http.get("/rest/V1/products/attributes/no_such_code")
    assert missing.status == 404 and missing.json["parameters"] == ["no_such_code"]
