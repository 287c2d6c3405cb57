"""One contract for the destinations: the S3 hub on moto, the HTTP destination against the simulated ingestion
service, and the fake the unit tests use. Deliver, per-row results, deletions, idempotent redelivery, newest
version wins, every feed by its own identity; reading back one item (held) and a whole feed (holdings), or saying
it cannot."""
from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from chalicelib.adapters.http_destination import HttpDestination
from chalicelib.adapters.s3_hub import S3HubDestination
from chalicelib.domain.batching import ExportBatch, decode, pack
from chalicelib.domain.errors import DestinationError, Failure
from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds import FEEDS
from chalicelib.domain.feeds.products import build_row, deletion_of
from local_stack.ingestion import IDENTITIES
from tests.conftest import INGESTION_KEY
from tests.fakes import VIEWS, RecordingDestination, product
from tests.stub_feeds import ALL_FEEDS, KEYS, batch_of, document_of

VIEWS_BY_CODE = {view.code: view for view in VIEWS}
RUN_1 = ("20261122T100000Z-aaaaaa", "2026-11-22T10:00:00.000Z")
RUN_2 = ("20261122T110000Z-bbbbbb", "2026-11-22T11:00:00.000Z")


class HubHarness:
    """What the hub holds for a row: the newest item (by modifiedAt) across its batch objects."""

    kind = "s3-hub"
    rejects_rows = False

    def __init__(self, bucket: str):
        self.s3 = boto3.client("s3")
        self.bucket = bucket
        self.destination = S3HubDestination(self.s3, bucket)

    def held(self, key: RowKey, feed: str = "products") -> dict[str, Any] | None:
        definition = FEEDS[feed]
        wanted = definition.identity_values(key)
        newest = None
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=f"feeds/{feed}/"):
            for obj in page.get("Contents", []):
                if not obj["Key"].endswith(".jsonl"):
                    continue
                body = self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read().decode()
                for item in map(json.loads, body.splitlines()):
                    if tuple(str(item.get(name)) for name in definition.identity) == wanted and (
                            newest is None or item["modifiedAt"] >= newest["modifiedAt"]):
                        newest = item
        return newest

    def reject(self, key: RowKey, reason: str) -> None:
        raise AssertionError("the hub accepts every row")

    def feeds_held(self) -> set[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix="feeds/")
        return {obj["Key"].split("/")[1] for page in pages for obj in page.get("Contents", [])}


class HttpHarness:
    kind = "http"
    rejects_rows = True

    def __init__(self, service):
        self.service = service
        self.destination = HttpDestination(service.ingest_url, lambda: INGESTION_KEY, timeout_seconds=5,
                                           budget_seconds=10, read_page_size=7)  # several pages in a small feed

    def held(self, key: RowKey, feed: str = "products") -> dict[str, Any] | None:
        held = self.service.held(*FEEDS[feed].identity_values(key), feed=feed)
        return held and held["document"]

    def reject(self, key: RowKey, reason: str) -> None:
        self.service.reject(key.sku, key.store_view_code, reason=reason)

    def feeds_held(self) -> set[str]:
        return {feed for feed in IDENTITIES if self.service.items(feed)}


class MemoryHarness:
    """The fake every unit test uses (tests/fakes.py), held to the same contract."""

    kind = "memory"
    rejects_rows = True

    def __init__(self):
        self.destination = RecordingDestination()

    def held(self, key: RowKey, feed: str = "products") -> dict[str, Any] | None:
        return self.destination.held(feed, key)

    def reject(self, key: RowKey, reason: str) -> None:
        self.destination.reject[key] = reason

    def feeds_held(self) -> set[str]:
        return {batch.feed for batch in self.destination.batches}


@pytest.fixture
def hub_bucket(aws):
    """moto's S3 with the hub bucket (the session's, emptied after the test)."""
    return aws.bucket


@pytest.fixture(params=["s3-hub", "http", "memory"])
def harness(request):
    if request.param == "s3-hub":
        return HubHarness(request.getfixturevalue("hub_bucket"))
    if request.param == "memory":
        return MemoryHarness()
    return HttpHarness(request.getfixturevalue("ingestion"))


