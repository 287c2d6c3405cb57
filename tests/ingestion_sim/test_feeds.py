"""Every feed of Adobe's six: its own path, items kept by its identity fields, newest wins, deletions flagged,
errors naming items by its identity, and rejections, faults and the key per feed."""
from __future__ import annotations

import pytest

from local_stack.ingestion import IDENTITIES

from .conftest import feed_item

EARLY, LATE = "2026-11-22T05:00:00.000Z", "2026-11-22T06:00:00.000Z"
# Two items of each feed, by identity values in the feed's order.
IDENTITY_VALUES = {
    "products": [("A", "default"), ("A", "french")],
    "productAttributes": [("color", "default"), ("size", "default")],
    "categories": [("12", "default"), ("12", "french")],
    "variants": [("0cc175b9c0f1b6a831c399e269772661",), ("92eb5ffee6ae2fec3ad71c777531578f",)],
    "prices": [("A", "base", "0"), ("A", "base", "1")],
    "inventoryStockStatus": [("1", "A"), ("2", "A")],
}
FEEDS = list(IDENTITIES)


def read_one(client, feed, values, **extra):
    return client.read("/v1/items", feed=feed, **dict(zip(IDENTITIES[feed], values, strict=True)), **extra)


@pytest.mark.parametrize("feed", FEEDS)
def test_each_feed_keeps_its_items_by_its_identity(client, service, feed):
    first, second = IDENTITY_VALUES[feed]

    reply = client.deliver([feed_item(feed, *first), feed_item(feed, *second)], feed=feed, batch="r/00001")

    assert reply.json == {"accepted": 2, "errors": []}
    held = read_one(client, feed, first)
    assert held.status == 200
    assert held.json["identity"] == dict(zip(IDENTITIES[feed], first, strict=True))
    assert held.json["document"] == feed_item(feed, *first) and held.json["feed"] == feed
    assert service.held(*second, feed=feed)["batchId"] == "r/00001"
    assert service.deliveries[-1].feed == feed
    others = [name for name in FEEDS if name != feed]
    assert all(service.items(name) == [] for name in others)  # one feed's items are no other's


@pytest.mark.parametrize("feed", FEEDS)
def test_the_newest_version_wins_in_every_feed(client, service, feed):
    values = IDENTITY_VALUES[feed][0]
    client.deliver([feed_item(feed, *values, modified_at=LATE, marker="new")], feed=feed)
    client.deliver([feed_item(feed, *values, modified_at=EARLY, marker="old")], feed=feed)  # a late redelivery

    assert service.held(*values, feed=feed)["document"]["marker"] == "new"
    assert service.receive_count(*values, feed=feed) == 2


@pytest.mark.parametrize("feed", FEEDS)
def test_a_deletion_is_kept_flagged_and_read_back_as_deleted(client, service, feed):
    values = IDENTITY_VALUES[feed][0]
    client.deliver([feed_item(feed, *values, modified_at=EARLY)], feed=feed)
    gone = {**dict(zip(IDENTITIES[feed], values, strict=True)), "deleted": True, "modifiedAt": LATE}

    client.deliver([gone], feed=feed)

    held = read_one(client, feed, values).json
    assert (held["deleted"], held["document"]) == (True, gone)
    listed = client.read(f"/v1/feeds/{feed}/items").json
    assert [(item["deleted"], item["modifiedAt"]) for item in listed["items"]] == [(True, LATE)]


def test_an_item_without_its_feeds_identity_is_named_by_the_fields_it_has(client, service):
    product = feed_item("products", "A", "default")

    reply = client.deliver([product, feed_item("prices", "A", "base", "0")], feed="prices")

    assert reply.json == {"accepted": 1, "errors": [
        {"sku": "A", "websiteCode": None, "customerGroupCode": None, "reason": "missing websiteCode"}]}
    assert service.items("products") == []


@pytest.mark.parametrize("feed, item, reason", [
    ("inventoryStockStatus", {"stockId": True, "sku": "A"}, "invalid: stockId is not text or a whole number: True"),
    ("categories", {"categoryId": 1.5, "storeViewCode": "default"},
     "invalid: categoryId is not text or a whole number: 1.5"),
    ("variants", {"id": "  "}, "missing id"),
    ("prices", {"sku": "A", "websiteCode": "base", "customerGroupCode": "0", "regular": "12,50"},
     "invalid: regular is not a number: '12,50'"),
    ("productAttributes", "not an object", "the item is not an object"),
])
def test_invalid_items_of_each_feed(client, feed, item, reason):
    [error] = client.deliver([item], feed=feed).json["errors"]

    assert error["reason"] == reason and set(error) == {*IDENTITIES[feed], "reason"}


def test_whole_numbers_and_their_text_are_the_same_identity(client, service):
    client.deliver([feed_item("inventoryStockStatus", 1, "A", qty=5.0)], feed="inventoryStockStatus",
                   batch="r/1")
    client.deliver([feed_item("inventoryStockStatus", "1", "A", qty=7.0, modified_at=LATE)],
                   feed="inventoryStockStatus", batch="r/2")

    held = client.read("/v1/items", feed="inventoryStockStatus", stockId="1", sku="A").json
    assert (held["identity"], held["document"]["qty"]) == ({"stockId": "1", "sku": "A"}, 7.0)
    assert service.held(1, "A", feed="inventoryStockStatus")["batchId"] == "r/2"


