"""The exporter with the HTTP destination against the simulated ingestion service: one test per failure mode.

The stores and the queue are the in-memory fakes; the destination is the real adapter over real HTTP.
"""
from __future__ import annotations

import random
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.adapters.http_destination import HttpDestination
from chalicelib.domain.batches import ATTENTION, SUBMITTED, WILL_RETRY
from chalicelib.domain.errors import DestinationError
from chalicelib.domain.feed import RowKey
from chalicelib.domain.runs import FAILED as RUN_FAILED
from chalicelib.domain.runs import SUCCESS, iso
from chalicelib.services.export import export_batch, fail_dead_batch
from chalicelib.services.sync import scheduled_sync, start_sync
from tests.conftest import INGESTION_KEY
from tests.fakes import VIEWS, outbox_keys, product, state_of
from tests.unit.test_sync_service import Clock

ALL_KEYS = {RowKey(f"SKU-{i:04d}", view.code) for i in range(10) for view in VIEWS}


def destination(service, key=INGESTION_KEY, header="x-api-key", timeout=1.0, sleeps=None):
    def sleep(seconds):
        if sleeps is not None:
            sleeps.append(seconds)
        time.sleep(seconds)
    return HttpDestination(service.ingest_url, lambda: key, header, timeout_seconds=timeout, sleep=sleep,
                           rng=random.Random(7))


@pytest.fixture
def ctx(fake_ctx, ingestion):
    fake_ctx.source.records = [product(i, view.code) for i in range(10) for view in VIEWS]  # 2 batches of 10
    fake_ctx.clock = Clock()
    fake_ctx.settings = replace(fake_ctx.settings, export_time_budget_seconds=3)
    fake_ctx.destination = destination(ingestion)
    return fake_ctx


def start(ctx, mode="partial"):
    run = start_sync(ctx, trigger="cli", mode=mode)
    return run, ctx.queue.drain()


def run_of(ctx, run):
    return ctx.runs.get(run.run_id)


def statuses(service):
    return [delivery.status for delivery in service.deliveries]


def later_sync(ctx):
    ctx.clock.advance(hours=1)
    run = scheduled_sync(ctx)
    for message in ctx.queue.drain():
        export_batch(ctx, message)
    return run_of(ctx, run)


def test_a_missing_key_401_fails_the_batch_at_once_and_its_rows_wait_for_the_next_sync(ctx, ingestion):
    ctx.destination = destination(ingestion, header="x-not-the-key-header")  # the key goes unseen: 401
    _run, messages = start(ctx)
    assert [export_batch(ctx, m) for m in messages] == ["failed", "failed"]
    assert statuses(ingestion) == [401, 401]  # not retried: another attempt cannot fix a key
    row = state_of(ctx, RowKey("SKU-0001", "default"))
    assert row.error.startswith("the destination refused the API key (401): check DESTINATION_API_KEY")
    assert (row.status, row.error_code) == (WILL_RETRY, "destination.unauthorized")
    assert outbox_keys(ctx) == ALL_KEYS
    # the key is fixed: the next hourly sync sends the rows that waited
    ctx.destination = destination(ingestion)
    assert (later_sync(ctx).rows_exported, ingestion.held("SKU-0001", "default")["batchId"].endswith("00001")) \
        == (20, True)


def test_a_wrong_key_403_fails_the_batch_and_the_key_is_never_shown(ctx, ingestion, capsys):
    ctx.destination = destination(ingestion, key="wrong-key-value")
    _run, messages = start(ctx)
    assert export_batch(ctx, messages[0]) == "failed"
    row = state_of(ctx, RowKey("SKU-0000", "default"))
    assert row.error.startswith("the destination refused the API key (403)")
    assert "the API key is not valid" in row.error  # the service's own message
    shown = capsys.readouterr().out + repr(ctx.destination) + row.error + str(ctx.batches.batches)
    assert "wrong-key-value" not in shown and INGESTION_KEY not in shown


