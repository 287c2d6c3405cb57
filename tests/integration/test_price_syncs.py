"""On DynamoDB (moto): the prices and inventoryStockStatus feeds synced from the simulated Magento through the real
adapter — a special price window opening between two hourly runs, malformed prices, a store without the bulk price
reads, stock changes without any updated_at change."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.adapters.magento import BearerAuth, MagentoCatalogSource, MagentoClient, RetryPolicy
from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds.pricing import customer_group_code
from chalicelib.domain.runs import FAILED as RUN_FAILED
from chalicelib.domain.runs import SUCCESS
from chalicelib.services.sync import scheduled_sync, start_sync
from local_stack.magento.layout import STORE_BY_CODE
from local_stack.magento.simulator import MagentoSimulator
from tests.integration.test_feed_syncs import NoSleep, context, finish, sent

GROUPS = [customer_group_code(group) for group in range(4)]


class SourceClock:
    """The source's clock (when special price windows are judged), moved by the test like the sync's."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sim():
    with MagentoSimulator(products=40, integration_as_bearer=True) as simulator:
        simulator.start()
        yield simulator
        assert not simulator.failures


def source(sim: MagentoSimulator, clock: SourceClock) -> MagentoCatalogSource:
    client = MagentoClient(sim.base_url, BearerAuth(sim.integration.access_token),
                           retry=RetryPolicy(budget_seconds=1.0, sleep=NoSleep()))
    return MagentoCatalogSource(client, page_size=25, clock=clock)


def base_only(sim: MagentoSimulator) -> list[str]:
    """Simple products of the base website only, without a special price: one item per customer group."""
    return [s for s in sim.skus("simple") if sim.product(s, "all")["extension_attributes"]["website_ids"] == [1]
            and not sim.prices(s)["special"]]


def test_a_special_price_window_opening_between_two_hourly_runs_sends_exactly_those_prices(aws, sim):
    now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    clock = SourceClock(now)
    ctx = context(source(sim, clock))
    sku = base_only(sim)[0]
    # Magento's date is local to the website (base: its default view's America/Chicago), not UTC.
    base_zone = ZoneInfo(STORE_BY_CODE["default"].timezone)
    opens = (now + timedelta(minutes=30)).astimezone(base_zone).strftime("%Y-%m-%d %H:%M:%S")
    sim.set_special_price(sku, 1.5, price_from=opens, touch=False)  # Magento's bulk API: updated_at stays
    first = finish(ctx, start_sync(ctx, "prices", trigger="cli", mode="full"))
    assert first.status == SUCCESS and first.rows_changed > 0
    keys = {RowKey(sku, f"base/{group}") for group in GROUPS}
    assert all(sent(ctx, "prices")[key]["discounts"] == [] for key in keys), "not open yet"
    ctx.destination.batches.clear()
    ctx.clock.advance(hours=1)
    clock.now = now + timedelta(hours=1)
    second = finish(ctx, scheduled_sync(ctx, "prices"))
    assert (second.status, second.mode) == (SUCCESS, "reconcile")
    assert set(sent(ctx, "prices")) == keys, "exactly the prices whose window opened"
    assert all(sent(ctx, "prices")[key]["discounts"] == [{"code": "special_price", "price": 1.5}]
               for key in keys)
    assert {row.price for row in ctx.rows("prices").get_rows(keys)} == {1.5}


def test_a_malformed_price_is_a_failed_item_and_the_run_goes_on(aws, sim):
    ctx = context(source(sim, SourceClock(datetime.now(UTC))))
    broken = base_only(sim)[0]
    with sim.catalog.lock:
        sim.catalog.price[sim.catalog.row_of_sku(broken)] = -1250  # a negative price, as a broken import writes
    run = finish(ctx, start_sync(ctx, "prices", trigger="cli", mode="full"))
    assert (run.status, run.rows_invalid) == (SUCCESS, len(GROUPS))
    failed = ctx.rows("prices").get_rows([RowKey(broken, f"base/{GROUPS[1]}")])[0]
    assert (failed.invalid.code, failed.invalid.message) == ("invalid_record.regular",
                                                             "the regular price is not a price ≥ 0: -12.5")
    assert run.error_counts == {"invalid_record.regular": len(GROUPS)}
    assert len(sent(ctx, "prices")) > 100, "the other prices went out"


def test_a_store_without_the_bulk_price_reads_fails_the_prices_run_naming_the_endpoint_and_version(aws, sim):
    sim.missing_endpoints = {"/V1/products/special-price-information"}
    ctx = context(source(sim, SourceClock(datetime.now(UTC))))
    run = finish(ctx, start_sync(ctx, "prices", trigger="cli", mode="full"))
    assert (run.status, run.error_code) == (RUN_FAILED, "source.endpoint_missing")
    assert "POST /V1/products/special-price-information" in run.error and "Magento 2.2 or later" in run.error
    stock = finish(ctx, start_sync(ctx, "inventoryStockStatus", trigger="cli", mode="full"))
    assert stock.status == SUCCESS, "the other feeds go on"


def test_stock_changes_reach_the_stock_feed_without_any_updated_at_change(aws, sim):
    ctx = context(source(sim, SourceClock(datetime.now(UTC))))
    sku = base_only(sim)[0]
    first = finish(ctx, start_sync(ctx, "inventoryStockStatus", trigger="cli", mode="full"))
    assert first.status == SUCCESS
    before = sent(ctx, "inventoryStockStatus")[RowKey(sku, "1")]
    assert before["qty"] == sim.stock(sku, 1)["quantity"]
    ctx.destination.batches.clear()
    updated = sim.updated_at(sku)
    for code in ("default", "us_west"):
        sim.set_quantity(sku, 0, source=code)
    ctx.clock.advance(hours=1)
    second = finish(ctx, scheduled_sync(ctx, "inventoryStockStatus"))
    assert second.status == SUCCESS and sim.updated_at(sku) == updated
    assert set(sent(ctx, "inventoryStockStatus")) == {RowKey(sku, "1")}
    after = sent(ctx, "inventoryStockStatus")[RowKey(sku, "1")]
    assert (after["qty"], after["qtyForSale"], after["isSalable"], after["lowStock"]) == (0, 0, False, True)


def test_a_product_gone_from_the_store_is_a_deleted_price_item_per_group_and_a_deleted_stock_item(aws, sim):
    ctx = context(source(sim, SourceClock(datetime.now(UTC))))
    sku = base_only(sim)[0]
    for feed in ("prices", "inventoryStockStatus"):
        assert finish(ctx, start_sync(ctx, feed, trigger="cli", mode="full")).status == SUCCESS
    product_id = sim.product(sku, "all")["id"]
    sim.delete_product(sku)
    ctx.destination.batches.clear()
    ctx.clock.advance(hours=1)
    prices = finish(ctx, scheduled_sync(ctx, "prices"))
    stock = finish(ctx, scheduled_sync(ctx, "inventoryStockStatus"))
    assert (prices.rows_deleted, stock.rows_deleted) == (len(GROUPS), 1)
    assert sent(ctx, "prices")[RowKey(sku, f"base/{GROUPS[2]}")] == {
        "sku": sku, "websiteCode": "base", "customerGroupCode": GROUPS[2], "productId": product_id, "websiteId": 1,
        "deleted": True}
    assert sent(ctx, "inventoryStockStatus")[RowKey(sku, "1")] == {"stockId": "1", "sku": sku,
                                                                   "productId": product_id, "deleted": True}
