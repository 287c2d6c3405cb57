"""What becomes of rows after an export, on in-memory fakes: the time budget, modifiedAt, failures for now or
for good, rows the destination rejected, and the failed-only resend."""
from dataclasses import replace

import pytest

from chalicelib.domain.batches import ATTENTION, SUBMITTED, WILL_RETRY
from chalicelib.domain.budget import export_budget
from chalicelib.domain.errors import DestinationError
from chalicelib.domain.feed import RowKey
from chalicelib.domain.runs import SUCCESS, iso
from chalicelib.services.export import export_batch, fail_dead_batch
from chalicelib.services.sync import start_sync
from tests.fakes import outbox_keys, product, state_of
from tests.unit.test_sync_service import Clock, catalog, sync

BAD = RowKey("SKU-0002", "french")


@pytest.fixture
def ctx(fake_ctx):
    fake_ctx.source.records = catalog(10)
    fake_ctx.clock = Clock()
    return fake_ctx


@pytest.mark.parametrize("cap, remaining, budget", [
    (120, None, 120),  # no Lambda context: the setting
    (120, 300, 120),  # a 5-minute Lambda: the setting caps it
    (120, 130, 100),  # less time left: 30 s kept back
    (120, 100, 75),  # a quarter kept back, at most 30 s
    (120, 3, 2.25),  # a short invocation keeps a quarter back
    (120, 0.1, 0.075),
    (120, -1, 0),
])
def test_the_budget_is_the_setting_or_the_lambdas_time_left_minus_a_margin(cap, remaining, budget):
    assert export_budget(cap, remaining) == pytest.approx(budget)


def test_the_delivery_gets_the_budget_left_by_the_lambda(ctx):
    start_sync(ctx)
    first, second = ctx.queue.drain()
    export_batch(ctx, first, remaining_ms=lambda: 40_000)  # a quarter kept back: 30 s to deliver
    ctx.settings = replace(ctx.settings, export_time_budget_seconds=5)
    export_batch(ctx, second, remaining_ms=lambda: 300_000)  # the setting caps it
    assert [round(deadline.remaining()) for deadline in ctx.destination.deadlines] == [30, 5]


def test_modified_at_is_the_runs_start_the_same_on_a_redelivery(ctx):
    run = start_sync(ctx)
    message = ctx.queue.drain()[0]
    ctx.clock.advance(minutes=3)
    export_batch(ctx, message)
    export_batch(ctx, message)
    assert ctx.destination.modified_at == [run.started_at, run.started_at]


def test_a_configuration_failure_fails_the_batch_and_its_rows_wait_for_the_next_sync(ctx):
    ctx.destination.fail = DestinationError("the destination refused the API key (403): check it", retryable=False,
                                            next_sync=True)
    run = sync(ctx)
    assert run.error == "every batch failed: 20 × the destination refused the API key (403): check it"
    state = state_of(ctx, RowKey("SKU-0001", "default"))
    assert (state.status, state.error) == (WILL_RETRY, "the destination refused the API key (403): check it")
    assert len(outbox_keys(ctx)) == 20
    ctx.destination.fail = None
    ctx.clock.advance(hours=1)
    assert (sync(ctx).rows_exported, outbox_keys(ctx)) == (20, set())
    assert state_of(ctx, RowKey("SKU-0001", "default")).status == SUBMITTED


def test_a_forced_resync_that_fails_leaves_its_rows_failed_and_retried(ctx):
    sync(ctx)
    ctx.destination.fail = DestinationError("the destination refused the API key (403): check it", retryable=False,
                                            next_sync=True)
    run = sync(ctx, mode="full", force=True)
    assert run.error == "every batch failed: 20 × the destination refused the API key (403): check it"
    # A forced resync is asked for when the destination may have lost what it held: the rows are not "submitted"
    # while their resend failed; they wait in the outbox, and keep when they were last delivered.
    state = state_of(ctx, RowKey("SKU-0001", "default"))
    assert (state.status, state.exported_at) == (WILL_RETRY, "2026-11-22T10:00:00.000Z")
    assert len(outbox_keys(ctx)) == 20
    ctx.destination.fail = None
    ctx.clock.advance(hours=1)
    assert sync(ctx).rows_exported == 20 and outbox_keys(ctx) == set()


def test_a_rejected_row_is_not_sent_again_until_it_changes(ctx):
    ctx.destination.reject = {BAD: "invalid: name too long"}
    sync(ctx)
    state = state_of(ctx, BAD)
    assert (state.status, state.error, state.error_code) == (ATTENTION, "invalid: name too long",
                                                             "destination.rejected")
    ctx.destination.reject = {}
    sent = len(ctx.destination.rows)
    ctx.clock.advance(hours=1)
    assert sync(ctx, mode="reconcile").rows_exported == 0  # read again, unchanged: left alone
    assert len(ctx.destination.rows) == sent and state_of(ctx, BAD).status == ATTENTION
    ctx.clock.advance(hours=1)
    ctx.source.records[5] = product(2, "french", name="Shorter", updated_at=iso(ctx.clock.now))
    assert sync(ctx).rows_exported == 1
    assert state_of(ctx, BAD).status == SUBMITTED


def test_a_full_resync_sends_rejected_rows_too_and_a_forced_one_every_row(ctx):
    ctx.destination.reject = {BAD: "invalid: name too long"}
    sync(ctx)
    ctx.destination.reject = {}
    ctx.clock.advance(hours=1)
    assert sync(ctx, mode="full").rows_exported == 1
    assert state_of(ctx, BAD).status == SUBMITTED
    ctx.clock.advance(hours=1)
    assert sync(ctx, mode="full").rows_exported == 0
    assert sync(ctx, mode="full", force=True).rows_exported == 20


