"""The HTTP destination against the simulated ingestion service, feed by feed: per-item errors named by each feed's
identity and matched to their rows, and a feed read back in bulk (requests per page, a cursor that stays right
while items change, a refused key)."""
from __future__ import annotations

import pytest

from chalicelib.adapters.http_destination import HttpDestination
from chalicelib.domain.errors import DestinationError, Failure
from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds import FEEDS
from tests.conftest import INGESTION_KEY
from tests.stub_feeds import ALL_FEEDS, KEYS, batch_of, document_of

RUN_1 = ("20261122T100000Z-aaaaaa", "2026-11-22T10:00:00.000Z")
RUN_2 = ("20261122T110000Z-bbbbbb", "2026-11-22T11:00:00.000Z")
# The field a document of another feed lacks, in each feed (a products document has sku and storeViewCode).
MISSING = {"products": "storeViewCode", "productAttributes": "attributeCode", "categories": "categoryId",
           "variants": "id", "prices": "websiteCode", "inventoryStockStatus": "stockId"}


def destination(service, key: str = INGESTION_KEY, **options) -> HttpDestination:
    return HttpDestination(service.ingest_url, lambda: key, timeout_seconds=5, budget_seconds=10, **options)


@pytest.mark.parametrize("reject_mode", ["200", "400"])
@pytest.mark.parametrize("feed", ALL_FEEDS)
def test_an_item_of_another_feeds_shape_is_rejected_and_matched_to_its_row(ingestion, every_feed, feed, reject_mode):
    ingestion.reject_mode = reject_mode
    good, bad = KEYS[feed]
    other = "prices" if feed == "products" else "products"
    stray = document_of(other, KEYS[other][0])  # e.g. a products document in the prices feed's batch
    documents = {good: document_of(feed, good), bad: stray}

    rejected = destination(ingestion).deliver(batch_of(feed, documents, RUN_1), RUN_1[1])

    assert rejected == {bad: Failure("destination.rejected", f"missing {MISSING[feed]}")}
    assert ingestion.held(*FEEDS[feed].identity_values(good), feed=feed)["document"]["deleted"] is False
    assert [len(ingestion.items(name)) for name in ALL_FEEDS] == [int(name == feed) for name in ALL_FEEDS]


def test_a_feed_is_read_back_in_one_request_per_page(ingestion, every_feed):
    keys = [RowKey(f"SKU-{n:05d}", f"base/{group}") for n in range(1250) for group in (0, 1)]
    sender = destination(ingestion)
    for start in range(0, len(keys), 500):
        sender.deliver(batch_of("prices", {key: document_of("prices", key) for key in keys[start:start + 500]},
                                RUN_1, batch_no=start // 500 + 1), RUN_1[1])

    reader = destination(ingestion)
    held = list(reader.holdings("prices"))

    assert reader.requests == 3  # 2,500 items, 1,000 a page
    assert [item.identity for item in held] == sorted(FEEDS["prices"].identity_values(key) for key in keys)
    assert len(list(destination(ingestion, read_page_size=5000).holdings("prices"))) == 2500


def test_a_feed_read_while_items_change_lists_each_item_held_throughout_once(ingestion, every_feed):
    keys = [RowKey(f"SKU-{n:05d}", "1") for n in range(2500)]
    sender = destination(ingestion)
    sender.deliver(batch_of("inventoryStockStatus", {key: document_of("inventoryStockStatus", key) for key in keys},
                            RUN_1), RUN_1[1])
    reader = destination(ingestion)

    listed = []
    for item in reader.holdings("inventoryStockStatus"):
        listed.append(item)
        if len(listed) == 1000:  # between two pages: new items before and after, a deletion and a newer version
            changes = {RowKey("SKU-00000a", "1"): document_of("inventoryStockStatus", RowKey("SKU-00000a", "1")),
                       RowKey("SKU-99999", "1"): document_of("inventoryStockStatus", RowKey("SKU-99999", "1")),
                       keys[2000]: document_of("inventoryStockStatus", keys[2000], deleted=True),
                       keys[2001]: document_of("inventoryStockStatus", keys[2001], qty=0.0)}
            sender.deliver(batch_of("inventoryStockStatus", changes, RUN_2), RUN_2[1])

    identities = [item.identity for item in listed]
    assert len(identities) == len(set(identities)) == 2501  # each once; the one added behind the cursor not
    by_identity = {item.identity: item for item in listed}
    assert by_identity[("1", keys[2000].id)].deleted and by_identity[("1", keys[2001].id)].modified_at == RUN_2[1]
    assert ("1", "SKU-99999") in by_identity and ("1", "SKU-00000a") not in by_identity


def test_reading_a_feed_back_with_a_refused_key_fails_at_once(ingestion):
    reader = destination(ingestion, key="wrong")

    with pytest.raises(DestinationError, match=r"refused the API key \(403\)") as refused:
        next(iter(reader.holdings("products")))

    assert (refused.value.code, refused.value.retryable, reader.requests) == ("destination.unauthorized", False, 1)
