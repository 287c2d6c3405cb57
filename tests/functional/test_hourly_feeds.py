"""The hourly handler, as EventBridge invokes it, syncs every feed the source reads (products first); a feed whose
source read fails part-way fails its own run, with the reason, and the other feeds go on to succeed."""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from chalicelib import container
from chalicelib.domain.errors import SourceError
from chalicelib.domain.feeds import FEEDS
from tests.fakes import VIEWS, InMemorySource, product
from tests.functional.lambdas import export_everything, hourly

# A few items of each feed, as the Magento adapter reads them.
RECORDS: dict[str, list[dict[str, Any]]] = {
    "productAttributes": [{"store_view_code": view.code, "attribute_id": 150 + i, "attribute_code": code,
                           "frontend_input": "boolean", "backend_type": "int", "label": code.title(),
                           "scope": "global", "user_defined": True}
                          for view in VIEWS for i, code in enumerate(("eco_collection", "new", "sale"))],
    "categories": [{"store_view_code": view.code, "category_id": cid, "name": f"Category {cid}", "level": 2,
                    "path": f"1/2/{cid}", "parent_id": 2, "children": [], "is_active": True}
                   for view in VIEWS for cid in (3, 12, 21)],
    "variants": [{"parent_id": 100, "parent_sku": "CONF-1", "product_id": 100 + i, "product_sku": f"CONF-1-{size}",
                  "option_values": [{"attribute_id": 144, "attribute_code": "size", "value_index": 166 + i,
                                     "label": size}]}
                 for i, size in enumerate(("S", "M", "L"), start=1)],
    "prices": [{"sku": f"SKU-{i}", "product_id": i, "type": "simple", "website_id": 1, "website_code": "base",
                "customer_group_id": group, "customer_group": name, "regular": 10.0 + i, "special": None,
                "tiers": [], "parents": [], "read_at": "2026-11-22T10:00:00.000Z"}
               for i in range(3) for group, name in ((0, "NOT LOGGED IN"), (1, "General"))],
    "inventoryStockStatus": [{"stock_id": 1, "stock_name": "Default Stock", "sku": f"SKU-{i}", "product_id": i,
                              "type": "simple", "quantity": 5 + i, "salable_quantity": 5 + i, "is_salable": True,
                              "manage_stock": True, "notify_stock_qty": 1} for i in range(3)],
}


class FailingFeedSource(InMemorySource):
    """Every feed's records; ``failing``'s read gives its first record, then raises ``error`` (a page that fails)."""

    def __init__(self, failing: str, error: Exception):
        super().__init__([product(i, view.code) for i in range(6) for view in VIEWS])
        self.feed_records = {feed: list(records) for feed, records in RECORDS.items()}
        self.failing, self.error = failing, error

    def read(self, feed: str, changed_since: str | None) -> Iterator[Mapping[str, Any]]:
        records = super().read(feed, changed_since)
        return self._failing(records) if feed == self.failing else records

    def read_resumable(self, feed: str, start: str | None) -> Iterator[Any]:  # a full run's read
        records = super().read_resumable(feed, start)
        return self._failing(records) if feed == self.failing else records

    def _failing(self, records: Iterator[Any]) -> Iterator[Any]:
        yield next(records)
        raise self.error


def _status(client, user_pool, feed: str) -> dict[str, Any]:
    response = client.http.get(f"/api/sync/status?feed={feed}", headers=user_pool.operator())
    assert response.status_code == 200, response.body
    return json.loads(response.body)["last_sync"]


def test_the_source_reads_every_feed_of_the_app():
    assert set(FailingFeedSource("products", SourceError("x")).feeds()) == set(FEEDS), "a feed without records"


@pytest.mark.parametrize("failing", list(FEEDS))
def test_a_feed_whose_read_fails_fails_its_own_run_and_the_others_go_on(client, aws, user_pool, failing):
    container.context().source = FailingFeedSource(failing, SourceError("Magento returned 503 for /V1/x (page 2)"))

    run_ids = hourly(client)["run_ids"]
    export_everything(client, aws["queue_url"])

    runs = {feed: _status(client, user_pool, feed) for feed in FEEDS}
    assert [runs[feed]["run_id"] for feed in FEEDS] == run_ids, "one run per feed, products first"
    assert runs[failing]["status"] == "Failed"
    response = client.http.get(f"/api/sync/runs/{runs[failing]['run_id']}", headers=user_pool.operator())
    assert json.loads(response.body)["error"] == "Magento returned 503 for /V1/x (page 2)"
    others = {feed: run["status"] for feed, run in runs.items() if feed != failing}
    assert others == dict.fromkeys(others, "Success")
    assert all(run["rows_changed"] > 0 for feed, run in runs.items() if feed != failing)


def test_a_bug_in_one_feeds_read_fails_that_run_only(client, aws, user_pool):
    container.context().source = FailingFeedSource("products", KeyError("price"))

    hourly(client)
    export_everything(client, aws["queue_url"])

    runs = {feed: _status(client, user_pool, feed) for feed in FEEDS}
    assert runs["products"]["status"] == "Failed"
    response = client.http.get(f"/api/sync/runs/{runs['products']['run_id']}", headers=user_pool.operator())
    assert json.loads(response.body)["error"] == "internal error: KeyError: 'price'"
    assert {feed: run["status"] for feed, run in runs.items() if feed != "products"} == dict.fromkeys(
        RECORDS, "Success")
