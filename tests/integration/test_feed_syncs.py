"""On DynamoDB (moto): the productAttributes, categories, variants, prices and inventoryStockStatus feeds synced
from the simulated Magento through the real adapter, their rows keyed by feed, deletions, malformed items and a
failed read."""
from __future__ import annotations

import pytest

from chalicelib.adapters.dynamo_batches import DynamoBatchStore
from chalicelib.adapters.dynamo_control import dynamo_control
from chalicelib.adapters.dynamo_feed import DynamoFeedStore
from chalicelib.adapters.dynamo_runs import DynamoRunStore
from chalicelib.adapters.magento import BearerAuth, MagentoCatalogSource, MagentoClient, RetryPolicy
from chalicelib.domain.errors import SourceError
from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds import FEEDS
from chalicelib.domain.feeds.variants import variant_id
from chalicelib.domain.resync import ResyncOptions
from chalicelib.domain.runs import FAILED as RUN_FAILED
from chalicelib.domain.runs import SUCCESS
from chalicelib.services.context import SyncContext
from chalicelib.services.export import export_batch
from chalicelib.services.resume import open_continuation
from chalicelib.services.sync import continue_sync, scheduled_syncs, start_sync
from chalicelib.settings import Settings
from local_stack.magento.simulator import MagentoSimulator
from tests.fakes import InMemoryQueue, InMemorySource, RecordingDestination
from tests.unit.test_sync_service import Clock

OTHER_FEEDS = ("productAttributes", "categories", "variants", "prices", "inventoryStockStatus")


