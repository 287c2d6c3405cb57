"""The ProductSearch port on the in-memory index (over the store's fake): rows written, batch outcomes, a
product's rows, pages; an outcome names only the rows its batch carried, and applies to the version sent."""
import json

import pytest

from chalicelib.domain.batches import AWAITING, DELETED, DONE, FAILED, BatchOutcome
from chalicelib.domain.batching import BatchRow, ExportBatch
from chalicelib.domain.errors import Failure, InvalidQueryError
from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds.products import build_row, deletion_of
from chalicelib.search.product_search import IndexedProductSearch
from tests.fakes import VIEWS, InMemorySearchIndexStore, product

VIEWS_BY_CODE = {view.code: view for view in VIEWS}
AT = "2026-11-22T10:00:00.000Z"


def row(i, view="default", **overrides):
    built = build_row(product(i, view, **overrides), VIEWS_BY_CODE)
    built.export_status = AWAITING
    return built


def batch_of(rows, batch_no=1):
    return ExportBatch("products", "run-1", batch_no, [BatchRow(r.key, r.hash, r.last_modified,
                                                                json.loads(r.document)) for r in rows])


@pytest.fixture
def search():
    search = IndexedProductSearch(InMemorySearchIndexStore())
    search.rows_written([row(i, view.code) for i in range(1, 6) for view in VIEWS])
    return search


def keys(page):
    return [(item["sku"], item["store_view_code"]) for item in page.rows]


def test_one_outcome_settles_the_rows_submitted_deleted_and_rejected_of_a_batch(search):
    gone = deletion_of(row(5), VIEWS_BY_CODE["default"])
    gone.export_status = AWAITING
    search.rows_written([gone])
    rejected = RowKey("SKU-0002", "french")
    batch = batch_of([row(1), gone, row(2, "french")])
    search.batch_outcome(batch, BatchOutcome(batch.batch_id, "products", DONE, (), AT,
                                             rejected={rejected: Failure("invalid", "name too long")}))
    assert keys(search.search(status="submitted")) == [("SKU-0001", "default")]
    assert keys(search.search(status=DELETED)) == [("SKU-0005", "default")]
    assert keys(search.search(status="failed_requires_attention")) == [("SKU-0002", "french")]
    assert search.search(status=AWAITING).total == 7
    assert search.search(sort="last_exported", order="desc", limit=1).rows[0]["last_exported_at"] == AT


def test_a_failed_batch_fails_its_rows_for_now_or_for_good(search):
    for batch_no, retryable, status in ((1, True, "failed_will_retry"), (2, False, "failed_requires_attention")):
        batch = batch_of([row(batch_no)], batch_no)
        search.batch_outcome(batch, BatchOutcome(batch.batch_id, "products", FAILED, (), AT,
                                                 failure=Failure("destination", "503"), retryable=retryable))
        assert keys(search.search(status=status)) == [(f"SKU-{batch_no:04d}", "default")]


def test_an_outcome_for_a_version_no_longer_held_changes_nothing(search):
    batch = batch_of([row(3)])
    search.rows_written([row(3, name="Renamed meanwhile")])  # a newer version travels in its own batch
    search.batch_outcome(batch, BatchOutcome(batch.batch_id, "products", DONE, (), AT))
    assert search.search(status="submitted").total == 0
    assert keys(search.search(q="renamed meanwhile", status=AWAITING)) == [("SKU-0003", "default")]


def test_the_outcome_journal_written_with_a_settlement_tells_the_search_as_batch_outcome_does(search):
    batch = batch_of([row(1), row(2, "french")])
    outcome = BatchOutcome(batch.batch_id, "products", DONE, (), AT,
                           rejected={RowKey("SKU-0002", "french"): Failure("invalid", "name too long")})
    search.store.append(search.outcome_journal(batch, outcome))  # as the batch store writes it
    assert keys(search.search(status="submitted")) == [("SKU-0001", "default")]
    assert keys(search.search(status="failed_requires_attention")) == [("SKU-0002", "french")]


def test_an_outcome_the_journal_cannot_take_is_logged_not_raised(search, caplog):
    search.store.fail_with = RuntimeError("throttled")
    batch = batch_of([row(4)])
    search.batch_outcome(batch, BatchOutcome(batch.batch_id, "products", DONE, (), AT))  # the batch stays settled
    assert "missed a batch outcome" in caplog.text


def test_an_invalid_record_fails_its_row(search):
    search.row_invalid(RowKey("#7", "french"), {"name": "No Sku", "product_id": 7})
    assert keys(search.search(status="failed_requires_attention")) == [("#7", "french")]


def test_the_rows_of_a_product_are_every_store_view(search):
    assert search.keys_of_product(4) == [RowKey("SKU-0004", "default"), RowKey("SKU-0004", "french")]
    assert search.keys_of_product(99) == []


def test_a_page_carries_the_columns_and_a_cursor_to_the_next(search):
    first = search.search(sort="name", limit=4)
    assert first.total == 10 and len(first.rows) == 4 and first.next_cursor
    rest = search.search(sort="name", limit=10, cursor=first.next_cursor)
    assert len(rest.rows) == 6 and rest.next_cursor is None
    assert set(keys(first)).isdisjoint(keys(rest))
    assert {"product_id", "name", "sku", "store_view_code", "export_status", "price"} <= set(first.rows[0])
    with pytest.raises(InvalidQueryError, match="sort must be one of"):
        search.search(sort="price")
