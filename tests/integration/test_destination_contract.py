"""One contract for both destinations: the S3 hub on moto, the HTTP destination against the simulated
ingestion service. Deliver, per-row results, deletions, idempotent redelivery, newest version wins."""
from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from chalicelib.adapters.http_destination import HttpDestination
from chalicelib.adapters.s3_hub import S3HubDestination
from chalicelib.domain.batching import ExportBatch, decode, pack
from chalicelib.domain.errors import Failure
from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds.products import build_row, deletion_of
from tests.conftest import INGESTION_KEY
from tests.fakes import VIEWS, product

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

    def held(self, key: RowKey) -> dict[str, Any] | None:
        newest = None
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix="feeds/"):
            for obj in page.get("Contents", []):
                if not obj["Key"].endswith(".jsonl"):
                    continue
                body = self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read().decode()
                for item in map(json.loads, body.splitlines()):
                    if (item["sku"], item["storeViewCode"]) == (key.sku, key.store_view_code) and (
                            newest is None or item["modifiedAt"] >= newest["modifiedAt"]):
                        newest = item
        return newest

    def reject(self, key: RowKey, reason: str) -> None:
        raise AssertionError("the hub accepts every row")


class HttpHarness:
    kind = "http"
    rejects_rows = True

    def __init__(self, service):
        self.service = service
        self.destination = HttpDestination(service.ingest_url, lambda: INGESTION_KEY, timeout_seconds=5,
                                           budget_seconds=10)

    def held(self, key: RowKey) -> dict[str, Any] | None:
        held = self.service.held(key.sku, key.store_view_code)
        return held and held["document"]

    def reject(self, key: RowKey, reason: str) -> None:
        self.service.reject(key.sku, key.store_view_code, reason=reason)


@pytest.fixture(params=["s3-hub", "http"])
def harness(request):
    if request.param == "s3-hub":
        return HubHarness(request.getfixturevalue("aws")["bucket"])
    return HttpHarness(request.getfixturevalue("ingestion"))


def batch_of(rows, run=RUN_1, max_rows=50) -> ExportBatch:
    [message] = pack("products", run[0], rows, max_rows, 240_000, run[1])
    return decode(message)


def rows(n, **overrides):
    return [build_row(product(i, view.code, **overrides), VIEWS_BY_CODE) for i in range(n) for view in VIEWS]


def test_every_row_is_delivered_as_its_document_with_its_timestamps(harness):
    sent = rows(5)
    assert harness.destination.deliver(batch_of(sent), RUN_1[1]) == {}
    for row in sent:
        held = harness.held(row.key)
        assert held == {**json.loads(row.document), "updatedAt": row.last_modified, "modifiedAt": RUN_1[1]}


def test_rows_the_destination_rejects_are_named_with_its_reason_and_the_others_accepted(harness):
    sent = rows(3)
    bad = RowKey("SKU-0001", "french")
    if not harness.rejects_rows:  # the hub has no per-row results: it takes every row
        assert harness.destination.deliver(batch_of(sent), RUN_1[1]) == {}
        assert all(harness.held(row.key) for row in sent)
        return
    harness.reject(bad, "invalid: the name is too long")
    assert harness.destination.deliver(batch_of(sent), RUN_1[1]) == {
        bad: Failure("destination.rejected", "invalid: the name is too long")}
    assert harness.held(bad) is None
    assert all(harness.held(row.key) for row in sent if row.key != bad)


def test_a_deletion_is_the_minimal_payload_marked_deleted(harness):
    [live] = rows(1)[:1]
    harness.destination.deliver(batch_of([live]), RUN_1[1])
    gone = deletion_of(live, VIEWS_BY_CODE[live.store_view_code])
    harness.destination.deliver(batch_of([gone], RUN_2), RUN_2[1])
    assert harness.held(live.key) == {"sku": "SKU-0000", "productId": 0, "storeViewCode": "default",
                                      "storeCode": "main_store", "websiteCode": "base", "deleted": True,
                                      "updatedAt": live.last_modified, "modifiedAt": RUN_2[1]}


def test_the_same_batch_delivered_twice_leaves_the_same_documents(harness):
    sent = rows(4)
    batch = batch_of(sent)
    harness.destination.deliver(batch, RUN_1[1])
    first = {row.key: harness.held(row.key) for row in sent}
    assert harness.destination.deliver(batch, RUN_1[1]) == {}
    assert {row.key: harness.held(row.key) for row in sent} == first


def test_a_late_redelivery_of_an_older_version_does_not_replace_a_newer_one(harness):
    old, new = rows(1)[0], rows(1, name="Renamed")[0]
    stale = batch_of([old], RUN_1)
    harness.destination.deliver(stale, RUN_1[1])
    harness.destination.deliver(batch_of([new], RUN_2), RUN_2[1])
    harness.destination.deliver(stale, RUN_1[1])  # run 1's message, back from the queue after run 2
    assert harness.held(old.key)["name"] == "Renamed"


# Reading back what the destination holds (the product detail's discrepancy check)

def test_held_answers_the_item_last_accepted_or_says_it_cannot(harness):
    old, new = rows(1)[0], rows(1, name="Renamed")[0]
    harness.destination.deliver(batch_of([old], RUN_1), RUN_1[1])
    harness.destination.deliver(batch_of([new], RUN_2), RUN_2[1])
    held = harness.destination.held(new.sku, new.store_view_code)
    if not harness.destination.reads_back:  # the hub keeps batches, not rows
        assert held is None
        return
    assert held == harness.held(new.key) == {**json.loads(new.document), "updatedAt": new.last_modified,
                                             "modifiedAt": RUN_2[1]}


def test_held_is_none_for_a_row_never_delivered(harness):
    assert harness.destination.held("SKU-9999", "default") is None


def test_held_answers_a_deletion_as_the_minimal_payload(harness):
    [live] = rows(1)[:1]
    harness.destination.deliver(batch_of([live]), RUN_1[1])
    harness.destination.deliver(batch_of([deletion_of(live, VIEWS_BY_CODE["default"])], RUN_2), RUN_2[1])
    held = harness.destination.held(live.sku, live.store_view_code)
    assert held is None if not harness.destination.reads_back else held["deleted"] is True