def test_a_400_naming_rows_fails_them_for_good_and_sends_the_rest_again_at_once(ctx, ingestion):
    ingestion.reject_mode = "400"
    bad = RowKey("SKU-0003", "french")
    ingestion.reject(bad.sku, bad.store_view_code, reason="invalid: the description holds a script")
    run, messages = start(ctx)
    assert [export_batch(ctx, m) for m in messages] == ["exported", "exported"]
    assert statuses(ingestion) == [400, 200, 200]  # the batch with the bad row went twice, without it the second time
    done = run_of(ctx, run)
    assert (done.status, done.rows_exported, done.rows_failed, done.error_counts) == (
        SUCCESS, 19, 1, {"destination.rejected": 1})
    row = state_of(ctx, bad)
    assert (row.status, row.error) == (ATTENTION, "invalid: the description holds a script")
    assert ingestion.held(bad.sku, bad.store_view_code) is None
    assert bad not in outbox_keys(ctx)
    # not retried until the row changes: a reconcile reads it again and leaves it
    ctx.settings = replace(ctx.settings, reconcile_interval_seconds=60)
    assert later_sync(ctx).mode == "reconcile" and len(ingestion.deliveries) == 3
    ingestion.unreject(bad.sku, bad.store_view_code)
    ctx.source.records[7] = product(3, "french", name="Fixed", updated_at=iso(ctx.clock.now))
    assert later_sync(ctx).rows_exported == 1
    assert state_of(ctx, bad).status == SUBMITTED


def test_a_200_with_item_errors_fails_those_rows_for_good_and_exports_the_others(ctx, ingestion):
    bad = RowKey("SKU-0005", "default")
    ingestion.reject(bad.sku, bad.store_view_code, reason="invalid: unknown attribute set")
    run, messages = start(ctx)
    assert [export_batch(ctx, m) for m in messages] == ["exported", "exported"]
    assert statuses(ingestion) == [200, 200]
    done = run_of(ctx, run)
    assert (done.rows_exported, done.rows_failed, done.error_counts) == (19, 1, {"destination.rejected": 1})
    row = state_of(ctx, bad)
    assert (row.status, row.error) == (ATTENTION, "invalid: unknown attribute set")
    ctx.settings = replace(ctx.settings, reconcile_interval_seconds=60)
    assert later_sync(ctx).rows_exported == 0 and len(ingestion.deliveries) == 2  # not sent again unchanged


def test_a_429_is_retried_after_its_retry_after(ctx, ingestion):
    sleeps = []
    ctx.destination = destination(ingestion, sleeps=sleeps)
    ingestion.faults.throttle(1, retry_after=1)
    _run, messages = start(ctx)
    assert export_batch(ctx, messages[0]) == "exported"
    assert statuses(ingestion) == [429, 200]
    assert len(sleeps) == 1 and sleeps[0] >= 1.0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_is_retried_with_backoff(ctx, ingestion, status):
    sleeps = []
    ctx.destination = destination(ingestion, sleeps=sleeps)
    ingestion.faults.fail(2, status)
    _run, messages = start(ctx)
    assert export_batch(ctx, messages[0]) == "exported"
    assert statuses(ingestion) == [status, status, 200]
    assert len(sleeps) == 2 and all(0 <= pause <= 4 for pause in sleeps)  # full jitter under 0.5 s × 2^attempt
    assert state_of(ctx, RowKey("SKU-0000", "default")).status == SUBMITTED


def test_a_slow_answer_beyond_the_timeout_goes_back_to_the_queue_and_a_redelivery_counts_once(ctx, ingestion):
    ctx.destination = destination(ingestion, timeout=0.3)
    ctx.settings = replace(ctx.settings, export_time_budget_seconds=1)
    ingestion.faults.latency = 0.8
    run, messages = start(ctx)
    with pytest.raises(DestinationError) as error:
        export_batch(ctx, messages[0])
    assert error.value.retryable
    assert str(error.value).startswith("the destination did not answer in time: no answer within 0.3 s")
    # what the dead-letter handler will report
    assert ctx.batches.last_error(f"{run.run_id}/00001").message == str(error.value)
    # The service was only slow: it stored the batch after each attempt had given up on it.
    attempts = ctx.destination.requests
    deadline = time.monotonic() + 5
    while len(ingestion.deliveries) < attempts and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ingestion.receive_count("SKU-0000", "default") == attempts
    ingestion.faults.latency = 0
    assert export_batch(ctx, messages[0]) == "exported"  # SQS delivers the message again
    done = run_of(ctx, run)
    assert (done.batches_done, done.rows_exported) == (1, 10)


def test_a_dropped_connection_is_retried(ctx, ingestion):
    ingestion.faults.drop(1)
    _run, messages = start(ctx)
    assert export_batch(ctx, messages[0]) == "exported"
    assert statuses(ingestion) == [None, 200]


