"""How a destination names an item (a feed's identity values of a row key) and the hash it gives of what it holds
(the row's hash, whatever the timestamps sent with it)."""
from __future__ import annotations

import json

import pytest

from chalicelib.domain.feed import RowKey, exported_item, item_hash
from chalicelib.domain.feeds import FEEDS, Feed
from chalicelib.domain.feeds.products import build_row, deletion_of
from tests.fakes import VIEWS, product

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


def stub(name: str, identity: tuple[str, ...], **options) -> Feed:
    return Feed(name=name, record="Stub", identity=identity, batch_size=100, incremental=False,
                build=lambda record, scopes: None, key_of=lambda record: RowKey("", ""),
                deletion=lambda row, scopes: {}, **options)


def test_items_per_store_view_are_named_by_the_keys_id_and_scope():
    assert FEEDS["products"].identity_values(RowKey("SKU-1", "french")) == ("SKU-1", "french")
    assert stub("categories", ("categoryId", "storeViewCode")).identity_values(RowKey("12", "default")) == (
        "12", "default")


def test_any_other_identity_must_say_how_a_key_maps_to_it():
    with pytest.raises(ValueError, match="give identity_of"):
        stub("inventoryStockStatus", ("stockId", "sku"))
    with pytest.raises(ValueError, match="give identity_of"):
        stub("variants", ("id",))
    stocks = stub("inventoryStockStatus", ("stockId", "sku"), identity_of=lambda key: (key.scope, key.id))
    assert stocks.identity_values(RowKey("SKU-1", "2")) == ("2", "SKU-1")


def test_every_feeds_identity_is_the_one_the_simulated_ingestion_service_keeps_items_by():
    from local_stack.ingestion.feeds import IDENTITIES
    assert {name: feed.identity for name, feed in FEEDS.items()} == IDENTITIES


@pytest.mark.parametrize(("feed", "key", "values"), [
    ("prices", RowKey("MJ01-M", "base/b6589fc6ab0dc82cf12099d1c2d40ab994e8410c"),
     ("MJ01-M", "base", "b6589fc6ab0dc82cf12099d1c2d40ab994e8410c")),
    ("inventoryStockStatus", RowKey("MJ01-M", "2"), ("2", "MJ01-M")),
])
def test_a_price_and_a_stock_item_are_named_as_the_service_names_them(feed, key, values):
    from local_stack.ingestion.feeds import IDENTITIES
    assert FEEDS[feed].identity_values(key) == values and len(values) == len(IDENTITIES[feed])


@pytest.mark.parametrize("row", [
    build_row(product(1, "default"), VIEWS_BY_CODE),
    deletion_of(build_row(product(2, "french"), VIEWS_BY_CODE), VIEWS_BY_CODE["french"]),
], ids=["document", "deletion"])
def test_the_hash_of_an_item_as_received_is_its_rows_hash(row):
    sent = exported_item(json.loads(row.document), row.last_modified, "2026-11-22T10:00:00.000Z")
    resent = exported_item(json.loads(row.document), "2026-12-01 00:00:00", "2026-12-01T10:00:00.000Z")

    assert item_hash(sent) == item_hash(resent) == row.hash
    assert item_hash(dict(reversed(list(sent.items())))) == row.hash  # key order is not content


def test_the_hash_changes_with_the_content():
    row = build_row(product(1, "default"), VIEWS_BY_CODE)
    item = exported_item(json.loads(row.document), row.last_modified, "2026-11-22T10:00:00.000Z")

    assert item_hash({**item, "name": "Other"}) != row.hash
    assert item_hash({**item, "createdAt": "2026-01-01"}) != row.hash  # only the two sent timestamps are left out
