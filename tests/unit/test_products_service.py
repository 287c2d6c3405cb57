"""The products service on fakes: search pages with live export states, and the detail's discrepancy check."""
import pytest

from chalicelib.domain.errors import DestinationError
from chalicelib.domain.feed import RowKey
from chalicelib.search.journaled_feed import JournaledFeedStore
from chalicelib.search.product_search import IndexedProductSearch
from chalicelib.services.export import export_batch
from chalicelib.services.products import ITEM_FIELDS, InvalidQueryError, product_detail, search_products
from chalicelib.services.sync import start_sync
from tests.fakes import VIEWS, InMemorySearchIndexStore, product
from tests.unit.test_sync_service import Clock


@pytest.fixture
def ctx(fake_ctx):
    fake_ctx.product_search = IndexedProductSearch(InMemorySearchIndexStore())
    fake_ctx.batches.journal = fake_ctx.product_search.store  # outcomes journaled as batches settle
    fake_ctx.feed_rows.stores["products"] = JournaledFeedStore(fake_ctx.rows("products"), fake_ctx.product_search)
    fake_ctx.source.records = [product(i, view.code, name="Hoodie" if i % 4 == 0 else f"Tee {i}")
                               for i in range(1, 13) for view in VIEWS]
    fake_ctx.clock = Clock()
    start_sync(fake_ctx, trigger="cli")
    return fake_ctx


def export_all(ctx):
    for message in ctx.queue.drain():
        export_batch(ctx, message)


def skus(result):
    return [(item["sku"], item["store_view_code"]) for item in result["items"]]




def test_items_carry_every_column_as_the_table_holds_it_now(ctx):
    result = search_products(ctx, q="hoodie", limit=2)
    assert result["total"] == 6 and result["next_cursor"]
    first = result["items"][0]
    assert list(first) == list(ITEM_FIELDS)
    assert first == {"product_id": 4, "name": "Hoodie", "type": "simple", "last_exported_at": None,
                     "last_modified": "2026-01-01T00:00:00.000Z", "attribute_set": "Default", "sku": "SKU-0004",
                     "price": 14.0, "price_from": False, "currency": "USD", "quantity": 5.0,
                     "salable_quantity": 5.0, "visibility": "Catalog, Search",
                     "store_view_code": "default", "export_status": "awaiting_submission", "error": None}
    export_all(ctx)
    again = search_products(ctx, q="hoodie", limit=2)["items"][0]
    assert again["export_status"] == "submitted" and again["last_exported_at"] == "2026-11-22T10:00:00.000Z"


def test_the_export_state_shown_is_the_tables_even_when_the_index_missed_it(ctx):
    ctx.product_search.store.fail_with = RuntimeError("throttled")  # the exporters' marks never reach the journal
    export_all(ctx)
    result = search_products(ctx, status="awaiting_submission", limit=1)
    assert result["total"] == 24  # the index filters as it knows the rows ...
    assert result["items"][0]["export_status"] == "submitted"  # ... and each row shown is as its batch holds it


def test_a_batch_outcome_is_journaled_with_its_settlement_once(ctx):
    first, *_ = ctx.queue.drain()
    before = len(ctx.product_search.store.entries)
    assert export_batch(ctx, first) == "exported"
    assert len(ctx.product_search.store.entries) == before + 1  # one entry: the rows it carried, submitted
    assert export_batch(ctx, first) == "duplicate"  # a redelivery settles nothing and journals nothing
    assert len(ctx.product_search.store.entries) == before + 1


def test_a_batch_that_cannot_settle_with_its_journal_settles_alone_and_the_search_is_told_apart(ctx, caplog):
    ctx.batches.journal = None  # the write with the journal fails (here: the store has none)
    export_all(ctx)
    assert search_products(ctx, status="submitted")["total"] == 24
    assert ctx.runs.get(ctx.runs.latest("products").run_id).status == "success"
    assert "could not settle the batch with its search journal" in caplog.text


