"""The category tree: levels, paths, children, URL keys and paths per store view, flags, assigned products."""
from __future__ import annotations

from .conftest import criteria


def _list(http, store="default"):
    return {c["id"]: c for c in http.ok(f"/rest/{store}/V1/categories/list", criteria())["items"]}


def _custom(category, code):
    return next(a["value"] for a in category["custom_attributes"] if a["attribute_code"] == code)


def test_a_tree_several_levels_deep(http):
    categories = _list(http)

    assert categories[1]["level"] == 0 and categories[1]["path"] == "1"
    assert categories[2]["level"] == 1 and categories[2]["path"] == "1/2" and categories[2]["parent_id"] == 1
    assert max(c["level"] for c in categories.values()) == 4
    jackets = categories[5]
    assert (jackets["path"], jackets["level"], jackets["parent_id"]) == ("1/2/3/4/5", 4, 4)
    for category in categories.values():
        ids = [int(i) for i in category["path"].split("/")]
        assert ids[-1] == category["id"] and len(ids) == category["level"] + 1
        assert category["parent_id"] == (ids[-2] if len(ids) > 1 else 0)


def test_children_are_the_active_direct_children_comma_separated(http):
    categories = _list(http)

    assert categories[2]["children"] == "3,12,21,27,29,30"  # 33 "Promotions" is inactive
    assert categories[4]["children"] == "5,6,7,8"
    assert categories[33]["is_active"] is False and categories[34]["children"] == ""
    assert categories[30]["include_in_menu"] is False and categories[30]["is_active"] is True


def test_url_keys_and_paths_per_store_view(http):
    default, french = _list(http), _list(http, "french")

    assert _custom(default[5], "url_key") == "jackets-women"
    assert _custom(default[5], "url_path") == "women/tops-women/jackets-women"
    assert (french[5]["name"], _custom(french[5], "url_path")) == ("Vestes", "femmes/hauts-femmes/vestes-femmes")
    assert _custom(default[2], "url_path") == ""  # roots have no URL
    paths = [_custom(c, "url_path") for c in default.values() if c["level"] >= 2]
    assert len(paths) == len(set(paths)), "URL paths are unique in a store view"


def test_the_tree_shows_inactive_categories_and_product_counts(http, sim):
    tree = http.ok("/rest/V1/categories")
    shallow = http.ok("/rest/V1/categories", [("rootCategoryId", "3"), ("depth", "1")])

    assert tree["id"] == 2 and [c["id"] for c in tree["children_data"]] == [3, 12, 21, 27, 29, 30, 33]
    promotions = tree["children_data"][-1]
    assert promotions["is_active"] is False and promotions["children_data"][0]["id"] == 34
    assert sum(c["product_count"] for c in tree["children_data"]) >= 0
    assert [c["id"] for c in shallow["children_data"]] == [4, 9]
    assert all(c["children_data"] == [] for c in shallow["children_data"])
    assert http.get("/rest/V1/categories", [("rootCategoryId", "999")]).status == 404


def test_products_assigned_to_a_category(http, sim):
    every = []
    for category_id in _list(http):
        links = http.ok(f"/rest/V1/categories/{category_id}/products")
        assert all(link["category_id"] == str(category_id) for link in links)
        assert [link["sku"] for link in links] == sim.category_skus(category_id)
        every += [(link["sku"], category_id, link["position"]) for link in links]
    from_products = [(sku, int(link["category_id"]), link["position"]) for sku in sim.skus()
                     for link in sim.product(sku, "all")["extension_attributes"]["category_links"]]
    assert sorted(every) == sorted(from_products)
    assert {c for _, c, _ in every} >= {2, 29}, "some products sit in the root category and on sale"
    missing = http.get("/rest/V1/categories/999/products")
    assert missing.status == 404 and missing.json["parameters"] == {"fieldName": "id", "fieldValue": 999}