def test_an_unknown_feed_is_404_naming_the_feeds(client, service):
    reply = client.deliver([feed_item("products", "A", "default")], feed="orders")

    assert reply.status == 404
    assert reply.json == {"message": "no feed 'orders': the feeds are products, productAttributes, categories, "
                                     "variants, prices, inventoryStockStatus"}
    assert client.read("/v1/feeds/orders/items").status == 404
    assert client.request("GET", "/v1/feeds/orders").status == 404
    assert client.read("/v1/items", feed="orders", sku="A").status == 400
    assert service.deliveries == []


def test_a_body_of_another_feed_is_400_and_nothing_is_stored(client, service):
    payload = {"feed": "prices", "items": [feed_item("products", "A", "default")]}

    reply = client.deliver(payload=payload, feed="products")

    assert reply.status == 400
    assert reply.json == {"message": "the body's feed 'prices' is not this path's feed 'products'", "errors": []}
    assert service.items() == [] and service.deliveries[-1].status == 400
    assert client.deliver(payload={"items": [feed_item("products", "A", "default")]}).status == 200  # feed optional


def test_rejections_are_per_feed(client, service):
    service.reject("A", "base", "0", feed="prices", reason="invalid: no such customer group")
    client.admin("POST", "/reject", {"feed": "inventoryStockStatus", "stockId": 1, "sku": "A"})

    prices = client.deliver([feed_item("prices", "A", "base", "0"), feed_item("prices", "A", "base", "1")],
                            feed="prices")
    stocks = client.deliver([feed_item("inventoryStockStatus", 1, "A")], feed="inventoryStockStatus")
    products = client.deliver([feed_item("products", "A", "default")])

    assert prices.json["errors"] == [{"sku": "A", "websiteCode": "base", "customerGroupCode": "0",
                                      "reason": "invalid: no such customer group"}]
    assert stocks.json["errors"][0]["stockId"] == 1 and products.json["errors"] == []
    assert [r["feed"] for r in client.admin("GET", "/rejections", feed="prices").json] == ["prices"]
    service.unreject("A", "base", "0", feed="prices")
    assert client.deliver([feed_item("prices", "A", "base", "0")], feed="prices").json["errors"] == []
    with pytest.raises(ValueError, match="named by sku, websiteCode, customerGroupCode"):
        service.reject("A", "base", feed="prices")


def test_in_400_mode_a_feed_names_its_invalid_items_and_stores_none(client, service):
    service.reject_mode = "400"

    reply = client.deliver([feed_item("categories", "3", "default"), {"storeViewCode": "default"}],
                           feed="categories")

    assert reply.status == 400 and reply.json["errors"] == [
        {"categoryId": None, "storeViewCode": "default", "reason": "missing categoryId"}]
    assert service.items("categories") == []


def test_a_fault_queued_for_one_feed_waits_for_a_delivery_of_it(client, service):
    service.faults.throttle(1, retry_after=2, feed="prices")

    assert client.deliver([feed_item("products", "A", "default")]).status == 200
    throttled = client.deliver([feed_item("prices", "A", "base", "0")], feed="prices")
    assert (throttled.status, throttled.headers["Retry-After"]) == (429, "2")
    assert client.deliver([feed_item("prices", "A", "base", "0")], feed="prices").status == 200


def test_every_feed_needs_the_key(client):
    for feed in FEEDS:
        assert client.deliver([feed_item(feed, *IDENTITY_VALUES[feed][0])], feed=feed, key=None).status == 401
        assert client.read(f"/v1/feeds/{feed}/items", key="wrong").status == 403


def test_reading_by_the_first_identity_fields_lists_the_items_starting_with_them(client):
    client.deliver([feed_item("prices", sku, "base", group) for sku in ("A", "B") for group in ("0", "1")],
                   feed="prices")

    by_sku = client.read("/v1/items", feed="prices", sku="A").json
    assert [item["identity"]["customerGroupCode"] for item in by_sku["items"]] == ["0", "1"]
    assert len(client.read("/v1/items", feed="prices", sku="A", websiteCode="base").json["items"]) == 2
    skipped = client.read("/v1/items", feed="prices", websiteCode="base")
    assert skipped.status == 400 and "sku first" in skipped.json["message"]
    assert client.read("/v1/items", feed="prices", sku="A", storeViewCode="default").status == 400
    assert client.read("/v1/items", feed="prices", sku="A", websiteCode="base",
                       customerGroupCode="9").json["message"] == (
        "no prices item with sku 'A', websiteCode 'base', customerGroupCode '9'")


def test_the_admin_shows_each_feeds_urls_and_counts_and_lists_its_items(client, service):
    client.deliver([feed_item("variants", "v1"), {"id": "v2", "deleted": True}], feed="variants")

    feeds = client.admin("GET").json["feeds"]
    assert feeds["variants"] == {"ingest_url": service.base_url + "/v1/feeds/variants",
                                 "items_url": service.base_url + "/v1/feeds/variants/items", "identity": ["id"],
                                 "items_held": 2, "deleted_held": 1}
    listed = client.admin("GET", "/items", feed="variants", deleted="false").json
    assert [(item["id"], item["receiveCount"]) for item in listed["items"]] == [("v1", 1)]
    assert client.admin("GET", "/items", feed="nope").status == 400