def test_a_batch_stored_before_the_connection_dropped_reaches_the_service_twice_and_counts_once(ctx, ingestion):
    ingestion.faults.drop(1, after_storing=True)
    run, messages = start(ctx)
    assert [export_batch(ctx, m) for m in messages] == ["exported", "exported"]
    assert ingestion.receive_count("SKU-0000", "default") == 2
    done = run_of(ctx, run)
    assert (done.status, done.batches_done, done.rows_exported) == (SUCCESS, 2, 20)


def test_the_same_message_twice_reaches_the_service_twice_and_counts_once(ctx, ingestion):
    run, messages = start(ctx)
    assert [export_batch(ctx, m) for m in messages + messages[:1]] == ["exported", "exported", "duplicate"]
    assert ingestion.receive_count("SKU-0000", "default") == 2
    done = run_of(ctx, run)
    assert (done.status, done.batches_done, done.rows_exported, done.rows_failed) == (SUCCESS, 2, 20, 0)
    assert state_of(ctx, RowKey("SKU-0000", "default")).status == SUBMITTED


def test_a_spent_budget_sends_the_message_back_then_the_dead_letter_handler_fails_its_rows_for_now(ctx, ingestion):
    _first, messages = start(ctx)
    for message in messages:
        export_batch(ctx, message)
    ctx.clock.advance(hours=1)
    changed_at = iso(ctx.clock.now - timedelta(minutes=30))  # out of the next partial's overlap window
    ctx.source.records = [dict(record, name="Renamed", updated_at=changed_at) for record in ctx.source.records]
    ctx.settings = replace(ctx.settings, export_time_budget_seconds=1)
    run, [failing, passing] = start(ctx)
    ingestion.faults.fail(1000, 503)
    for _receive in range(3):  # SQS hands the message out maxReceiveCount times, then moves it to the DLQ
        with pytest.raises(DestinationError, match="the destination answered 503: gave up after"):
            export_batch(ctx, failing)
    ingestion.faults.reset()
    assert export_batch(ctx, passing) == "exported"
    assert run_of(ctx, run).status == "in_progress"
    assert fail_dead_batch(ctx, failing) == "failed"
    done = run_of(ctx, run)
    assert (done.status, done.batches_done, done.batches_failed, done.rows_failed) == (SUCCESS, 1, 1, 10)
    assert done.error.startswith("10 × the destination answered 503: gave up after")
    row = state_of(ctx, RowKey("SKU-0000", "default"))
    assert (row.status, row.error_code) == (WILL_RETRY, "destination.unavailable")
    assert row.error.startswith("the destination answered 503: gave up after")
    assert ctx.control.locks.holder("products") is None  # terminal: the lock is released
    # The next hourly sync reads no change, and sends the rows that failed for now from the outbox.
    retried = later_sync(ctx)
    assert (retried.mode, retried.status, retried.rows_changed, retried.rows_exported) == ("partial", SUCCESS, 0, 10)
    assert ingestion.held("SKU-0000", "default")["document"]["name"] == "Renamed"


def test_a_run_whose_every_batch_fails_ends_failed_with_the_reasons_grouped(ctx, ingestion):
    run, messages = start(ctx)
    ctx.destination = destination(ingestion, key="wrong")
    assert export_batch(ctx, messages[0]) == "failed"
    ctx.destination = destination(ingestion)
    ingestion.faults.too_large_bytes = 100
    assert export_batch(ctx, messages[1]) == "failed"
    done = run_of(ctx, run)
    assert done.status == RUN_FAILED
    assert done.error_counts == {"destination.too_large": 10, "destination.unauthorized": 10}
    assert done.error.startswith("every batch failed: 10 × the batch is too large for the destination (413)")
    assert "; 10 × the destination refused the API key (403)" in done.error
    too_large = state_of(ctx, RowKey("SKU-0009", "french"))
    assert "lower BATCH_MAX_BYTES" in too_large.error and too_large.status == ATTENTION


def test_reading_back_with_a_refused_key_or_no_service_fails_with_the_reason(ingestion):
    with pytest.raises(DestinationError, match=r"refused the API key \(403\)") as refused:
        destination(ingestion, key="wrong").held("products", RowKey("SKU-0001", "default"))
    assert not refused.value.retryable
    gone = HttpDestination("http://127.0.0.1:9/v1/feeds/products", lambda: INGESTION_KEY, timeout_seconds=1)
    with pytest.raises(DestinationError, match="cannot reach the destination"):
        gone.held("products", RowKey("SKU-0001", "default"))