class NoSleep(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sim():
    with MagentoSimulator(products=40, integration_as_bearer=True) as simulator:
        simulator.start()
        yield simulator
        assert not simulator.failures


def context(source) -> SyncContext:
    ctx = SyncContext(Settings(), source, RecordingDestination(), DynamoFeedStore, DynamoRunStore(),
                      dynamo_control(), InMemoryQueue(), DynamoBatchStore())
    ctx.clock = Clock()
    return ctx


def magento_source(sim: MagentoSimulator) -> MagentoCatalogSource:
    client = MagentoClient(sim.base_url, BearerAuth(sim.integration.access_token),
                           retry=RetryPolicy(budget_seconds=1.0, sleep=NoSleep()))
    return MagentoCatalogSource(client, page_size=25)


def finish(ctx: SyncContext, run) -> object:
    for message in ctx.queue.drain():
        export_batch(ctx, message)
    return ctx.runs.get(run.run_id)


def sent(ctx: SyncContext, feed: str) -> dict[RowKey, dict]:
    return {row.key: row.document for batch in ctx.destination.batches if batch.feed == feed for row in batch.rows}


def test_every_feed_syncs_from_the_store_into_its_own_rows(aws, sim):
    ctx = context(magento_source(sim))
    runs = {run.feed: finish(ctx, run) for run in scheduled_syncs(ctx)}
    assert list(runs) == ["products", "productAttributes", "categories", "variants", "prices",
                          "inventoryStockStatus"], "products first"
    assert all(run.status == SUCCESS for run in runs.values()), {f: r.error for f, r in runs.items()}
    source = magento_source(sim)
    for feed in OTHER_FEEDS:
        keys = {row.key for row in ctx.rows(feed).iter_rows()}
        expected = {_key(feed, record) for record in source.read(feed, None)}
        assert keys == expected and keys == set(sent(ctx, feed)), feed
    product_keys = {row.key for row in ctx.rows("products").iter_rows()}
    assert not product_keys & {row.key for row in ctx.rows("categories").iter_rows()}, "rows are keyed by feed"


def _key(feed: str, record) -> RowKey:
    return FEEDS[feed].key_of(record)


def test_a_child_leaving_its_configurable_is_a_deleted_variant(aws, sim):
    ctx = context(magento_source(sim))
    finish(ctx, start_sync(ctx, "variants", trigger="cli", mode="full"))
    parent = sim.skus("configurable")[0]
    child_id = sim.product(parent, "all")["extension_attributes"]["configurable_product_links"][0]
    child = next(s for s in sim.skus() if sim.product(s, "all")["id"] == child_id)
    sim.delete_product(child)
    ctx.clock.advance(hours=1)
    run = finish(ctx, start_sync(ctx, "variants", trigger="schedule", mode="partial"))
    assert (run.mode, run.status, run.rows_deleted) == ("reconcile", SUCCESS, 1), "read whole: never partial"
    deletion = sent(ctx, "variants")[RowKey(child, parent)]
    assert deletion == {"id": variant_id(parent, child), "optionValues": deletion["optionValues"],
                        "parentSku": parent, "productSku": child, "productId": str(child_id), "deleted": True}
    assert deletion["optionValues"], "the values it had"
    assert ctx.rows("variants").get_rows([RowKey(child, parent)])[0].deleted


@pytest.mark.parametrize("feed, record, gone", [
    ("productAttributes", {"store_view_code": "default", "attribute_id": 150, "attribute_code": "eco_collection",
                           "frontend_input": "boolean", "backend_type": "int", "label": "Eco Collection",
                           "scope": "global", "user_defined": True},
     {"attributeCode": "eco_collection", "attributeType": "catalog_product", "storeViewCode": "default",
      "storeCode": "main_store", "websiteCode": "base", "deleted": True}),
    ("categories", {"store_view_code": "french", "category_id": 31, "name": "Écologique", "level": 3,
                    "path": "1/2/30/31", "parent_id": 30, "children": [], "is_active": True},
     {"categoryId": "31", "storeViewCode": "french", "storeCode": "main_store", "websiteCode": "base",
      "deleted": True}),
])
def test_an_item_gone_from_the_source_is_deleted_with_adobes_minimal_payload(aws, feed, record, gone):
    source = InMemorySource()
    keep = {**record, "store_view_code": "default"} if feed == "categories" else {**record, "attribute_code": "new",
                                                                                 "attribute_id": 153}
    source.feed_records[feed] = [record, keep]
    ctx = context(source)
    first = finish(ctx, start_sync(ctx, feed, trigger="cli", mode="full"))
    assert (first.status, first.rows_changed) == (SUCCESS, 2)
    source.feed_records[feed] = [keep]
    ctx.clock.advance(hours=1)
    second = finish(ctx, start_sync(ctx, feed, trigger="schedule", mode="partial"))
    assert (second.status, second.rows_deleted) == (SUCCESS, 1)
    assert ctx.rows(feed).get_rows([_key(feed, record)])[0].deleted
    assert sent(ctx, feed)[_key(feed, record)] == gone


def test_a_malformed_item_fails_its_row_and_the_run_goes_on(aws):
    source = InMemorySource()
    good = {"store_view_code": "default", "category_id": 3, "name": "Women", "level": 2, "path": "1/2/3",
            "parent_id": 2, "children": [], "is_active": True}
    source.feed_records["categories"] = [good, {**good, "category_id": 4, "path": "1/2/x"}]
    ctx = context(source)
    run = finish(ctx, start_sync(ctx, "categories", trigger="cli", mode="full"))
    assert (run.status, run.rows_invalid) == (SUCCESS, 1)
    failed = ctx.rows("categories").get_rows([RowKey("4", "default")])[0]
    assert failed.invalid is not None
    assert (failed.invalid.code, failed.invalid.message) == ("invalid_record.path",
                                                             "path is not a path of category ids: '1/2/x'")


def test_a_feed_whose_read_fails_fails_its_own_run_only(aws, sim):
    sim.faults.path_contains = "/V1/categories/list"
    sim.faults.fail(10_000, status=503)
    ctx = context(magento_source(sim))
    runs = {run.feed: finish(ctx, run) for run in scheduled_syncs(ctx)}
    sim.faults.reset()
    assert runs["categories"].status == RUN_FAILED
    assert "Magento returned 503 for /rest/default/V1/categories/list" in runs["categories"].error
    # products read the category tree too (their categoryData): they fail with it; the others go on
    assert runs["products"].status == RUN_FAILED
    assert all(runs[feed].status == SUCCESS for feed in ("productAttributes", "variants", "prices",
                                                         "inventoryStockStatus"))


@pytest.mark.parametrize("feed", OTHER_FEEDS)
def test_a_resync_by_ids_sends_those_items_of_any_feed_unchanged_and_reports_the_unknown_ids(aws, sim, feed):
    ctx = context(magento_source(sim))
    assert finish(ctx, start_sync(ctx, feed, trigger="cli", mode="full")).status == SUCCESS
    stored = sorted(row.key for row in ctx.rows(feed).iter_rows())
    wanted = stored[len(stored) // 2].id  # the feed's own id: an attribute code, a category id, a child's SKU
    ctx.destination.batches.clear()
    ctx.clock.advance(hours=1)
    run = finish(ctx, start_sync(ctx, feed, trigger="cli", mode="full",
                                 options=ResyncOptions(ids=(wanted, "NO-SUCH-ID"))))
    assert (run.mode, run.status, run.unknown_ids) == ("ids", SUCCESS, ("NO-SUCH-ID",)), run.error
    expected = {key for key in stored if key.id == wanted}
    assert set(sent(ctx, feed)) == expected and run.rows_changed == 0, "unchanged, and sent all the same"


def test_a_resync_of_variants_by_product_id_sends_the_childs_variants(aws, sim):
    ctx = context(magento_source(sim))
    finish(ctx, start_sync(ctx, "variants", trigger="cli", mode="full"))
    row = next(iter(ctx.rows("variants").iter_rows()))
    ctx.destination.batches.clear()
    ctx.clock.advance(hours=1)
    options = ResyncOptions(ids=(str(row.product_id), "999999"), id_type="productId")
    run = finish(ctx, start_sync(ctx, "variants", trigger="cli", mode="full", options=options))
    assert (run.status, run.unknown_ids) == (SUCCESS, ("999999",)), run.error
    assert set(sent(ctx, "variants")) == {other.key for other in ctx.rows("variants").iter_rows()
                                          if other.product_id == row.product_id}


def test_a_full_resync_of_magento_whose_read_failed_continues_from_its_position(aws, sim, monkeypatch):
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)  # positions are kept once their rows are written
    ctx = context(magento_source(sim))
    read = MagentoCatalogSource.read_resumable
    starts = []

    def failing(source, feed, start):
        starts.append(start)
        for n, item in enumerate(read(source, feed, start)):
            if start is None and n == 60:
                raise SourceError("Magento returned 503 for /V1/products")
            yield item
    monkeypatch.setattr(MagentoCatalogSource, "read_resumable", failing)
    first = finish(ctx, start_sync(ctx, "products", trigger="cli", mode="full"))
    assert first.status == RUN_FAILED and first.read_position and not first.read_complete
    ctx.clock.advance(minutes=5)
    run = finish(ctx, continue_sync(ctx, open_continuation(ctx, "products", "cli")))
    assert run.status == SUCCESS and starts == [None, first.read_position]
    expected = {RowKey(sku, view) for view, sku in _magento_keys(sim)}
    assert {row.key for row in ctx.rows("products").iter_rows()} == expected
    sent_keys = [row.key for batch in ctx.destination.batches for row in batch.rows]
    assert set(sent_keys) == expected and len(sent_keys) == len(expected), "each item sent once"


def _magento_keys(sim: MagentoSimulator) -> set[tuple[str, str]]:
    return {(record["store_view_code"], record["sku"]) for record in magento_source(sim).read("products", None)}