def batch_of_rows(rows, run=RUN_1, max_rows=50) -> ExportBatch:
    [message] = pack("products", run[0], rows, max_rows, 240_000, run[1])
    return decode(message)


def rows(n, **overrides):
    return [build_row(product(i, view.code, **overrides), VIEWS_BY_CODE) for i in range(n) for view in VIEWS]


def test_every_row_is_delivered_as_its_document_with_its_timestamps(harness):
    sent = rows(5)
    assert harness.destination.deliver(batch_of_rows(sent), RUN_1[1]) == {}
    for row in sent:
        held = harness.held(row.key)
        assert held == {**json.loads(row.document), "updatedAt": row.last_modified, "modifiedAt": RUN_1[1]}


def test_rows_the_destination_rejects_are_named_with_its_reason_and_the_others_accepted(harness):
    sent = rows(3)
    bad = RowKey("SKU-0001", "french")
    if not harness.rejects_rows:  # the hub has no per-row results: it takes every row
        assert harness.destination.deliver(batch_of_rows(sent), RUN_1[1]) == {}
        assert all(harness.held(row.key) for row in sent)
        return
    harness.reject(bad, "invalid: the name is too long")
    assert harness.destination.deliver(batch_of_rows(sent), RUN_1[1]) == {
        bad: Failure("destination.rejected", "invalid: the name is too long")}
    assert harness.held(bad) is None
    assert all(harness.held(row.key) for row in sent if row.key != bad)


def test_a_deletion_is_the_minimal_payload_marked_deleted(harness):
    [live] = rows(1)[:1]
    harness.destination.deliver(batch_of_rows([live]), RUN_1[1])
    gone = deletion_of(live, VIEWS_BY_CODE[live.store_view_code])
    harness.destination.deliver(batch_of_rows([gone], RUN_2), RUN_2[1])
    assert harness.held(live.key) == {"sku": "SKU-0000", "productId": 0, "storeViewCode": "default",
                                      "storeCode": "main_store", "websiteCode": "base", "deleted": True,
                                      "updatedAt": live.last_modified, "modifiedAt": RUN_2[1]}


def test_the_same_batch_delivered_twice_leaves_the_same_documents(harness):
    sent = rows(4)
    batch = batch_of_rows(sent)
    harness.destination.deliver(batch, RUN_1[1])
    first = {row.key: harness.held(row.key) for row in sent}
    assert harness.destination.deliver(batch, RUN_1[1]) == {}
    assert {row.key: harness.held(row.key) for row in sent} == first


def test_a_late_redelivery_of_an_older_version_does_not_replace_a_newer_one(harness):
    old, new = rows(1)[0], rows(1, name="Renamed")[0]
    stale = batch_of_rows([old], RUN_1)
    harness.destination.deliver(stale, RUN_1[1])
    harness.destination.deliver(batch_of_rows([new], RUN_2), RUN_2[1])
    harness.destination.deliver(stale, RUN_1[1])  # run 1's message, back from the queue after run 2
    assert harness.held(old.key)["name"] == "Renamed"


# Every feed, by its own identity

@pytest.mark.parametrize("feed", ALL_FEEDS)
def test_every_feed_is_delivered_and_kept_by_its_own_identity(harness, every_feed, feed):
    first, second = KEYS[feed]
    documents = {first: document_of(feed, first), second: document_of(feed, second)}

    assert harness.destination.deliver(batch_of(feed, documents, RUN_1), RUN_1[1]) == {}
    harness.destination.deliver(batch_of(feed, {first: document_of(feed, first, deleted=True)}, RUN_2), RUN_2[1])

    assert harness.held(second, feed) == {**documents[second], "updatedAt": "2026-11-20 10:00:00",
                                          "modifiedAt": RUN_1[1]}
    assert harness.held(first, feed)["deleted"] is True
    assert harness.feeds_held() == {feed}


