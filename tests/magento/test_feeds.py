"""The productAttributes, categories and variants readers, and the products feed's composites and categories,
against the simulated Magento over real HTTP (strict: requests and answers checked against Magento's schema)."""
from __future__ import annotations

import hashlib

import pytest

from chalicelib.adapters.magento import BearerAuth, MagentoCatalogSource, MagentoClient, RetryPolicy
from chalicelib.domain.errors import InvalidRecordError, SourceError
from chalicelib.domain.feeds import FEEDS
from local_stack.magento.simulator import MagentoSimulator
from tests.magento.test_source import Sleeps, source_for

PRODUCTS = 90
WEBSITE = {"default": 1, "french": 1, "german": 2}


@pytest.fixture(scope="module")
def shared_sim():
    with MagentoSimulator(products=PRODUCTS, integration_as_bearer=True) as sim:
        sim.start()
        yield sim


@pytest.fixture
def sim(shared_sim):
    shared_sim.faults.reset()
    shared_sim.clear_requests()
    yield shared_sim
    shared_sim.faults.reset()
    assert not shared_sim.failures, "the simulator found a request or an answer off Magento's schema"


def magento(sim: MagentoSimulator, store: str, path: str, params=()):
    return MagentoClient(sim.base_url, BearerAuth(sim.integration.access_token)).get(store, path, list(params))


def everything(sim: MagentoSimulator, store: str, path: str) -> list[dict]:
    return magento(sim, store, path, [("searchCriteria[pageSize]", "300"), ("searchCriteria[currentPage]", "1")])[
        "items"]


def built(source, feed: str, records) -> list:
    views = {v.code: v for v in source.store_views()}
    return [FEEDS[feed].build(record, views) for record in records]


def test_every_attribute_in_every_store_view_with_its_store_label(sim):
    source = source_for(sim)
    records = list(source.read("productAttributes", None))
    attributes = everything(sim, "all", "/V1/products/attributes")
    assert len(records) == 3 * len(attributes)
    store_ids = {v["code"]: v["id"] for v in magento(sim, "all", "/V1/store/storeViews")}
    for record in records:
        attribute = next(a for a in attributes if a["attribute_code"] == record["attribute_code"])
        labels = {entry["store_id"]: entry["label"] for entry in attribute["frontend_labels"]}
        assert record["label"] == labels.get(store_ids[record["store_view_code"]],
                                             attribute["default_frontend_label"])
    french_color = next(r for r in records if (r["store_view_code"], r["attribute_code"]) == ("french", "color"))
    assert french_color["label"] != next(r["label"] for r in records
                                         if (r["store_view_code"], r["attribute_code"]) == ("default", "color"))
    assert {row.key.scope for row in built(source, "productAttributes", records)} == {"default", "french", "german"}


def test_categories_of_each_store_view_under_its_root_with_url_paths_of_its_url_keys(sim):
    source = source_for(sim)
    records = list(source.read("categories", None))
    for view in ("default", "french", "german"):
        items = {c["id"]: c for c in everything(sim, view, "/V1/categories/list")}
        mine = {r["category_id"]: r for r in records if r["store_view_code"] == view}
        assert 1 not in mine, "the tree's own root (Root Catalog) belongs to no store view"
        root = next(c for c in items.values() if c["level"] == 1)["id"]
        assert set(mine) == {cid for cid, c in items.items() if c["path"].split("/")[1:2] == [str(root)]}
        assert mine[root]["url_path"] == "", "the store's root has no URL path"
        for cid, record in mine.items():
            keys = [next(a["value"] for a in items[int(i)]["custom_attributes"] if a["attribute_code"] == "url_key")
                    for i in items[cid]["path"].split("/")[2:]]
            assert record["url_path"] == "/".join(keys)
            assert record["children"] == [int(c) for c in items[cid]["children"].split(",") if c]
            assert (record["level"], record["path"], record["parent_id"]) == (
                items[cid]["level"], items[cid]["path"], items[cid]["parent_id"])
    assert len(built(source, "categories", records)) == len(records)


def test_one_variant_per_configurable_and_child_with_the_childs_option_values(sim):
    source = source_for(sim)
    records = list(source.read("variants", None))
    expected = {}
    products = {sim.product(s, "all")["id"]: sim.product(s, "all") for s in sim.skus()}
    for parent_sku in sim.skus("configurable"):
        parent = sim.product(parent_sku, "all")
        for child_id in parent["extension_attributes"]["configurable_product_links"]:
            child = products[child_id]
            values = {a["attribute_code"]: a["value"] for a in child["custom_attributes"]}
            expected[(child["sku"], parent_sku)] = [
                values[{"93": "color", "144": "size"}[o["attribute_id"]]]
                for o in sorted(parent["extension_attributes"]["configurable_product_options"],
                                key=lambda o: o["position"])]
    assert {(r["product_sku"], r["parent_sku"]): [v["value_index"] for v in r["option_values"]]
            for r in records} == expected
    rows = built(source, "variants", records)
    assert all(row.document for row in rows) and len(rows) == len(expected)
    first = rows[0]
    assert f'"id":"{hashlib.md5(f"configurable/{first.scope}/{first.id}".encode()).hexdigest()}"' in first.document
    colors = {o["value"]: o["label"] for o in magento(sim, "all", "/V1/products/attributes/color/options")}
    assert all(v["label"] == colors[v["value_index"]] for r in records for v in r["option_values"]
               if v["attribute_code"] == "color"), "labels as the admin shows them"


