"""A product's detail names its place among composites: a variant's parent (with its option values, from the
variants feed), a bundle member's parents, and a configurable's variants with their export state."""
import pytest

from chalicelib.search.journaled_feed import JournaledFeedStore
from chalicelib.search.product_search import IndexedProductSearch
from chalicelib.services.export import export_batch
from chalicelib.services.products import product_detail
from chalicelib.services.sync import start_sync
from tests.fakes import VIEWS, InMemorySearchIndexStore, product
from tests.unit.test_sync_service import Clock

CONFIGURABLE = [{"sku": "SKU-0001", "productType": "configurable"}]


def variant(child: int, size: str) -> dict:
    return {"parent_id": 1, "parent_sku": "SKU-0001", "product_id": child, "product_sku": f"SKU-{child:04d}",
            "option_values": [{"attribute_id": 93, "attribute_code": "size", "value_index": child, "label": size}]}


@pytest.fixture
def ctx(fake_ctx):
    fake_ctx.product_search = IndexedProductSearch(InMemorySearchIndexStore())
    fake_ctx.feed_rows.stores["products"] = JournaledFeedStore(fake_ctx.rows("products"), fake_ctx.product_search)
    fake_ctx.source.records = [
        *(product(1, view.code, name="Hoodie", type="configurable", members=["SKU-0002", "SKU-0003"])
          for view in VIEWS),
        *(product(2, view.code, name="Hoodie S", parents=CONFIGURABLE) for view in VIEWS),
        *(product(3, view.code, name="Hoodie M", parents=CONFIGURABLE) for view in VIEWS),
        *(product(4, view.code, name="Kit", type="bundle") for view in VIEWS),
        *(product(5, view.code, name="Sock", parents=[{"sku": "SKU-0004", "productType": "bundle"}])
          for view in VIEWS),
    ]
    fake_ctx.source.feed_records["variants"] = [variant(2, "S"), variant(3, "M")]
    fake_ctx.clock = Clock()
    for feed in ("products", "variants"):
        start_sync(fake_ctx, feed, trigger="cli")
    return fake_ctx


def test_a_configurable_lists_its_variants_with_their_options_and_state(ctx):
    detail = product_detail(ctx, 1)
    assert (detail["name"], detail["type"], detail["parents"]) == ("Hoodie", "configurable", [])
    assert detail["variants"]["total"] == 2
    assert [(v["sku"], v["product_id"], [o["label"] for o in v["options"]], v["export_status"])
            for v in detail["variants"]["items"]] == [("SKU-0002", 2, ["S"], "awaiting_submission"),
                                                      ("SKU-0003", 3, ["M"], "awaiting_submission")]
    for message in ctx.queue.drain():
        export_batch(ctx, message)
    assert {v["export_status"] for v in product_detail(ctx, 1)["variants"]["items"]} == {"submitted"}


def test_a_variant_names_its_configurable_and_its_option_values(ctx):
    detail = product_detail(ctx, 3)
    assert detail["variants"] is None
    assert detail["parents"] == [{"sku": "SKU-0001", "product_type": "configurable", "product_id": 1,
                                  "name": "Hoodie", "options": [{"attribute_code": "size", "label": "M",
                                                                 "value_index": "3"}],
                                  "variant_status": "awaiting_submission"}]


def test_a_bundle_member_names_its_bundle(ctx):
    [parent] = product_detail(ctx, 5)["parents"]
    assert (parent["sku"], parent["product_type"], parent["product_id"], parent["options"]) == (
        "SKU-0004", "bundle", 4, [])
    assert product_detail(ctx, 4)["variants"] is None
