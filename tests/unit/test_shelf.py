"""The dashboard's price and stock columns on fakes: a product's rows joined with the prices and
inventoryStockStatus feeds (effective price in the store view's currency, a configurable "from" its cheapest
child, the stock's salable quantity) and a product's prices per website × customer group and stock per stock."""
import hashlib

import pytest

from chalicelib.search.journaled_feed import JournaledFeedStore
from chalicelib.search.product_search import IndexedProductSearch
from chalicelib.services.products import product_detail, search_products
from chalicelib.services.sync import start_sync
from tests.fakes import InMemorySearchIndexStore, product
from tests.unit.test_sync_service import Clock

GUEST, WHOLESALE = hashlib.sha1(b"0").hexdigest(), hashlib.sha1(b"2").hexdigest()


def price(sku, product_id, regular, group=0, special=None, kind="simple"):
    return {"sku": sku, "product_id": product_id, "type": kind, "website_id": 1, "website_code": "base",
            "customer_group_id": group, "customer_group": ["NOT LOGGED IN", "General", "Wholesale"][group],
            "regular": regular, "special": special, "tiers": [], "parents": [], "read_at": "2026-11-22T10:00:00.000Z"}


def stock(sku, product_id, salable, stock_id=1):
    return {"stock_id": stock_id, "stock_name": "Default Stock", "sku": sku, "product_id": product_id,
            "type": "simple", "quantity": salable + 2, "salable_quantity": salable, "is_salable": salable > 0,
            "manage_stock": True}


@pytest.fixture
def ctx(fake_ctx):
    fake_ctx.product_search = IndexedProductSearch(InMemorySearchIndexStore())
    fake_ctx.feed_rows.stores["products"] = JournaledFeedStore(fake_ctx.rows("products"), fake_ctx.product_search)
    children = ["SHIRT-S", "SHIRT-M"]
    fake_ctx.source.records = [
        product(1, name="Shirt", sku="SHIRT", type="configurable", price=0, members=children, stock_id=1),
        product(2, name="Shirt S", sku="SHIRT-S", price=30, stock_id=1),
        product(3, name="Shirt M", sku="SHIRT-M", price=28, stock_id=1),
    ]
    fake_ctx.source.feed_records["prices"] = [
        price("SHIRT", 1, 0, kind="configurable"), price("SHIRT-S", 2, 30),
        price("SHIRT-M", 3, 28, special={"price": 19.5, "price_from": None, "price_to": None}),
        price("SHIRT-M", 3, 28, group=2)]
    fake_ctx.source.feed_records["inventoryStockStatus"] = [stock("SHIRT-S", 2, 7), stock("SHIRT-M", 3, 0)]
    fake_ctx.clock = Clock()
    for feed in ("products", "prices", "inventoryStockStatus"):
        start_sync(fake_ctx, feed, trigger="cli")
    return fake_ctx


def test_the_price_column_is_the_guests_effective_price_in_the_views_currency(ctx):
    items = {item["sku"]: item for item in search_products(ctx, store_view="default", limit=10)["items"]}
    assert (items["SHIRT-M"]["price"], items["SHIRT-M"]["price_from"], items["SHIRT-M"]["currency"]) == (
        19.5, False, "USD"), "the special price is what a guest pays"
    assert items["SHIRT-S"]["price"] == 30.0


def test_a_configurable_is_priced_from_its_cheapest_child_not_zero(ctx):
    shirt = next(item for item in search_products(ctx, q="SHIRT", store_view="default", limit=10)["items"]
                 if item["sku"] == "SHIRT")
    assert (shirt["price"], shirt["price_from"]) == (19.5, True)


def test_the_salable_quantity_is_the_stock_feeds(ctx):
    items = {item["sku"]: item for item in search_products(ctx, store_view="default", limit=10)["items"]}
    assert (items["SHIRT-S"]["salable_quantity"], items["SHIRT-M"]["salable_quantity"]) == (7.0, 0.0)


def test_the_detail_shows_prices_per_website_and_group_and_stock_per_stock(ctx):
    detail = product_detail(ctx, 3)
    assert [(p["website_code"], p["customer_group"], p["customer_group_code"], p["price"], p["currency"])
            for p in detail["prices"]] == [("base", "NOT LOGGED IN", GUEST, 19.5, "USD"),
                                           ("base", "Wholesale", WHOLESALE, 28.0, "USD")]
    assert detail["prices"][0]["discounts"] == [{"code": "special_price", "price": 19.5}]
    assert detail["prices"][0]["export_status"] == "awaiting_submission"
    assert [(s["stock_id"], s["stock_name"], s["qty"], s["qty_for_sale"], s["is_salable"])
            for s in detail["stock"]] == [("1", "Default Stock", 2.0, 0.0, False)]


def test_a_product_without_prices_or_stock_rows_shows_none(fake_ctx):
    fake_ctx.product_search = IndexedProductSearch(InMemorySearchIndexStore())
    fake_ctx.feed_rows.stores["products"] = JournaledFeedStore(fake_ctx.rows("products"), fake_ctx.product_search)
    fake_ctx.source.records = [product(5)]
    fake_ctx.clock = Clock()
    start_sync(fake_ctx, trigger="cli")
    [item] = search_products(fake_ctx, limit=5)["items"]
    assert (item["price"], item["price_from"], item["salable_quantity"]) == (15.0, False, 5)
    detail = product_detail(fake_ctx, 5)
    assert (detail["prices"], detail["stock"]) == ([], [])
