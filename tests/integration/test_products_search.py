"""On DynamoDB (moto): the search index kept by real syncs and exports — new, changed and deleted rows, the
status filter following the exporters, a fresh copy (snapshot + journal) agreeing with a long-lived one."""
import boto3
import pytest

from chalicelib.adapters.dynamo_batches import DynamoBatchStore
from chalicelib.adapters.dynamo_control import dynamo_control
from chalicelib.adapters.dynamo_feed import DynamoFeedStore
from chalicelib.adapters.dynamo_runs import DynamoRunStore
from chalicelib.domain.feed import RowKey
from chalicelib.search import upkeep
from chalicelib.search.dynamo_store import DynamoSearchIndexStore
from chalicelib.search.journaled_feed import JournaledFeedStore
from chalicelib.search.live import LiveIndex
from chalicelib.search.product_search import IndexedProductSearch
from chalicelib.search.query import parse_query, run_query
from chalicelib.search.s3_snapshots import SnapshotObjects
from chalicelib.services.context import SyncContext
from chalicelib.services.export import export_batch
from chalicelib.services.products import product_detail, search_products
from chalicelib.services.sync import start_sync
from chalicelib.settings import Settings
from tests.fakes import VIEWS, InMemoryQueue, InMemorySource, RecordingDestination, product
from tests.moto_session import HUB_BUCKET
from tests.unit.test_sync_service import Clock


def catalog(ids, **overrides):
    return [product(i, view.code, name=f"Tee {i}", **overrides) for i in ids for view in VIEWS]


@pytest.fixture
def ctx(aws):
    store = DynamoSearchIndexStore(SnapshotObjects(boto3.client("s3"), HUB_BUCKET))
    search = IndexedProductSearch(store)
    context = SyncContext(Settings(batch_max_rows=10), InMemorySource(catalog(range(1, 11))), RecordingDestination(),
                          lambda feed: JournaledFeedStore(DynamoFeedStore(feed),
                                                          search), DynamoRunStore(), dynamo_control(),
                          InMemoryQueue(), DynamoBatchStore(journal=store), product_search=search)
    context.clock = Clock()
    return context


def export_all(ctx):
    for message in ctx.queue.drain():
        export_batch(ctx, message)


def keys(result):
    return [(item["sku"], item["store_view_code"]) for item in result["items"]]


def fresh_copy(ctx, **params):
    """What an API Lambda starting now would answer: the snapshot and the journal since."""
    index = LiveIndex(ctx.product_search.store).current()
    page = run_query(index, parse_query(index, limit=200, **params))
    return sorted(index.row_key(row) for row in page.rows)


def test_the_index_follows_real_syncs_and_exports(ctx):
    # given a first sync: the index is built from the table, every row pending until exported
    start_sync(ctx, trigger="cli")
    assert ctx.product_search.store.current().rows == 20
    assert search_products(ctx, status="awaiting_submission")["total"] == 20
    export_all(ctx)
    totals = (search_products(ctx, status="awaiting_submission")["total"],
              search_products(ctx, status="submitted")["total"])
    assert totals == (0, 20)

    # when the catalog changes: a product renamed, one added, one gone, one the destination will reject
    ctx.clock.advance(hours=1)
    ctx.source.records = (catalog([1, 4, 5, 6, 7, 8, 9, 10, 11])
                          + [product(2, view.code, name="Hoodie Renamed", updated_at="2026-11-22T11:00:00.000Z")
                             for view in VIEWS])
    ctx.destination.reject = {RowKey("SKU-0011", "french"): "invalid: unknown attribute"}
    start_sync(ctx, trigger="cli", mode="reconcile")

    # then the search sees them at once, pending, and the status filter follows the exporters
    assert keys(search_products(ctx, q="hoodie")) == [("SKU-0002", "default"), ("SKU-0002", "french")]
    assert search_products(ctx, q="tee 2")["total"] == 0
    assert keys(search_products(ctx, q="sku-0011")) == [("SKU-0011", "default"), ("SKU-0011", "french")]
    pending = keys(search_products(ctx, status="awaiting_submission", limit=200))
    assert sorted(pending) == sorted([("SKU-0002", v.code) for v in VIEWS] + [("SKU-0003", v.code) for v in VIEWS]
                                     + [("SKU-0011", v.code) for v in VIEWS])
    export_all(ctx)
    assert keys(search_products(ctx, status="deleted")) == [("SKU-0003", "default"), ("SKU-0003", "french")]
    assert keys(search_products(ctx, status="failed_requires_attention")) == [("SKU-0011", "french")]
    assert search_products(ctx, status="awaiting_submission")["total"] == 0
    assert search_products(ctx)["total"] == 22
    newest = search_products(ctx, sort="last_exported", order="desc", limit=5)
    assert {item["sku"] for item in newest["items"]} <= {"SKU-0002", "SKU-0003", "SKU-0011"}

    # and an API process starting now (snapshot + journal) answers the same
    assert fresh_copy(ctx, status="deleted") == [("SKU-0003", "default"), ("SKU-0003", "french")]
    assert fresh_copy(ctx, q="hoodie") == [("SKU-0002", "default"), ("SKU-0002", "french")]


def test_a_grown_journal_is_folded_into_a_new_snapshot_that_answers_the_same(ctx, monkeypatch):
    start_sync(ctx, trigger="cli")
    export_all(ctx)
    first = ctx.product_search.store.current()
    before = keys(search_products(ctx, sort="name", limit=200))
    monkeypatch.setattr(upkeep, "COMPACT_ENTRIES", 2)
    ctx.clock.advance(hours=1)
    start_sync(ctx, trigger="cli", mode="partial")  # nothing changed; the marks since the first sync are folded in
    assert ctx.product_search.store.current() != first
    assert fresh_copy(ctx, status="submitted") == sorted(before)
    assert keys(search_products(ctx, sort="name", limit=200)) == before


def test_the_detail_reads_the_rows_of_one_product(ctx):
    start_sync(ctx, trigger="cli")
    export_all(ctx)
    detail = product_detail(ctx, 7)
    assert [view["store_view_code"] for view in detail["store_views"]] == ["default", "french"]
    assert all(view["differences"] == [] for view in detail["store_views"])
