"""Freshness (each batch's lags on its run, p50/p95/max) and the alerts the overview shows, on the fakes."""
from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain.errors import DestinationError
from chalicelib.domain.freshness import bucket_of, histogram, summary, upper_bound
from chalicelib.domain.runs import FAILED, SUCCESS, iso, status_text
from chalicelib.services.alerts import DEAD_LETTER, FRESHNESS, NO_RECENT_SUCCESS, RUN_FAILED, alerts
from chalicelib.services.export import export_batch, fail_dead_batch
from chalicelib.services.status import run_view
from chalicelib.services.sync import start_sync
from tests.unit.test_sync_service import Clock, catalog


@pytest.fixture
def ctx(fake_ctx):
    fake_ctx.clock = Clock()  # 2026-11-22T10:00
    fake_ctx.source.records = catalog(10, updated_at="2026-11-22 09:30:00")  # changed 30 minutes before the run
    return fake_ctx


def test_a_lag_falls_in_a_bucket_at_most_ten_percent_wide():
    for seconds in (1.5, 59, 60, 61, 3600, 86_399):
        bound = upper_bound(bucket_of(seconds))
        assert seconds <= bound < seconds * 1.1 + 1e-6


def test_a_batch_counts_the_items_changed_within_a_day_of_its_runs_start():
    counts = histogram(["2026-11-22 09:59:00", "2026-11-22T09:00:00Z", "2026-11-01 00:00:00", None, "garbage"],
                       "2026-11-22T10:00:00.000Z", "2026-11-22T09:59:30.000Z")
    assert sum(counts.values()) == 2
    shown = summary(counts)
    assert shown["items"] == 2 and 60 <= shown["p50_seconds"] < 66 and 3600 <= shown["max_seconds"] < 3960


def test_a_runs_freshness_is_kept_from_its_batches_and_shown_with_it(ctx):
    run = start_sync(ctx, trigger="cli", mode="full")
    ctx.clock.advance(minutes=2)
    for message in ctx.queue.drain():
        export_batch(ctx, message)
    shown = run_view(ctx.runs.get(run.run_id))["freshness"]
    assert shown["items"] == 20 and 32 * 60 <= shown["p95_seconds"] < 32 * 66


def test_a_success_with_rows_from_the_dead_letter_queue_says_they_will_be_retried(ctx):
    run = start_sync(ctx, trigger="cli", mode="full")
    first, second = ctx.queue.drain()
    export_batch(ctx, first)
    ctx.destination.fail = DestinationError("503", retryable=True)
    with pytest.raises(DestinationError):
        export_batch(ctx, second)
    fail_dead_batch(ctx, second)
    done = ctx.runs.get(run.run_id)
    assert done.status == SUCCESS and status_text(done) == "Success — 10 rows failed, will retry"
    assert run_view(done)["status"] == "Success" and run_view(done)["rows_retrying"] == 10
    [alert] = alerts(ctx)["alerts"]
    assert (alert["code"], alert["rows"], alert["severity"]) == (DEAD_LETTER, 10, "warning")
    assert "will be retried" in alert["message"] and "force a sync with mode failed" in alert["action"]


def test_a_failed_run_and_no_success_for_two_hours_are_errors_with_what_to_do(ctx):
    run = start_sync(ctx, trigger="cli", mode="full")
    for message in ctx.queue.drain():
        export_batch(ctx, message)
    assert alerts(ctx)["alerts"] == []
    ctx.clock.advance(hours=3)
    [late] = alerts(ctx)["alerts"]
    assert late["code"] == NO_RECENT_SUCCESS and "No successful products sync since" in late["message"]
    ctx.runs.runs[run.run_id] = replace(ctx.runs.runs[run.run_id], status=FAILED, error="the source failed")
    codes = [alert["code"] for alert in alerts(ctx)["alerts"]]
    assert codes == [RUN_FAILED, NO_RECENT_SUCCESS]


def test_freshness_over_the_threshold_warns(ctx):
    ctx.settings = replace(ctx.settings, freshness_threshold_minutes=20)
    start_sync(ctx, trigger="cli", mode="full")
    for message in ctx.queue.drain():
        export_batch(ctx, message)
    [alert] = alerts(ctx)["alerts"]
    assert alert["code"] == FRESHNESS and "over the 20-minute threshold" in alert["message"]
    assert alerts(ctx)["checked_at"] == iso(ctx.clock())
