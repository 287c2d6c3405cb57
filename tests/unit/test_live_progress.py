"""Live progress: the reindex writes its counters every few seconds, the status computes rows/s and the time
left, and failed rows are kept as a few examples per cause."""
import contextlib
from datetime import timedelta

from chalicelib.domain.errors import DestinationError, Failure
from chalicelib.domain.feed import RowKey
from chalicelib.domain.progress import live_progress
from chalicelib.domain.resync import ResyncOptions
from chalicelib.domain.runs import MAX_EXAMPLES_PER_CAUSE, SUCCESS, add_example, iso, start_run
from chalicelib.services import progress
from chalicelib.services.export import export_batch, fail_dead_batch
from chalicelib.services.status import sync_status
from chalicelib.services.sync import start_sync
from tests.fakes import product
from tests.unit.test_runs import NOW
from tests.unit.test_sync_service import ctx, export_all, sync  # noqa: F401 - the fixture


class WatchedRecords(list):
    """Source records that look at the stored run while the reindex reads them."""

    def __init__(self, records, runs, every):
        super().__init__(records)
        self.runs, self.every, self.seen = runs, every, []

    def __iter__(self):
        for n, record in enumerate(super().__iter__(), 1):
            if n % self.every == 0:
                run = self.runs.latest("products")
                self.seen.append((n, run.rows_seen, run.progress_at))
            yield record


def test_the_reindex_writes_its_progress_while_it_reads(ctx, monkeypatch):  # noqa: F811
    monkeypatch.setattr(progress, "INTERVAL_SECONDS", 0.0)  # every page
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)
    ctx.source.records = WatchedRecords([product(i, view) for i in range(30) for view in ("default", "french")],
                                        ctx.runs, every=25)
    ctx.source.position_every = None  # pages of records only
    run = sync(ctx)
    assert run.status == SUCCESS and run.rows_seen == 60
    # Mid-read, the stored run already counted the pages read before (not 0 until the seal).
    assert [seen for _, seen, _ in ctx.source.records.seen] == [20, 40]
    assert all(at is not None for _, _, at in ctx.source.records.seen)


def test_progress_is_written_at_most_once_per_interval(ctx, monkeypatch):  # noqa: F811
    writes = []
    monkeypatch.setattr(ctx.runs, "note_progress", lambda *args: writes.append(args))
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 1)
    sync(ctx)  # 50 pages within far less than the interval
    assert writes == []


def test_the_live_progress_of_a_reindex_and_of_an_export():
    run = start_run("products", "schedule", "full", NOW, 3600)
    run.rows_seen, run.progress_at = 1000, iso(NOW + timedelta(seconds=10))
    view = live_progress(run, NOW + timedelta(seconds=12), expected_rows=3000)
    assert (view["phase"], view["rows_per_second"], view["eta_seconds"], view["batches_total"],
            view["rows_expected"]) == ("reindex", 100.0, 20, None, 3000)  # the dashboard's bar: 1,000 of 3,000 rows
    run.mode = "partial"  # how much a partial sync will read is not known
    assert live_progress(run, NOW, expected_rows=3000)["eta_seconds"] is None
    assert live_progress(run, NOW, expected_rows=3000)["rows_expected"] is None
    run.batches_total, run.batches_done, run.batches_failed, run.rows_exported = 10, 3, 1, 800
    run.sealed_at = iso(NOW + timedelta(seconds=30))
    view = live_progress(run, NOW + timedelta(seconds=40), expected_rows=3000)
    # 4 of 10 batches in 40 s: 6 more take 60 s; 800 rows settled in 40 s.
    assert (view["phase"], view["batches_done"], view["rows_per_second"], view["eta_seconds"]) == (
        "export", 4, 20.0, 60)
    run.status = SUCCESS
    assert live_progress(run, NOW, 3000) is None


def test_the_status_carries_progress_and_the_cooldown(ctx):  # noqa: F811
    start_sync(ctx, mode="full", options=ResyncOptions(force=True))
    status = sync_status(ctx)
    assert status["last_sync"]["progress"]["phase"] == "export"
    assert status["cooldown"] == {"seconds": 900, "last_forced_at": None, "available": True, "available_at": None}
    ctx.control.cooldowns.claim("products", iso(ctx.clock()), iso(ctx.clock() - timedelta(minutes=15)))
    ctx.clock.advance(minutes=5)
    cooldown = sync_status(ctx)["cooldown"]
    assert (cooldown["available"], cooldown["available_at"]) == (False, "2026-11-22T10:15:00.000Z")
    export_all(ctx)
    assert sync_status(ctx)["last_sync"]["progress"] is None


def test_a_few_examples_are_kept_per_code():
    examples = {}
    for i in range(5):
        add_example(examples, Failure("invalid_record.sku", "missing sku"), RowKey(f"#{i}", "default"))
    assert [row["id"] for row in examples["invalid_record.sku"]] == ["#0", "#1", "#2"][:MAX_EXAMPLES_PER_CAUSE]


def test_failed_rows_are_recorded_as_examples_of_their_code(ctx):  # noqa: F811
    ctx.source.records += [product(90, sku=""), product(91, price="abc"), product(93, price="x")]
    ctx.destination.reject = {RowKey("SKU-0001", "default"): "invalid: name too long"}
    start_sync(ctx)
    messages = ctx.queue.drain()
    ctx.destination.fail = DestinationError("timeout after 30 s")
    with contextlib.suppress(DestinationError):
        export_batch(ctx, messages[-1])
    ctx.destination.fail = None
    fail_dead_batch(ctx, messages[-1])
    for message in messages[:-1]:
        export_batch(ctx, message)
    run = ctx.runs.latest("products")
    assert run.error_examples["invalid_record.price"] == [
        {"id": "SKU-0091", "scope": "default", "message": "price is not a number: 'abc'"},
        {"id": "SKU-0093", "scope": "default", "message": "price is not a number: 'x'"}]
    assert run.error_examples["invalid_record.sku"] == [{"id": "#90", "scope": "default", "message": "missing sku"}]
    assert run.error_examples["destination.rejected"] == [
        {"id": "SKU-0001", "scope": "default", "message": "invalid: name too long"}]
    assert len(run.error_examples["destination"]) == MAX_EXAMPLES_PER_CAUSE
    assert run.error_examples["destination"][0]["message"] == "timeout after 30 s"
