"""The product detail's discrepancy check against the simulated ingestion service (over HTTP) and a fake source;
and the S3 hub, which cannot say what it holds."""
import boto3
import pytest

from chalicelib.adapters.http_destination import HttpDestination
from chalicelib.adapters.s3_hub import S3HubDestination
from chalicelib.domain.batching import decode, pack
from chalicelib.domain.feeds.products import build_row
from chalicelib.search.journaled_feed import JournaledFeedStore
from chalicelib.search.product_search import IndexedProductSearch
from chalicelib.services.export import export_batch
from chalicelib.services.products import product_detail
from chalicelib.services.sync import start_sync
from tests.conftest import INGESTION_KEY
from tests.fakes import VIEWS, InMemorySearchIndexStore, product
from tests.unit.test_sync_service import Clock

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


@pytest.fixture
def ctx(fake_ctx, ingestion):
    fake_ctx.product_search = IndexedProductSearch(InMemorySearchIndexStore())
    fake_ctx.batches.journal = fake_ctx.product_search.store  # outcomes journaled as batches settle
    fake_ctx.feed_rows.stores["products"] = JournaledFeedStore(fake_ctx.rows("products"), fake_ctx.product_search)
    fake_ctx.source.records = [product(i, view.code) for i in range(1, 6) for view in VIEWS]
    fake_ctx.clock = Clock()
    fake_ctx.destination = HttpDestination(ingestion.ingest_url, lambda: INGESTION_KEY, timeout_seconds=5)
    start_sync(fake_ctx, trigger="cli")
    for message in fake_ctx.queue.drain():
        export_batch(fake_ctx, message)
    return fake_ctx


def by_view(detail):
    return {view["store_view_code"]: view for view in detail["store_views"]}


def test_what_the_service_holds_is_the_feed_document_with_its_timestamps(ctx, ingestion):
    detail = product_detail(ctx, 3)
    assert (detail["source_error"], detail["destination_error"]) == (None, None)
    view = by_view(detail)["french"]
    held = ingestion.held("SKU-0003", "french")["document"]
    assert view["destination"] == held and held["modifiedAt"] == "2026-11-22T10:00:00.000Z"
    assert {k: v for k, v in held.items() if k not in ("updatedAt", "modifiedAt")} == view["document"]
    assert view["differences"] == []


def test_a_change_in_the_source_not_yet_synced_shows_as_the_source_differing(ctx):
    ctx.source.records[4] = product(3, "default", price=41.5, name="Renamed")
    view = by_view(product_detail(ctx, 3))["default"]
    assert view["differences"] == [
        {"field": "name", "feed": "Product 3", "source": "Renamed", "destination": "Product 3"},
        {"field": "price", "feed": 13.0, "source": 41.5, "destination": 13.0}]


def test_a_service_holding_another_version_shows_as_the_destination_differing(ctx):
    other = build_row(product(3, "default", quantity=0, salable_quantity=0), VIEWS_BY_CODE)
    [message] = pack("products", "20261122T120000Z-cccccc", [other], 10, 240_000, "2026-11-22T12:00:00.000Z")
    ctx.destination.deliver(decode(message), "2026-11-22T12:00:00.000Z")  # e.g. another writer to the service
    view = by_view(product_detail(ctx, 3))["default"]
    assert view["differences"] == [{"field": "inventory", "feed": {"qty": 5.0}, "source": {"qty": 5.0},
                                    "destination": {"qty": 0.0}}]


def test_a_row_the_service_rejected_is_held_nowhere(fake_ctx, ingestion):
    ingestion.reject("SKU-0002", "french", reason="invalid: too long")
    fake_ctx.product_search = IndexedProductSearch(InMemorySearchIndexStore())
    fake_ctx.batches.journal = fake_ctx.product_search.store  # outcomes journaled as batches settle
    fake_ctx.feed_rows.stores["products"] = JournaledFeedStore(fake_ctx.rows("products"), fake_ctx.product_search)
    fake_ctx.source.records = [product(2, view.code) for view in VIEWS]
    fake_ctx.clock = Clock()
    fake_ctx.destination = HttpDestination(ingestion.ingest_url, lambda: INGESTION_KEY, timeout_seconds=5)
    start_sync(fake_ctx, trigger="cli")
    for message in fake_ctx.queue.drain():
        export_batch(fake_ctx, message)
    views = by_view(product_detail(fake_ctx, 2))
    assert views["default"]["differences"] == []
    french = views["french"]
    assert (french["export_status"], french["error"], french["destination"]) == ("failed_requires_attention",
                                                                                 "invalid: too long", None)
    assert {d["field"] for d in french["differences"]} >= {"sku", "name", "price"}


def test_a_refused_key_is_named_and_the_source_still_compared(ctx, ingestion):
    ctx.destination = HttpDestination(ingestion.ingest_url, lambda: "wrong", timeout_seconds=5)
    detail = product_detail(ctx, 3)
    assert detail["destination_error"].startswith("the destination could not be read: the destination refused the "
                                                  "API key (403)")
    assert "wrong" not in detail["destination_error"]
    assert all(view["destination"] is None and view["differences"] == [] for view in detail["store_views"])


def test_the_s3_hub_cannot_say_what_it_holds(ctx, aws):
    ctx.destination = S3HubDestination(boto3.client("s3"), aws["bucket"])
    detail = product_detail(ctx, 3)
    assert detail["destination_error"] == ("the s3-hub destination cannot say what it holds for a row "
                                           "(it keeps batches)")
    assert [view["destination"] for view in detail["store_views"]] == [None, None]
    assert by_view(detail)["default"]["source"]["sku"] == "SKU-0003"