# Reading back what the destination holds: one item (the product detail) or a whole feed (reconciliation)

def test_held_answers_the_item_last_accepted_or_says_it_cannot(harness):
    old, new = rows(1)[0], rows(1, name="Renamed")[0]
    harness.destination.deliver(batch_of_rows([old], RUN_1), RUN_1[1])
    harness.destination.deliver(batch_of_rows([new], RUN_2), RUN_2[1])
    held = harness.destination.held("products", new.key)
    if not harness.destination.reads_back:  # the hub keeps batches, not rows
        assert held is None
        return
    assert held == harness.held(new.key) == {**json.loads(new.document), "updatedAt": new.last_modified,
                                             "modifiedAt": RUN_2[1]}


def test_held_is_none_for_a_row_never_delivered(harness):
    assert harness.destination.held("products", RowKey("SKU-9999", "default")) is None


def test_held_answers_a_deletion_as_the_minimal_payload(harness):
    [live] = rows(1)[:1]
    harness.destination.deliver(batch_of_rows([live]), RUN_1[1])
    harness.destination.deliver(batch_of_rows([deletion_of(live, VIEWS_BY_CODE["default"])], RUN_2), RUN_2[1])
    held = harness.destination.held("products", live.key)
    assert held is None if not harness.destination.reads_back else held["deleted"] is True


@pytest.mark.parametrize("feed", ALL_FEEDS)
def test_held_names_an_item_of_any_feed_by_its_row_key(harness, every_feed, feed):
    first, second = KEYS[feed]
    documents = {first: document_of(feed, first), second: document_of(feed, second, marker="second")}
    harness.destination.deliver(batch_of(feed, documents, RUN_1), RUN_1[1])

    held = harness.destination.held(feed, second)

    assert held == (harness.held(second, feed) if harness.destination.reads_back else None)
    assert held is None or held["marker"] == "second"


def test_holdings_list_each_item_once_with_its_rows_hash_and_deletions_flagged(harness):
    sent = rows(10)  # 20 rows: several pages of 7
    harness.destination.deliver(batch_of_rows(sent), RUN_1[1])
    renamed = build_row(product(3, "french", name="Renamed"), VIEWS_BY_CODE)
    gone = deletion_of(sent[0], VIEWS_BY_CODE[sent[0].store_view_code])
    harness.destination.deliver(batch_of_rows([renamed, gone], RUN_2), RUN_2[1])
    if not harness.destination.reads_back:
        with pytest.raises(DestinationError) as cannot:
            list(harness.destination.holdings("products"))
        assert (cannot.value.code, cannot.value.retryable) == ("destination.cannot_read_back", False)
        return

    held = list(harness.destination.holdings("products"))

    newest = {row.key: row for row in sent} | {renamed.key: renamed, gone.key: gone}
    assert len(held) == len(newest) == 20
    assert {(item.identity, item.hash, item.modified_at, item.deleted) for item in held} == {
        ((key.sku, key.store_view_code), row.hash, RUN_2[1] if row in (renamed, gone) else RUN_1[1], row.deleted)
        for key, row in newest.items()}


@pytest.mark.parametrize("feed", ALL_FEEDS)
def test_holdings_of_a_feed_are_its_items_named_by_its_identity(harness, every_feed, feed):
    documents = {key: document_of(feed, key) for key in KEYS[feed]}
    harness.destination.deliver(batch_of(feed, documents, RUN_1), RUN_1[1])
    if not harness.destination.reads_back:
        with pytest.raises(DestinationError, match=f"what it holds of the {feed} feed cannot be read back"):
            next(iter(harness.destination.holdings(feed)))
        return

    held = {item.identity: item for item in harness.destination.holdings(feed)}

    assert set(held) == {FEEDS[feed].identity_values(key) for key in KEYS[feed]}
    assert {identity: item.hash for identity, item in held.items()} == {
        FEEDS[feed].identity_values(row.key): row.hash for row in batch_of(feed, documents, RUN_1).rows}
    assert all(not list(harness.destination.holdings(other)) for other in every_feed if other != feed)
