"""On DynamoDB (moto): rows whose batch failed for now wait in the outbox (the batches' index) and the next hourly
sync sends them, while rows the destination rejected stay failed until they change."""

import pytest

from chalicelib.adapters.dynamo_batches import DynamoBatchStore
from chalicelib.adapters.dynamo_control import dynamo_control
from chalicelib.adapters.dynamo_feed import DynamoFeedStore
from chalicelib.adapters.dynamo_runs import DynamoRunStore
from chalicelib.domain.batches import ATTENTION, SUBMITTED
from chalicelib.domain.errors import DestinationError
from chalicelib.domain.feed import RowKey
from chalicelib.domain.runs import SUCCESS
from chalicelib.services.context import SyncContext
from chalicelib.services.export import export_batch, fail_dead_batch
from chalicelib.services.sync import scheduled_sync
from chalicelib.settings import Settings
from tests.fakes import InMemoryQueue, InMemorySource, RecordingDestination, outbox_keys, state_of
from tests.unit.test_sync_service import Clock, catalog

REJECTED_ROW = RowKey("SKU-0012", "default")


@pytest.fixture
def ctx(aws):
    context = SyncContext(Settings(batch_max_rows=10), InMemorySource(catalog(10)), RecordingDestination(),
                          DynamoFeedStore, DynamoRunStore(), dynamo_control(), InMemoryQueue(), DynamoBatchStore())
    context.clock = Clock()
    return context


def test_the_next_hourly_sync_sends_what_failed_for_now_and_leaves_what_was_rejected(ctx):
    ctx.source.records += catalog(13)[20:]  # three more products: a third batch
    ctx.destination.reject = {REJECTED_ROW: "invalid: unknown attribute"}
    first = scheduled_sync(ctx)
    failing, *others = ctx.queue.drain()
    for message in others:
        export_batch(ctx, message)
    ctx.destination.fail = DestinationError("the destination answered 503: gave up", retryable=True)
    with pytest.raises(DestinationError):
        export_batch(ctx, failing)  # the message goes back to SQS, and after its last receive to the DLQ
    fail_dead_batch(ctx, failing)
    done = ctx.runs.get(first.run_id)
    assert (done.status, done.batches_failed, done.rows_failed) == (SUCCESS, 1, 11)
    waiting = outbox_keys(ctx)
    assert len(waiting) == 10 and REJECTED_ROW not in waiting

    ctx.destination.fail = None
    ctx.clock.advance(hours=1)
    sent_before = len(ctx.destination.rows)
    retry = scheduled_sync(ctx)
    for message in ctx.queue.drain():
        export_batch(ctx, message)
    retry = ctx.runs.get(retry.run_id)
    assert (retry.mode, retry.status, retry.rows_changed, retry.rows_exported) == ("partial", SUCCESS, 0, 10)
    assert {row.key for row in ctx.destination.rows[sent_before:]} == waiting
    assert {state_of(ctx, key).status for key in waiting} == {SUBMITTED}
    assert state_of(ctx, REJECTED_ROW).status == ATTENTION and outbox_keys(ctx) == set()
