"""The HTTP destination's reads on a scripted connection pool (no network): the queries it makes, a listing's
pages and cursor, retries of a page, and answers that are not the contract's."""
from __future__ import annotations

import json
import re

import pytest
import urllib3

from chalicelib.adapters.http_destination import HttpDestination
from chalicelib.domain.errors import DestinationError
from chalicelib.domain.feed import RowKey
from chalicelib.domain.holdings import HeldItem

URL = "https://ingest.example.com/v1/feeds/{feed}"
KEY = "s3cr3t-key-value"


class Reply:
    def __init__(self, status, body=b"", headers=None):
        self.status = status
        self.data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = headers or {"Content-Type": "application/json"}


class ScriptedPool:
    """Answers each GET with the next reply (or raises it); keeps the URL, fields and headers sent."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.sent = []

    def request(self, method, url, fields=None, headers=None, timeout=None, retries=None):
        self.sent.append({"method": method, "url": url, "fields": fields, "headers": headers})
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def destination(pool, sleeps=None, budget=10.0, page_size=2):
    return HttpDestination(URL, lambda: KEY, timeout_seconds=5, budget_seconds=budget, pool=pool,
                           sleep=(sleeps.append if sleeps is not None else lambda s: None), read_page_size=page_size)


def page(items, cursor=None):
    return Reply(200, {"feed": "products", "identity": ["sku", "storeViewCode"], "total": 3, "items": items,
                       "nextCursor": cursor})


def listed(sku, view="default", deleted=False, document=None):
    item = {"identity": {"sku": sku, "storeViewCode": view}, "hash": f"h-{sku}", "modifiedAt": "2026-11-22T10:00Z",
            "deleted": deleted}
    return item if document is None else {**item, "document": document}


def test_held_asks_for_the_item_by_its_feeds_identity_fields(every_feed):
    pool = ScriptedPool(Reply(200, {"document": {"sku": "A", "regular": 3.0}}), Reply(404, {"message": "no item"}))

    assert destination(pool).held("prices", RowKey("A", "base/1")) == {"sku": "A", "regular": 3.0}
    assert destination(pool).held("inventoryStockStatus", RowKey("A", "2")) is None

    assert [sent["fields"] for sent in pool.sent] == [
        {"feed": "prices", "sku": "A", "websiteCode": "base", "customerGroupCode": "1"},
        {"feed": "inventoryStockStatus", "stockId": "2", "sku": "A"}]
    assert pool.sent[0]["url"] == "https://ingest.example.com/v1/items"
    assert pool.sent[0]["headers"]["x-api-key"] == KEY and pool.sent[0]["headers"]["Accept-Encoding"] == "gzip"


def test_holdings_follow_the_cursor_until_it_is_null():
    pool = ScriptedPool(page([listed("A"), listed("B", deleted=True)], cursor="c1"), page([listed("C")]))

    held = list(destination(pool).holdings("products"))

    assert held == [HeldItem(("A", "default"), "h-A", "2026-11-22T10:00Z", False),
                    HeldItem(("B", "default"), "h-B", "2026-11-22T10:00Z", True),
                    HeldItem(("C", "default"), "h-C", "2026-11-22T10:00Z", False)]
    assert [sent["url"] for sent in pool.sent] == ["https://ingest.example.com/v1/feeds/products/items"] * 2
    assert [sent["fields"] for sent in pool.sent] == [{"limit": "2"}, {"limit": "2", "cursor": "c1"}]


def test_a_page_that_fails_for_now_is_retried_with_backoff_from_where_the_listing_was():
    sleeps = []
    pool = ScriptedPool(page([listed("A")], cursor="c1"), Reply(503, {"message": "Service Unavailable"}),
                        Reply(429, {"message": "slow down"}, {"Retry-After": "2"}),
                        urllib3.exceptions.ReadTimeoutError(None, "/", "read timed out"), page([listed("B")]))

    held = list(destination(pool, sleeps).holdings("products"))

    assert [item.identity[0] for item in held] == ["A", "B"]
    assert len(sleeps) == 3 and sleeps[1] >= 2  # Retry-After is a floor
    assert [sent["fields"].get("cursor") for sent in pool.sent] == [None, "c1", "c1", "c1", "c1"]


def test_a_page_that_keeps_failing_gives_up_within_the_budget():
    pool = ScriptedPool(*[Reply(503, {"message": "down"})] * 3)

    with pytest.raises(DestinationError, match="answered 503 to a read: down") as failed:
        list(destination(pool, budget=0.6).holdings("products"))

    assert (failed.value.code, failed.value.retryable) == ("destination.unavailable", True)


@pytest.mark.parametrize("reply, text", [
    (Reply(404, {"message": "no endpoint GET /v1/feeds/products/items"}), "cannot be read back (404"),
    (Reply(200, b"<html>"), "cannot be read back (200"),
    (Reply(200, {"items": [{"identity": {"sku": "A"}, "hash": "h"}]}), "without its identity (sku, storeViewCode)"),
    (Reply(200, {"items": [{"identity": {"sku": "A", "storeViewCode": "x"}}]}), "or hash"),
])
def test_a_listing_that_is_not_the_contracts_is_an_error_not_retried(reply, text):
    with pytest.raises(DestinationError, match=re.escape(text)) as failed:
        list(destination(ScriptedPool(reply)).holdings("products"))

    assert (failed.value.code, failed.value.retryable) == ("destination.unreadable", False)


def test_documents_come_with_the_items_when_listed():
    pool = ScriptedPool(page([listed("A", document={"sku": "A", "name": "x"})]))

    [item] = destination(pool).holdings("products")

    assert item.document == {"sku": "A", "name": "x"}
