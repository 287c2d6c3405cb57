"""Every feed's sync status on fakes: items by Adobe's four statuses, read through the pending batches; the last
success and its age; health (dirty backlog, outbox, stale)."""
from datetime import timedelta

import pytest

from chalicelib.domain.batches import ATTENTION, AWAITING, SUBMITTED, WILL_RETRY
from chalicelib.domain.errors import DestinationError
from chalicelib.domain.events import DirtyEntry
from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds import FEEDS
from chalicelib.search.journaled_feed import JournaledFeedStore
from chalicelib.search.product_search import IndexedProductSearch
from chalicelib.services.export import export_batch, fail_dead_batch
from chalicelib.services.feed_status import feed_status, feeds_status, stale_after_seconds
from chalicelib.services.sync import start_sync
from tests.fakes import VIEWS, InMemorySearchIndexStore, product
from tests.unit.test_sync_service import Clock


@pytest.fixture
def ctx(fake_ctx):
    # No search index here: the products feed counts through its batches like every other feed.
    fake_ctx.source.records = [product(i, view.code) for i in range(1, 13) for view in VIEWS]  # 24 rows
    fake_ctx.clock = Clock()
    return fake_ctx


def export_all(ctx):
    for message in ctx.queue.drain():
        export_batch(ctx, message)


def test_every_feed_is_listed_products_first_and_a_feed_the_source_cannot_read_is_said(ctx):
    listed = feeds_status(ctx)["feeds"]
    assert [f["feed"] for f in listed] == list(FEEDS)
    assert [f["offered"] for f in listed] == [True] + [False] * (len(FEEDS) - 1)
    never = listed[0]
    assert never["last_success_at"] is None and never["health"]["stale"] and not never["health"]["ok"]
    assert not listed[1]["health"]["stale"] and listed[1]["schedule"]["every_hours"] is None


def test_rows_on_their_way_are_awaiting_submission_and_in_the_outbox(ctx):
    start_sync(ctx, trigger="cli")
    status = feed_status(ctx, "products")
    assert status["items"] == {SUBMITTED: 0, AWAITING: 24, WILL_RETRY: 0, ATTENTION: 0}
    assert status["health"]["outbox_batches"] == 3 and status["health"]["outbox_rows"] == 24  # batches of 10
    assert status["last_run"]["status"] == "In Progress" and status["in_flight"] == status["last_run"]["run_id"]
    export_all(ctx)
    status = feed_status(ctx, "products")
    assert status["source_records"] == 24 and status["in_flight"] is None
    assert status["items"] == {SUBMITTED: 24, AWAITING: 0, WILL_RETRY: 0, ATTENTION: 0}
    assert status["health"] == {"dirty_backlog": 0, "outbox_batches": 0, "outbox_rows": 0, "stale": False,
                                "stale_after_seconds": stale_after_seconds(), "ok": True}
    assert status["last_success_at"] == "2026-11-22T10:00:00.000Z" and status["last_success_age_seconds"] == 0


def test_failed_rows_are_counted_as_will_retry_or_requires_attention(ctx):
    ctx.destination.reject[RowKey("SKU-0001", "default")] = "price below cost"
    start_sync(ctx, trigger="cli")
    messages = ctx.queue.drain()
    export_batch(ctx, messages[0])  # rows 1-10 of the first batch: one rejected
    ctx.destination.fail = DestinationError("the service is down", retryable=True)
    with pytest.raises(DestinationError):
        export_batch(ctx, messages[1])
    fail_dead_batch(ctx, messages[1])  # its retries spent: failed, will retry with the next sync
    status = feed_status(ctx, "products")
    assert status["items"] == {SUBMITTED: 9, AWAITING: 4, WILL_RETRY: 10, ATTENTION: 1}
    assert status["health"]["outbox_batches"] == 2 and not status["health"]["ok"]


def test_a_stale_last_success_and_the_dirty_backlog_are_health_indicators(ctx):
    start_sync(ctx, trigger="cli")
    export_all(ctx)
    ctx.control.dirty.mark("products", [DirtyEntry(sku="SKU-0003", marked_at="2026-11-22T10:00:00.000Z",
                                                   mark="m1")])
    ctx.clock.advance(seconds=stale_after_seconds() + 1)
    status = feed_status(ctx, "products")
    assert status["health"]["dirty_backlog"] == 1 and status["health"]["stale"] and not status["health"]["ok"]
    assert status["last_success_age_seconds"] == stale_after_seconds() + 1
    assert timedelta(seconds=stale_after_seconds()) == timedelta(hours=2)


def test_the_products_feed_counts_through_its_search_index_and_through_its_batches_without_it(ctx):
    ctx.product_search = IndexedProductSearch(InMemorySearchIndexStore())
    ctx.feed_rows.stores["products"] = JournaledFeedStore(ctx.rows("products"), ctx.product_search)
    ctx.source.records[0] = product(1, "default", price="not a price")  # a malformed source record
    start_sync(ctx, trigger="cli")
    export_all(ctx)
    counted = feed_status(ctx, "products")["items"]
    assert counted == {SUBMITTED: 23, AWAITING: 0, WILL_RETRY: 0, ATTENTION: 1}  # the index knows the malformed row
    ctx.product_search.search = lambda **query: (_ for _ in ()).throw(RuntimeError("the index is unreadable"))
    assert feed_status(ctx, "products")["items"][SUBMITTED] == 23  # counted through the batches instead