def test_a_malformed_child_fails_its_variant_only():
    with MagentoSimulator(products=40, integration_as_bearer=True) as own:
        own.start()
        parent = own.skus("configurable")[0]
        child_id = own.product(parent, "all")["extension_attributes"]["configurable_product_links"][0]
        child = next(s for s in own.skus() if own.product(s, "all")["id"] == child_id)
        own.malform_product(child, "missing_sku")
        source = source_for(own)
        outcomes = {}
        for record in source.read("variants", None):
            try:
                built(source, "variants", [record])
                outcomes[(record["product_id"], record["parent_sku"])] = "ok"
            except InvalidRecordError as error:
                outcomes[(record["product_id"], record["parent_sku"])] = str(error)
        assert outcomes[(child_id, parent)] == "product_sku is missing"
        assert list(outcomes.values()).count("ok") == len(outcomes) - 1
        assert not own.failures


def test_a_products_categories_follow_adobes_rules(sim):
    records = list(source_for(sim).products(None))
    listed = [r for r in records if r["status"] == "Enabled" and r["visibility"] != "Not Visible Individually"]
    hidden = [r for r in records if r not in listed]
    assert hidden and all(r["categories"] == [] for r in hidden), "Magento's category index leaves them out"
    trees = {view: {c["id"]: c for c in everything(sim, view, "/V1/categories/list")} for view in WEBSITE}
    assert listed
    for record in listed:
        tree = trees[record["store_view_code"]]
        for entry in record["categories"]:
            category = tree[int(entry["categoryId"])]
            assert category["level"] > 1, "never a root"
            keys = [next(a["value"] for a in tree[int(i)]["custom_attributes"] if a["attribute_code"] == "url_key")
                    for i in category["path"].split("/")[2:]]
            assert entry["categoryPath"] == "/".join(keys)
        own = {link["category_id"] for link in sim.product(record["sku"], record["store_view_code"])[
            "extension_attributes"]["category_links"] if tree[int(link["category_id"])]["level"] > 1}
        assert own <= {e["categoryId"] for e in record["categories"]}


def test_the_composites_pass_asks_only_for_the_links(sim):
    list(source_for(sim).products(None))
    passes = [r.query for r in sim.requests if r.path == "/rest/all/V1/products" and "type_id" in r.query.values()]
    assert passes and all(query.get("fields", "").startswith("items[id,sku,type_id") for query in passes)


def test_a_partial_read_rereads_the_children_of_a_changed_composite():
    with MagentoSimulator(products=40, integration_as_bearer=True) as own:
        own.start()
        source = source_for(own, store_views=("default",))
        since = max(own.updated_at(s) for s in own.skus())
        watermark = f"{since[:10]}T{since[11:19]}.000Z"
        parent = next(s for s in own.skus("configurable")
                      if 1 in own.product(s, "all")["extension_attributes"]["website_ids"])
        own.set_price(parent, 99.0)  # a save of the configurable: its links may have changed with it
        children = {s for s in own.skus() if own.product(s, "all")["id"] in
                    own.product(parent, "all")["extension_attributes"]["configurable_product_links"]}
        records = {r["sku"]: r for r in source.products(watermark)}
        assert parent in records and children <= set(records)
        assert all({"sku": parent, "productType": "configurable"} in records[c]["parents"] for c in children)
        assert not own.failures


def test_read_by_ids_of_the_other_feeds(sim):
    source = source_for(sim)
    assert {r["attribute_code"] for r in source.read_by_ids("productAttributes", ["color"])} == {"color"}
    assert {(r["store_view_code"], r["category_id"]) for r in source.read_by_ids("categories", ["3"])} == {
        ("default", 3), ("french", 3), ("german", 3)}
    child = next(iter(source.read("variants", None)))
    assert [r["parent_sku"] for r in source.read_by_ids("variants", [child["product_sku"]])] == [child["parent_sku"]]


def test_concurrent_requests_never_exceed_the_setting(sim):
    sim.faults.latency = 0.01
    client = MagentoClient(sim.base_url, BearerAuth(sim.integration.access_token), concurrency=3,
                           retry=RetryPolicy(sleep=Sleeps()))
    assert len(list(MagentoCatalogSource(client, page_size=25).products(None))) > 0
    assert 1 < client.most_in_flight <= 3


def test_a_feed_whose_read_fails_says_what_failed(sim):
    sim.faults.path_contains = "/V1/categories/list"
    sim.faults.fail(1000, status=503)
    with pytest.raises(SourceError, match=r"Magento returned 503 for /rest/default/V1/categories/list"):
        list(source_for(sim, budget=1.0, sleeps=Sleeps()).read("categories", None))
