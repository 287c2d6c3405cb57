"""Every write of feed rows, and every batch's outcome, is journaled for the search index, after the rows, and
replays to their states."""
import json
import logging

from chalicelib.domain.batches import ATTENTION, AWAITING, DONE, BatchOutcome
from chalicelib.domain.batching import BatchRow, ExportBatch
from chalicelib.domain.errors import Failure
from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds.products import build_row, deletion_of
from chalicelib.search import journal
from chalicelib.search.index import ProductIndex
from chalicelib.search.journaled_feed import JournaledFeedStore
from chalicelib.search.product_search import IndexedProductSearch
from chalicelib.search.query import parse_query, run_query
from tests.fakes import VIEWS, InMemoryFeedStore, InMemorySearchIndexStore, product

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


def row(i, view="default", **overrides):
    built = build_row(product(i, view, **overrides), VIEWS_BY_CODE)
    built.export_status = AWAITING
    return built


def settled(index_store, rows, at="2026-11-22T10:00:00.000Z", rejected=None):
    """A batch carrying ``rows`` (as sent) ends: its outcome is told to the index."""
    batch = ExportBatch("products", "run-1", 1, [BatchRow(r.key, r.hash, r.last_modified, json.loads(r.document))
                                                 for r in rows])
    outcome = BatchOutcome(batch.batch_id, "products", DONE, tuple(r.key for r in rows), at, rejected=rejected or {})
    IndexedProductSearch(index_store).batch_outcome(batch, outcome)


def replayed(index_store):
    index = ProductIndex()
    for record in index_store.journal():
        index.apply(journal.decode(record.data))
    return index


def statuses(index, status):
    page = run_query(index, parse_query(index, status=status, limit=200))
    return sorted(index.row_key(r) for r in page.rows)


def test_the_rows_and_their_batches_outcomes_replay_to_their_states():
    rows, index_store = InMemoryFeedStore(), InMemorySearchIndexStore()
    feed = JournaledFeedStore(rows, IndexedProductSearch(index_store))
    feed.put_rows(row(i, view.code) for i in range(3) for view in VIEWS)  # a generator: read once
    two = RowKey("SKU-0002", "french")
    sent = [row(0), row(1), row(2, "french")]
    feed.put_rows([row(1, name="Changed meanwhile")])  # a concurrent reindex: the outcome no longer applies to it
    settled(index_store, sent, rejected={two: Failure("destination.rejected", "invalid: no")})
    feed.record_invalid(RowKey("#9", "default"), Failure("invalid_record.sku", "missing sku"), "run-1",
                        {"name": "No Sku", "product_id": 9})
    assert len(rows.rows) == 7
    index = replayed(index_store)
    assert statuses(index, "submitted") == [("SKU-0000", "default")]
    assert statuses(index, ATTENTION) == [("#9", "default"), ("SKU-0002", "french")]
    assert ("SKU-0001", "default") in statuses(index, AWAITING)
    page = run_query(index, parse_query(index, sort="last_exported", order="desc", limit=1))
    assert index.row_key(page.rows[0]) == ("SKU-0000", "default")


def test_a_deletion_delivered_is_deleted_in_the_index():
    feed = JournaledFeedStore(InMemoryFeedStore(), IndexedProductSearch(index_store := InMemorySearchIndexStore()))
    gone = deletion_of(row(4), VIEWS_BY_CODE["default"])
    gone.export_status = AWAITING
    feed.put_rows([gone])
    settled(index_store, [gone])
    assert statuses(replayed(index_store), "deleted") == [("SKU-0004", "default")]


def test_a_journal_that_cannot_be_written_does_not_stop_the_write(caplog):
    rows, index_store = InMemoryFeedStore(), InMemorySearchIndexStore()
    index_store.fail_with = RuntimeError("throttled")
    with caplog.at_level(logging.ERROR):
        JournaledFeedStore(rows, IndexedProductSearch(index_store)).put_rows([row(1)])
    assert RowKey("SKU-0001", "default") in rows.rows and index_store.entries == []
    assert "journal missed a write" in caplog.text


def test_big_writes_are_split_into_entries_a_store_item_can_hold():
    feed = JournaledFeedStore(InMemoryFeedStore(), IndexedProductSearch(index_store := InMemorySearchIndexStore()))
    feed.put_rows([row(i) for i in range(2_500)])
    assert len(index_store.entries) == 3 and max(len(r.data) for r in index_store.entries) < 350_000
