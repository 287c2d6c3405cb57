"""A whole feed's dry run asked through the API, on in-memory fakes: its record, the trigger queue's message, the
worker that performs it as the CLI's and keeps its summary, and a redelivery."""
import pytest

from chalicelib.domain import trigger_message
from chalicelib.domain.errors import CatalogSyncError
from chalicelib.domain.resync import ResyncOptions
from chalicelib.domain.runs import FAILED, IN_PROGRESS, SUCCESS
from chalicelib.services import dry_run
from chalicelib.services.dry_run_jobs import open_dry_run, run_dry_run
from chalicelib.services.events import run_requested_sync
from tests.unit.test_resync_services import snapshot
from tests.unit.test_sync_service import ctx, sync  # noqa: F401 - the fixture


@pytest.fixture
def dry(ctx, fake_trigger):  # noqa: F811
    sync(ctx, mode="full")  # the feed synced: 50 rows
    ctx.trigger = fake_trigger
    return ctx


def test_the_api_opens_a_record_marked_dry_run_and_hands_it_to_the_trigger_queue(dry):
    accepted = open_dry_run(dry, "products", "full", ResyncOptions(force=True), "force")
    record = dry.runs.get(accepted["run_id"])
    assert (record.dry_run, record.status, record.mode) == (True, IN_PROGRESS, "full")
    assert dry.trigger.dry_runs == [{"feed": "products", "run_id": accepted["run_id"]}]
    assert dry.runs.latest("products").run_id != accepted["run_id"]  # never the feed's last run


def test_a_refused_message_fails_the_record(dry):
    dry.trigger.fail_with = "the trigger queue refused"
    with pytest.raises(CatalogSyncError):
        open_dry_run(dry, "products", "full", ResyncOptions(force=True), "force")
    [record] = [run for run in dry.runs.runs.values() if run.dry_run]
    assert record.status == FAILED and "could not be started" in record.error


def test_the_worker_performs_it_as_the_cli_and_keeps_the_summary_with_the_record_only(dry):
    dry.source.records = dry.source.records[:-1]  # a record left the source: its row is a deletion
    accepted = open_dry_run(dry, "products", "full", ResyncOptions(), "force")
    before = snapshot(dry)
    body = trigger_message.dry_run("products", accepted["run_id"])
    record = run_requested_sync(dry, body)
    assert (record.status, record.dry_run, record.error) == (SUCCESS, True, None)
    assert (record.rows_seen, record.rows_new, record.rows_updated, record.rows_unchanged, record.rows_deleted,
            record.rows_invalid) == (49, 0, 0, 49, 1, 0)
    assert record.dry_run_send == {"items": 1, "deletions": 1, "batches": 1, "bytes": record.dry_run_send["bytes"]}
    after = snapshot(dry)
    assert after[1].keys() == before[1].keys()  # no run but the record (kept by open_dry_run, before)
    assert after[:1] + after[2:] == before[:1] + before[2:]  # rows, batches, locks, feed states, queue: untouched
    assert run_requested_sync(dry, body) is None  # a redelivery: already ended


def test_a_redelivery_past_its_deadline_fails_a_dry_run_whose_worker_was_cut_off(dry):
    accepted = open_dry_run(dry, "products", "full", ResyncOptions(force=True), "force")
    assert dry.runs.claim_reindex(accepted["run_id"], "2026-11-22T10:00:01.000Z")  # a worker took it, then died
    assert run_dry_run(dry, accepted["run_id"]) is None  # within its deadline: another worker may be at it
    dry.clock.advance(minutes=30)  # the trigger queue's visibility timeout
    record = run_dry_run(dry, accepted["run_id"])
    assert record.status == FAILED and "worker was cut off" in record.error


def test_a_dry_run_that_reads_past_its_budget_ends_failed_with_the_counts_of_what_it_read(dry, monkeypatch):
    monkeypatch.setattr("chalicelib.services.dry_run_jobs.WORKER_BUDGET_SECONDS", -1.0)
    accepted = open_dry_run(dry, "products", "full", ResyncOptions(force=True), "force")
    record = run_dry_run(dry, accepted["run_id"])
    assert record.status == FAILED and "time budget" in record.error and not record.read_complete
    assert dry_run.DryRunBudgetError.code == record.error_code