def test_failed_only_resends_the_failed_rows_whatever_the_cause_without_reading_the_source(ctx):
    ctx.destination.reject = {BAD: "invalid: name too long"}
    sync(ctx)
    ctx.destination.reject = {}
    # a batch that failed for now (its message reached the dead-letter queue), and a malformed product
    ctx.clock.advance(hours=1)
    ctx.source.records[0] = product(0, "default", name="New", updated_at=iso(ctx.clock.now))
    ctx.source.records[2] = product(1, "default", price="n/a", updated_at=iso(ctx.clock.now))
    start_sync(ctx)
    [message] = ctx.queue.drain()
    fail_dead_batch(ctx, message)
    states = {key: (state.status, state.error_code) for key in ctx.rows("products").rows
              if (state := state_of(ctx, key)).status not in (SUBMITTED,)}
    assert states == {BAD: (ATTENTION, "destination.rejected"),
                      RowKey("SKU-0000", "default"): (WILL_RETRY, "export.gave_up"),
                      RowKey("SKU-0001", "default"): (ATTENTION, "invalid_record.price")}

    reads, sent = len(ctx.source.reads), len(ctx.destination.rows)
    ctx.clock.advance(minutes=5)
    run = sync(ctx, mode="failed")
    assert len(ctx.source.reads) == reads  # the source is not read
    assert sorted(row.key for row in ctx.destination.rows[sent:]) == [RowKey("SKU-0000", "default"), BAD]
    assert (run.mode, run.status, run.rows_seen, run.rows_exported) == ("failed", SUCCESS, 2, 2)
    # the malformed product's last good document is not sent: it would hide the source's error
    assert state_of(ctx, RowKey("SKU-0001", "default")).status == ATTENTION
    assert {state_of(ctx, key).status for key in (BAD, RowKey("SKU-0000", "default"))} == {SUBMITTED}


def test_failed_only_with_nothing_failed_succeeds_with_nothing_sent(ctx):
    sync(ctx)
    run = sync(ctx, mode="failed")
    assert (run.status, run.batches_total, run.rows_exported) == (SUCCESS, 0, 0)


def test_rows_exported_to_no_destination_wait_in_the_outbox(ctx):
    start_sync(ctx)
    message = ctx.queue.drain()[0]
    ctx.destination = None  # the destination went away after the fan-out
    assert export_batch(ctx, message) == "failed"
    state = state_of(ctx, RowKey("SKU-0000", "default"))
    assert (state.status, state.error) == (WILL_RETRY, "not exported: no SaaS destination configured")
    assert RowKey("SKU-0000", "default") in outbox_keys(ctx)


def test_a_late_delivery_of_an_older_batch_never_marks_a_newer_version(ctx):
    start_sync(ctx)
    old_messages = ctx.queue.drain()  # the first run's batches are delayed (SQS), not lost
    key = RowKey("SKU-0003", "default")
    ctx.clock.advance(hours=2)  # the first run's lock runs out; a newer version of one row is written
    ctx.source.records[6] = product(3, "default", name="Newer", updated_at=iso(ctx.clock.now))
    newer = start_sync(ctx, trigger="cli")
    new_messages = ctx.queue.drain()
    newer_row = ctx.rows("products").rows[key]
    assert newer_row.batch.startswith(newer.run_id)
    for message in old_messages:  # the old version arrives late ...
        export_batch(ctx, message)
    assert state_of(ctx, key).status == "awaiting_submission"  # ... and says nothing of the newer one
    for message in new_messages:
        export_batch(ctx, message)
    assert state_of(ctx, key).status == SUBMITTED
    # the newest modifiedAt wins
    assert ctx.destination.held("products", RowKey("SKU-0003", "default"))["name"] == "Newer"


def test_a_failed_row_write_sends_no_message_after_it_and_the_next_run_sends_every_row(ctx, monkeypatch):
    rows, writes = ctx.rows("products"), []

    def put_rows(batch):
        writes.append(list(batch))
        if len(writes) == 2:
            raise RuntimeError("throttled")
        rows.rows.update((row.key, row) for row in writes[-1])

    ctx.settings = replace(ctx.settings, batch_max_rows=1)  # 20 batches, written and sent ten at a time
    monkeypatch.setattr(rows, "put_rows", put_rows)
    crashed = start_sync(ctx)
    assert crashed.error == "internal error: RuntimeError: throttled"
    # The writes travel behind the reindex, in order: the ten messages whose rows were written went out; none
    # after the failed write did, and nothing queued after it was written.
    assert len(ctx.queue.messages) == 10 and [len(w) for w in writes] == [10, 10]
    monkeypatch.undo()
    ctx.clock.advance(hours=2)
    run = sync(ctx)
    assert run.status == SUCCESS and run.rows_exported == 20


def test_a_crash_between_the_row_writes_and_the_message_leaves_the_rows_in_the_outbox(ctx, monkeypatch):
    monkeypatch.setattr(ctx.queue, "send", lambda messages: (_ for _ in ()).throw(RuntimeError("crash")))
    crashed = start_sync(ctx)
    assert crashed.error == "internal error: RuntimeError: crash"
    monkeypatch.undo()
    # The rows are written, each naming its batch, and the batches are recorded open: findable without a scan.
    assert len(outbox_keys(ctx)) == 20 and {b.status for b in ctx.batches.outbox("products")} == {"open"}
    ctx.clock.advance(hours=2)
    run = sync(ctx)
    assert (run.rows_changed, run.rows_exported) == (0, 20)
    assert outbox_keys(ctx) == set() and ctx.batches.outbox("products") == []  # the old batches retired
