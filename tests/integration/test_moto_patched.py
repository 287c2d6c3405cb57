"""The local stack's Scan fix (local_stack/moto_patched.py) answers every page as moto does: the same items,
counts and LastEvaluatedKey, whether pages end at a Limit or at 1 MB, with or without a FilterExpression; its
dispatch fix finds the backend moto finds for each host, once."""
from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import backends
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from local_stack import moto_patched

ROWS = "catalog-sync-feed-rows"


def pages(**scan: Any) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb")
    found, start = [], None
    while True:
        page = client.scan(TableName=ROWS, **scan, **({"ExclusiveStartKey": start} if start else {}))
        found.append({name: page.get(name) for name in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")})
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


@pytest.fixture
def rows(aws):
    client = boto3.client("dynamodb")
    padding = "x" * 6_000  # pages of 1 MB hold about 160 of these
    for i in range(400):
        feed = ("products", "prices", "inventoryStockStatus")[i % 3]
        client.put_item(TableName=ROWS, Item={"item_id": {"S": f"SKU-{i * 7919 % 400:04d}"},
                                              "feed_scope": {"S": f"{feed}#{i % 5}"}, "hash": {"S": padding},
                                              "n": {"N": str(i)}})
    return aws


@pytest.mark.parametrize("scan", [
    {},
    {"Limit": 37},
    {"FilterExpression": "begins_with(feed_scope, :feed)", "ExpressionAttributeValues": {":feed": {"S": "prices#"}}},
    {"Limit": 50, "FilterExpression": "begins_with(feed_scope, :feed)", "ProjectionExpression": "item_id, n",
     "ExpressionAttributeValues": {":feed": {"S": "products#"}}},
], ids=["1 MB pages", "limit", "filter", "limit, filter, projection"])
def test_scan_pages_are_motos(rows, monkeypatch, scan):
    expected = pages(**scan)
    monkeypatch.setattr(Table, "scan", Table.scan)  # put back after the test
    monkeypatch.setattr(Table, "all_items", Table.all_items)
    moto_patched.patch_scans()
    assert getattr(Table.scan, "patched", False)
    assert pages(**scan) == expected
    assert len(expected) > 1, "several pages"


@pytest.mark.parametrize("host", [None, "moto_api", "dynamodb", "dynamodb.us-east-1.amazonaws.com",
                                  "sqs.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com",
                                  "cognito-idp.eu-west-1.amazonaws.com", "nothing.example"])
def test_dispatch_finds_motos_backend_once_per_host(monkeypatch, host):
    dispatcher = DomainDispatcherApplication(create_backend_app)
    expected = dispatcher.get_backend_for_host(host)
    monkeypatch.setattr(DomainDispatcherApplication, "get_backend_for_host",  # put back after the test
                        DomainDispatcherApplication.get_backend_for_host)
    moto_patched.patch_dispatch()
    assert getattr(DomainDispatcherApplication.get_backend_for_host, "patched", False)
    assert dispatcher.get_backend_for_host(host) == expected
    # when: moto's folders are looked at again (they never change while its server runs)
    looked = []
    monkeypatch.setattr(backends, "list_of_moto_modules", lambda: looked.append(host) or iter(()))
    # then: the host's backend is the one found before, without looking
    assert dispatcher.get_backend_for_host(host) == expected
    assert looked == []


def test_dynamodb_requests_are_serialized_by_one_lock_however_often_it_is_installed(monkeypatch):
    from moto.dynamodb.responses import DynamoHandler

    monkeypatch.setattr(DynamoHandler, "call_action", DynamoHandler.call_action)  # put back after the test
    moto_patched.serialize_requests()
    installed = DynamoHandler.call_action
    moto_patched.serialize_requests()  # the tests' session and a benchmark may both install it
    assert DynamoHandler.call_action is installed
    assert getattr(installed, "serialized", False)
