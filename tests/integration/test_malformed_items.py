"""On DynamoDB (moto): an item the source returns malformed is a failed row with its reason, in every feed — one its
builder cannot use, and one the source itself found malformed (``error``) — while the feed's other items go out and
the run succeeds; and through the real adapter, a product and a variant Magento answers malformed."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds import FEEDS
from chalicelib.domain.runs import SUCCESS
from chalicelib.services.sync import scheduled_syncs, start_sync
from local_stack.magento.simulator import MagentoSimulator
from tests.fakes import InMemorySource, product
from tests.integration.test_feed_syncs import context, finish, magento_source, sent

ATTRIBUTE = {"store_view_code": "default", "attribute_id": 150, "attribute_code": "eco_collection",
             "frontend_input": "boolean", "backend_type": "int", "label": "Eco Collection", "scope": "global",
             "user_defined": True}
CATEGORY = {"store_view_code": "default", "category_id": 3, "name": "Women", "level": 2, "path": "1/2/3",
            "parent_id": 2, "children": [], "is_active": True}
VARIANT = {"parent_id": 100, "parent_sku": "CONF", "product_id": 101, "product_sku": "CONF-S",
           "option_values": [{"attribute_id": 144, "attribute_code": "size", "value_index": 167, "label": "S"}]}
PRICE = {"sku": "MJ01", "product_id": 58, "type": "simple", "website_id": 1, "website_code": "base",
         "customer_group_id": 0, "customer_group": "NOT LOGGED IN", "regular": 45.0, "special": None, "tiers": [],
         "parents": [], "read_at": "2026-11-22T10:00:00.000Z"}
STOCK = {"stock_id": 1, "stock_name": "Default Stock", "sku": "MJ01", "product_id": 58, "type": "simple",
         "quantity": 12, "salable_quantity": 9, "is_salable": True, "manage_stock": True, "notify_stock_qty": 1}
FLAGGED = {"error": "malformed Magento record: custom_attributes is not a list", "error_code": "source.malformed"}


# feed → (a good record, one its builder refuses and why (code, message), one the source flagged), each its own item
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], tuple[str, str], dict[str, Any]]] = {
    "products": (product(1), product(2, price=-4), ("invalid_record.price", "price is negative: -4.0"),
                 {**product(3), **FLAGGED}),
    "productAttributes": (ATTRIBUTE, {**ATTRIBUTE, "attribute_code": "new", "attribute_id": 153, "scope": "planet"},
                          ("invalid_record.scope", "scope is not one of global, store, website: 'planet'"),
                          {**ATTRIBUTE, "attribute_code": "sale", "attribute_id": 154, **FLAGGED}),
    "categories": (CATEGORY, {**CATEGORY, "category_id": 4, "path": "1/2/x"},
                   ("invalid_record.path", "path is not a path of category ids: '1/2/x'"),
                   {**CATEGORY, "category_id": 5, **FLAGGED}),
    "variants": (VARIANT, {**VARIANT, "product_id": 102, "product_sku": "CONF-M", "option_values": []},
                 ("invalid_record.option_values", "the configurable has no options"),
                 {**VARIANT, "product_id": 103, "product_sku": "CONF-L", **FLAGGED}),
    "prices": (PRICE, {**PRICE, "sku": "MJ02", "product_id": 59, "regular": -3},
               ("invalid_record.regular", "the regular price is not a price ≥ 0: -3"),
               {**PRICE, "sku": "MJ03", "product_id": 60, **FLAGGED}),
    "inventoryStockStatus": (STOCK, {**STOCK, "sku": "MJ02", "product_id": 59, "quantity": "x"},
                             ("invalid_record.quantity", "quantity is not a number: 'x'"),
                             {**STOCK, "sku": "MJ03", "product_id": 60, **FLAGGED}),
}


def test_every_feed_has_a_malformed_case():
    assert set(CASES) == set(FEEDS), "add the new feed's records to CASES"


@pytest.mark.parametrize("feed", list(CASES))
def test_a_malformed_item_is_a_failed_row_with_its_reason_and_the_others_go_out(aws, feed):
    good, refused, (code, message), flagged = CASES[feed]
    source = InMemorySource([good, refused, flagged] if feed == "products" else [])
    if feed != "products":
        source.feed_records[feed] = [good, refused, flagged]
    ctx = context(source)
    keys = [FEEDS[feed].key_of(record) for record in (good, refused, flagged)]

    run = finish(ctx, start_sync(ctx, feed, trigger="cli", mode="full"))

    assert (run.status, run.rows_invalid) == (SUCCESS, 2), run.error
    rows = {row.key: row for row in ctx.rows(feed).get_rows(keys)}
    assert rows[keys[0]].invalid is None and set(sent(ctx, feed)) == {keys[0]}, "the good item went out alone"
    assert (rows[keys[1]].invalid.code, rows[keys[1]].invalid.message) == (code, message)
    assert (rows[keys[2]].invalid.code, rows[keys[2]].invalid.message) == (FLAGGED["error_code"], FLAGGED["error"])
    assert run.error_counts == {code: 1, FLAGGED["error_code"]: 1}
    assert run.error_examples[code] == [{"id": keys[1].id, "scope": keys[1].scope, "message": message}]


def test_a_product_and_a_variant_magento_answers_malformed_are_failed_rows_with_their_reasons(aws):
    with MagentoSimulator(products=40, integration_as_bearer=True) as sim:
        sim.start()
        parent = sim.skus("configurable")[0]
        child_id = sim.product(parent, "all")["extension_attributes"]["configurable_product_links"][0]
        child = next(sku for sku in sim.skus() if sim.product(sku, "all")["id"] == child_id)
        priced = next(sku for sku in sim.skus("simple") if sku != child)
        sim.malform_product(priced, "bad_price")
        sim.malform_product(child, "missing_sku")
        bad_price = sim.product(priced)["price"]
        ctx = context(magento_source(sim))
        runs = {run.feed: finish(ctx, run) for run in scheduled_syncs(ctx)}
        assert not sim.failures

    assert all(run.status == SUCCESS for run in runs.values()), {f: r.error for f, r in runs.items()}
    views = [view.code for view in ctx.source.store_views()]
    [priced_row] = ctx.rows("products").get_rows([RowKey(priced, "default")])
    assert (priced_row.invalid.code, priced_row.invalid.message) == (
        "invalid_record.price", f"price is not a number: {bad_price!r}")
    # each in every view of its websites (both are in both websites of the simulated store)
    assert runs["products"].error_counts == {"invalid_record.price": len(views), "invalid_record.sku": len(views)}
    [variant] = ctx.rows("variants").get_rows([RowKey(f"#{child_id}", parent)])
    assert (variant.invalid.code, variant.invalid.message) == ("invalid_record.product_sku", "product_sku is missing")
    assert runs["variants"].rows_invalid == 1
    assert RowKey(f"#{child_id}", parent) not in sent(ctx, "variants")