def test_pages_follow_the_cursor_to_the_end(ctx):
    seen, cursor = [], None
    while True:
        page = search_products(ctx, sort="name", order="desc", limit=5, cursor=cursor)
        seen += skus(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 24
    assert seen[0] == ("SKU-0009", "french")  # "tee 9" is the greatest name; french after default, reversed


def test_the_status_filter_follows_the_exporters(ctx):
    assert search_products(ctx, status="awaiting_submission")["total"] == 24
    ctx.destination.reject = {RowKey("SKU-0003", "french"): "invalid: too long"}
    export_all(ctx)
    assert search_products(ctx, status="awaiting_submission")["total"] == 0
    assert search_products(ctx, status="submitted")["total"] == 23
    failed = search_products(ctx, status="failed_requires_attention")
    assert skus(failed) == [("SKU-0003", "french")] and failed["items"][0]["error"] == "invalid: too long"
    assert search_products(ctx, status="not_exported", store_view="french")["total"] == 0


def test_bad_parameters_are_invalid_queries(ctx):
    with pytest.raises(InvalidQueryError, match="store_view must be one of default, french"):
        search_products(ctx, store_view="german")
    with pytest.raises(InvalidQueryError, match="cursor is not valid"):
        search_products(ctx, cursor="abc")
    with pytest.raises(InvalidQueryError, match="product_id must be a positive whole number"):
        product_detail(ctx, 0)


# The detail and its discrepancy check

def test_a_product_in_sync_everywhere_has_no_differences(ctx):
    export_all(ctx)
    detail = product_detail(ctx, 4)
    assert (detail["product_id"], detail["sku"], detail["source_error"], detail["destination_error"]) == \
        (4, "SKU-0004", None, None)
    views = {view["store_view_code"]: view for view in detail["store_views"]}
    assert list(views) == ["default", "french"]
    default = views["default"]
    assert default["document"]["name"] == "Hoodie" and default["export_status"] == "submitted"
    assert default["batch"].endswith("/00001")
    assert default["source"] == default["document"]
    assert default["destination"]["modifiedAt"] and default["differences"] == []


def test_differences_name_the_fields_and_each_sides_value(ctx):
    export_all(ctx)
    ctx.source.records[6] = product(4, "default", name="Hoodie", price=99.0)  # changed in Magento, not yet synced
    views = {view["store_view_code"]: view for view in product_detail(ctx, 4)["store_views"]}
    assert views["default"]["differences"] == [{"field": "price", "feed": 14.0, "source": 99.0,
                                                "destination": 14.0}]
    assert views["french"]["differences"] == []


def test_a_row_not_yet_exported_differs_from_a_destination_holding_nothing(ctx):
    view = product_detail(ctx, 4)["store_views"][0]
    assert view["destination"] is None and view["export_status"] == "awaiting_submission"
    assert {d["field"] for d in view["differences"]} >= {"name", "price", "sku"}
    assert all(d["destination"] is None for d in view["differences"])


def test_a_source_that_fails_is_named_and_the_rest_still_answers(ctx):
    export_all(ctx)
    ctx.source.fail_with = "Magento returned 503"
    detail = product_detail(ctx, 4)
    assert detail["source_error"] == "the source could not be read: Magento returned 503"
    view = detail["store_views"][0]
    assert view["source"] is None and view["destination"] is not None and view["differences"] == []


def test_a_destination_that_fails_or_cannot_answer_is_named(ctx):
    export_all(ctx)
    ctx.destination.fail_reads = DestinationError("cannot reach the destination: ConnectionRefusedError")
    detail = product_detail(ctx, 4)
    assert detail["destination_error"] == ("the destination could not be read: cannot reach the destination: "
                                           "ConnectionRefusedError")
    assert detail["store_views"][0]["destination"] is None and detail["store_views"][0]["source"] is not None
    ctx.destination = None
    assert product_detail(ctx, 4)["destination_error"] == "not read: no SaaS destination configured"


def test_a_product_the_feed_does_not_hold_is_none(ctx):
    assert product_detail(ctx, 999) is None


def test_an_invalid_source_record_is_named(ctx):
    ctx.source.records[6] = product(4, "default", price="lots")
    detail = product_detail(ctx, 4)
    assert detail["source_error"] == "the source's record is invalid: store view default: price is not a number: 'lots'"
    assert detail["store_views"][0]["source"] is None
