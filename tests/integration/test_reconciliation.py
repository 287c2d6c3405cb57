"""Reconciliation on DynamoDB (moto) against the simulated ingestion service: a feed synced whole is in sync;
planted missing, stale and orphaned items are found with their counts and examples, and the report's two actions
(run as syncs of mode repair, through the export queue) fix them; the S3 hub says it cannot be reconciled."""
from __future__ import annotations

import json

import pytest

from chalicelib.adapters.dynamo_batches import DynamoBatchStore
from chalicelib.adapters.dynamo_control import dynamo_control
from chalicelib.adapters.dynamo_feed import DynamoFeedStore
from chalicelib.adapters.dynamo_reconciliation import DynamoReconciliationStore
from chalicelib.adapters.dynamo_runs import DynamoRunStore
from chalicelib.adapters.http_destination import HttpDestination
from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds import FEEDS
from chalicelib.domain.feeds.products import PRODUCTS
from chalicelib.domain.reconciliation import MISSING, ORPHANED, STALE
from chalicelib.domain.reconciliation_report import DELETE, DONE, RESEND
from chalicelib.domain.runs import REPAIR, SUCCESS, iso
from chalicelib.services.context import SyncContext
from chalicelib.services.events import run_requested_sync
from chalicelib.services.export import export_batch
from chalicelib.services.reconciliation import (
    NotReconcilableError,
    due_reconciliations,
    reconcile,
    reconciliation_history,
    request_reconciliation,
    take_action,
)
from chalicelib.services.sync import scheduled_sync
from chalicelib.settings import Settings
from tests.conftest import INGESTION_KEY
from tests.fakes import InMemoryQueue, InMemorySource, InMemorySyncTrigger, product
from tests.stub_feeds import batch_of, document_of
from tests.unit.test_sync_service import Clock, catalog

STALE_KEY, MISSING_KEY, GHOST_KEY = RowKey("SKU-0003", "default"), RowKey("SKU-0100", "default"), RowKey(
    "GHOST-1", "default")


@pytest.fixture
def ctx(aws, ingestion):
    destination = HttpDestination(ingestion.ingest_url, lambda: INGESTION_KEY, timeout_seconds=5, budget_seconds=10)
    context = SyncContext(Settings(batch_max_rows=10), InMemorySource(catalog(10)), destination, DynamoFeedStore,
                          DynamoRunStore(), dynamo_control(), InMemoryQueue(), DynamoBatchStore(),
                          trigger=InMemorySyncTrigger(), reconciliations=DynamoReconciliationStore())
    context.clock = Clock()
    return context


def export_all(ctx) -> None:
    for message in ctx.queue.drain():
        export_batch(ctx, message)


def synced(ctx) -> None:
    run = scheduled_sync(ctx)
    export_all(ctx)
    assert ctx.runs.get(run.run_id).status == SUCCESS


def plant(ctx) -> None:
    """The destination holds an older copy of one item and an item no row names; one row never reached it."""
    ctx.clock.advance(minutes=5)
    sent = ctx.destination.deliver(batch_of(PRODUCTS, {STALE_KEY: document_of(PRODUCTS, STALE_KEY),
                                                       GHOST_KEY: document_of(PRODUCTS, GHOST_KEY)},
                                            ("20261122T100500Z-planted", iso(ctx.clock()))), iso(ctx.clock()))
    assert sent == {}
    row = FEEDS[PRODUCTS].build(product(100, "default"), {view.code: view for view in ctx.source.store_views()})
    DynamoFeedStore(PRODUCTS).put_rows([row])  # written, never sent: no batch names it
    ctx.clock.advance(minutes=5)


def act(ctx, report_id: str, action: str) -> None:
    accepted = take_action(ctx, PRODUCTS, report_id, action)
    assert accepted is not None and accepted["mode"] == REPAIR
    [message] = ctx.trigger.runs[-1:]
    run_requested_sync(ctx, json.dumps(message))  # the trigger queue's Lambda
    export_all(ctx)
    run = ctx.runs.get(accepted["run_id"])
    assert (run.status, run.trigger, run.repair_of) == (SUCCESS, "reconciliation", f"{report_id}/{action}")


def test_a_feed_synced_whole_is_in_sync(ctx, ingestion):
    synced(ctx)
    report = reconcile(ctx, PRODUCTS)
    assert (report.status, report.held, report.source_rows, report.in_sync, report.counts) == (
        DONE, 20, 20, 20, {MISSING: 0, STALE: 0, ORPHANED: 0})


def test_planted_differences_are_found_and_the_two_actions_fix_them(ctx, ingestion):
    synced(ctx)
    plant(ctx)

    report = reconcile(ctx, PRODUCTS)

    assert report.counts == {MISSING: 1, STALE: 1, ORPHANED: 1}
    assert [item["id"] for kind in (MISSING, STALE, ORPHANED) for item in report.items[kind]] == [
        "SKU-0100", "SKU-0003", "GHOST-1"]
    kept = reconciliation_history(ctx, PRODUCTS)
    assert kept["latest"]["report_id"] == report.report_id and kept["latest"]["actionable"] == {RESEND: 2, DELETE: 1}
    assert kept["latest"]["examples"][ORPHANED] == [{"identity": ["GHOST-1", "default"], "id": "GHOST-1",
                                                    "scope": "default"}]

    ctx.clock.advance(minutes=1)
    act(ctx, report.report_id, RESEND)
    ctx.clock.advance(minutes=1)
    act(ctx, report.report_id, DELETE)

    assert ingestion.held("GHOST-1", "default")["deleted"] is True
    after = reconcile(ctx, PRODUCTS)
    assert after.counts == {MISSING: 0, STALE: 0, ORPHANED: 0} and after.in_sync == 22
    history = reconciliation_history(ctx, PRODUCTS)["history"]
    assert [entry["report_id"] for entry in history] == [after.report_id, report.report_id]
    assert set(history[1]["actions"]) == {RESEND, DELETE}


def test_a_reconciliation_asked_through_the_api_runs_from_the_trigger_queue(ctx, ingestion):
    synced(ctx)
    requested = request_reconciliation(ctx, PRODUCTS)
    assert requested.status == "running"
    [message] = ctx.trigger.reconciliations
    assert message == {"feed": PRODUCTS, "report_id": requested.report_id}
    run_requested_sync(ctx, json.dumps({"feed": PRODUCTS, "reconciliation": requested.report_id}))
    done = ctx.reconciliations.get(PRODUCTS, requested.report_id)
    assert (done.status, done.in_sync, done.trigger) == (DONE, 20, "api")


def test_the_daily_reconciliation_runs_once_the_reconcile_sync_has_read_the_source(ctx, ingestion):
    assert due_reconciliations(ctx) == []  # never read whole
    synced(ctx)  # the first sync reads the whole source
    [daily] = due_reconciliations(ctx)
    assert (daily.trigger, daily.in_sync) == ("schedule", 20)
    ctx.clock.advance(hours=2)
    assert due_reconciliations(ctx) == []  # no full read since, and not a day old


def test_the_s3_hub_cannot_be_reconciled_and_says_so(ctx, aws):
    from chalicelib.adapters.s3_hub import S3HubDestination

    ctx.destination = S3HubDestination(None, aws.bucket)
    with pytest.raises(NotReconcilableError, match="s3-hub destination cannot say what it holds"):
        reconcile(ctx, PRODUCTS)
    assert reconciliation_history(ctx, PRODUCTS)["available"] is False
