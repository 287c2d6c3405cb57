"""The run lifecycle on in-memory fakes: lock, reindex, fan out, export, finish."""
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.batches import ATTENTION, AWAITING, DELETED, NOT_EXPORTED, SUBMITTED, WILL_RETRY
from chalicelib.domain.batching import decode
from chalicelib.domain.errors import DestinationError, LockHeldError, UnknownFeedError
from chalicelib.domain.feed import RowKey
from chalicelib.domain.resync import ResyncOptions
from chalicelib.domain.runs import FAILED as RUN_FAILED
from chalicelib.domain.runs import IN_PROGRESS, SUCCESS, iso
from chalicelib.services.export import export_batch, fail_dead_batch
from chalicelib.services.status import sync_status
from chalicelib.services.sync import scheduled_sync, start_sync
from tests.fakes import VIEWS, outbox_keys, product, state_of


def catalog(n, **overrides):
    return [product(i, view.code, **overrides) for i in range(n) for view in VIEWS]


def export_all(ctx):
    results = [export_batch(ctx, body) for body in ctx.queue.drain()]
    return results


def sync(ctx, mode="partial", trigger="cli", **options):
    run = start_sync(ctx, trigger=trigger, mode=mode, options=ResyncOptions(**options))
    export_all(ctx)
    return ctx.runs.get(run.run_id)


def statuses(ctx, feed="products"):
    return {key: state_of(ctx, key, feed).status for key in ctx.rows(feed).rows}


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def ctx(fake_ctx):
    fake_ctx.source.records = catalog(25)
    fake_ctx.clock = Clock()
    return fake_ctx


def test_the_first_sync_reads_everything_exports_every_row_and_succeeds(ctx):
    run = sync(ctx)
    assert (run.mode, run.status, run.rows_seen, run.rows_changed) == ("full", SUCCESS, 50, 50)
    assert (run.batches_total, run.batches_done, run.rows_exported) == (5, 5, 50)
    assert {row.key for row in ctx.destination.rows} == {
        RowKey(f"SKU-{i:04d}", v.code) for i in range(25) for v in VIEWS}
    assert set(statuses(ctx).values()) == {SUBMITTED}
    assert ctx.control.locks.holder("products") is None
    state = ctx.control.feed_states.get("products")
    assert (state.products_total, state.rows_total, state.last_success_run_id) == (25, 50, run.run_id)
    assert ctx.destination.completed[0].run_id == run.run_id


def test_a_partial_sync_with_no_changes_sends_nothing(ctx):
    sync(ctx)
    ctx.clock.advance(hours=1)
    run = sync(ctx)
    assert (run.mode, run.status, run.rows_changed, run.batches_total) == ("partial", SUCCESS, 0, 0)
    assert ctx.queue.calls == 1  # only the first sync's messages


def test_a_partial_sync_exports_exactly_the_changed_rows(ctx):
    sync(ctx)
    ctx.clock.advance(hours=1)
    changed_at = iso(ctx.clock.now)
    ctx.source.records[4] = product(2, "default", name="Renamed", updated_at=changed_at)
    ctx.source.records[7] = product(3, "french", updated_at=changed_at)  # touched, same content
    sent_before = len(ctx.destination.rows)
    run = sync(ctx)
    # Read from the last successful run's watermark minus the overlap window (10 minutes).
    assert ctx.source.reads[-1] == iso(ctx.clock.now - timedelta(hours=1, minutes=10))
    assert [row.key for row in ctx.destination.rows[sent_before:]] == [RowKey("SKU-0002", "default")]
    assert (run.rows_seen, run.rows_changed, run.rows_exported) == (2, 1, 1)


def test_the_watermark_advances_only_when_a_run_succeeds(ctx):
    first = sync(ctx)
    ctx.destination.fail = DestinationError("down for good", retryable=False)
    ctx.clock.advance(hours=1)
    ctx.source.records[0] = product(0, "default", name="New", updated_at=iso(ctx.clock.now))
    failed = sync(ctx)
    assert failed.status == RUN_FAILED
    assert ctx.control.feed_states.get("products").watermark == first.source_read_at


def test_a_new_product_counts_once_across_store_views(ctx):
    sync(ctx)
    ctx.clock.advance(hours=1)
    now = iso(ctx.clock.now)
    ctx.source.records += [product(100, view.code, updated_at=now) for view in VIEWS]
    sync(ctx)
    state = ctx.control.feed_states.get("products")
    assert (state.products_total, state.rows_total) == (26, 52)


def test_a_full_resync_sends_what_changed_and_deletes_vanished_products_but_not_what_the_destination_has(ctx):
    sync(ctx)
    ctx.source.records = [r for r in ctx.source.records if r["sku"] != "SKU-0003"]
    ctx.source.records[0] = {**ctx.source.records[0], "price": 99.0}
    sent_before = len(ctx.destination.rows)
    run = sync(ctx, mode="full")
    sent = ctx.destination.rows[sent_before:]
    assert (run.rows_deleted, run.rows_changed, len(sent)) == (2, 3, 3)
    assert (run.rows_new, run.rows_updated, run.rows_unchanged) == (0, 1, 47)
    deletions = [row for row in sent if row.document["deleted"]]
    assert {row.key.sku for row in deletions} == {"SKU-0003"}
    assert state_of(ctx, RowKey("SKU-0003", "default")).status == DELETED
    assert ctx.control.feed_states.get("products").products_total == 24
    # Nothing changed since: nothing is sent, an exported deletion included.
    again = sync(ctx, mode="full")
    assert again.rows_deleted == 0 and len(ctx.destination.rows) == sent_before + 3


def test_a_forced_full_resync_re_exports_every_row_and_deletes_vanished_products(ctx):
    sync(ctx)
    ctx.source.records = [r for r in ctx.source.records if r["sku"] != "SKU-0003"]
    sent_before = len(ctx.destination.rows)
    run = sync(ctx, mode="full", force=True)
    sent = ctx.destination.rows[sent_before:]
    assert (run.rows_deleted, run.rows_changed, len(sent)) == (2, 2, 50)
    assert {row.key.sku for row in sent if row.document["deleted"]} == {"SKU-0003"}
    # An exported deletion is not sent again.
    again = sync(ctx, mode="full", force=True)
    assert again.rows_deleted == 0 and len(ctx.destination.rows) == sent_before + 50 + 48


def test_a_feeds_first_run_reads_no_stored_rows_and_later_full_reads_compare_with_them(ctx, monkeypatch):
    rows, reads = ctx.rows("products"), []
    all_states = rows.all_states
    monkeypatch.setattr(rows, "all_states", lambda: reads.append("scan") or all_states())
    first = sync(ctx)
    assert (first.mode, first.rows_changed, reads) == ("full", 50, []), "a feed never synced has no rows to read"
    again = sync(ctx, mode="full")
    assert (again.rows_changed, reads) == (0, ["scan"]), "the rows the first run wrote are read and compared"


def test_malformed_products_become_failed_rows_and_the_run_goes_on(ctx):
    ctx.source.records += [product(90, sku=""), product(91, price="abc"), product(92, store_view_code="mars")]
    run = sync(ctx)
    assert run.status == SUCCESS
    assert (run.rows_invalid, run.rows_failed, run.rows_exported) == (3, 3, 50)
    assert run.error_counts == {"invalid_record.sku": 1, "invalid_record.price": 1, "invalid_record.store_view": 1}
    failed = state_of(ctx, RowKey("SKU-0091", "default"))
    assert (failed.status, failed.error) == (ATTENTION, "price is not a number: 'abc'")
    assert ctx.rows("products").rows[RowKey("SKU-0091", "default")].name == "Product 91"
    assert state_of(ctx, RowKey("#90", "default")).status == ATTENTION


def test_a_product_that_turns_malformed_keeps_its_last_good_document(ctx):
    sync(ctx)
    good = ctx.rows("products").rows[RowKey("SKU-0001", "default")].document
    ctx.source.records[2] = product(1, "default", price="n/a")
    sync(ctx, mode="full")
    row = ctx.rows("products").rows[RowKey("SKU-0001", "default")]
    assert (state_of(ctx, row.key).status, row.document) == (ATTENTION, good)
    ctx.source.records[2] = product(1, "default")
    sync(ctx, mode="full")
    assert state_of(ctx, RowKey("SKU-0001", "default")).status == SUBMITTED


def test_with_no_destination_reindex_runs_and_rows_say_why_nothing_was_exported(ctx):
    ctx.destination = None
    run = sync(ctx)
    assert (run.status, run.rows_changed, run.rows_exported, run.batches_total) == (SUCCESS, 50, 0, 0)
    assert run.export_disabled_reason == "no SaaS destination configured"
    state = state_of(ctx, RowKey("SKU-0001", "default"))
    assert (state.status, state.error) == (NOT_EXPORTED, "not exported: no SaaS destination configured")
    assert sync_status(ctx)["export"] == {"enabled": False, "destination": "none",
                                          "reason": "no SaaS destination configured"}


def test_rows_not_exported_go_out_once_a_destination_is_configured(ctx):
    destination, ctx.destination = ctx.destination, None
    sync(ctx)
    ctx.destination = destination
    ctx.clock.advance(hours=1)
    run = sync(ctx)
    assert (run.mode, run.rows_changed, run.rows_exported) == ("partial", 0, 50)


def test_a_second_run_is_refused_while_one_holds_the_lock(ctx):
    run = start_sync(ctx)
    with pytest.raises(LockHeldError) as error:
        start_sync(ctx)
    assert error.value.run_id == run.run_id
    assert scheduled_sync(ctx) is None  # the schedule skips rather than fails


def test_a_run_that_finished_frees_its_feed_even_before_its_finisher_releases_the_lock(ctx, monkeypatch):
    # The finisher marks the run finished, completes it at the destination, then releases the lock: a caller that
    # saw "finished" in between (the CLI's resync, back to back) starts the next run rather than being refused.
    release, lagging = ctx.control.locks.release, [True]
    monkeypatch.setattr(ctx.control.locks, "release",
                        lambda feed, run_id: None if lagging and lagging.pop() else release(feed, run_id))
    first = start_sync(ctx)
    export_all(ctx)
    assert ctx.runs.get(first.run_id).status == SUCCESS and ctx.control.locks.holder("products") is not None
    second = start_sync(ctx)  # not refused
    assert second.run_id != first.run_id and ctx.runs.get(second.run_id) is not None


def test_a_lock_taken_for_a_run_not_yet_written_is_left_alone(ctx):
    ctx.control.locks.acquire("products", "opening", iso(ctx.clock()), iso(ctx.clock() + timedelta(hours=1)))
    with pytest.raises(LockHeldError):
        start_sync(ctx)


def test_an_unknown_feed_is_refused_naming_the_valid_ones(ctx):
    with pytest.raises(UnknownFeedError, match="valid feeds: products"):
        start_sync(ctx, feed="pricez")


def test_the_same_message_twice_counts_once(ctx):
    start_sync(ctx)
    messages = ctx.queue.drain()
    assert [export_batch(ctx, m) for m in messages + messages[:2]] == ["exported"] * 5 + ["duplicate"] * 2
    run = ctx.runs.latest("products")
    assert (run.status, run.batches_done, run.rows_exported) == (SUCCESS, 5, 50)


def test_exporters_finishing_before_the_seal_still_finish_the_run(ctx, monkeypatch):
    # The sealer sees every batch done: it is the writer that finishes the run.
    original = ctx.runs.seal

    def seal_after_exports(run):
        export_all(ctx)
        return original(run)
    monkeypatch.setattr(ctx.runs, "seal", seal_after_exports)
    ctx.queue.send = lambda messages: (ctx.queue.messages.extend(m.body for m in messages), len(messages))[1]
    run = start_sync(ctx)
    assert ctx.runs.get(run.run_id).status == SUCCESS
    assert ctx.control.locks.holder("products") is None


def test_a_failing_batch_fails_only_its_rows_with_the_reason(ctx):
    start_sync(ctx)
    messages = ctx.queue.drain()
    ctx.destination.fail = DestinationError("hub refused: AccessDenied", retryable=False)
    assert export_batch(ctx, messages[0]) == "failed"
    ctx.destination.fail = None
    for message in messages[1:]:
        export_batch(ctx, message)
    run = ctx.runs.latest("products")
    assert (run.status, run.batches_failed, run.rows_failed, run.rows_exported) == (SUCCESS, 1, 10, 40)
    failed_keys = {row.key for row in decode(messages[0]).rows}
    assert {k for k, status in statuses(ctx).items() if status == ATTENTION} == failed_keys
    assert state_of(ctx, min(failed_keys)).error == "hub refused: AccessDenied"


def test_rejected_rows_fail_and_the_others_are_exported(ctx):
    ctx.destination.reject = {RowKey("SKU-0001", "default"): "invalid: name too long"}
    run = sync(ctx)
    assert (run.rows_exported, run.rows_failed, run.error_counts) == (49, 1, {"destination.rejected": 1})
    assert state_of(ctx, RowKey("SKU-0001", "default")).status == ATTENTION


def test_a_retryable_failure_goes_back_to_the_queue_then_the_dead_letter_handler_fails_the_batch(ctx):
    start_sync(ctx)
    messages = ctx.queue.drain()
    ctx.destination.fail = DestinationError("S3 hub upload failed: SlowDown", retryable=True)
    for message in messages:
        with pytest.raises(DestinationError):
            export_batch(ctx, message)
    assert [fail_dead_batch(ctx, m) for m in messages] == ["failed"] * 5
    assert fail_dead_batch(ctx, messages[0]) == "duplicate"
    run = ctx.runs.latest("products")
    assert (run.status, run.batches_failed, run.rows_failed) == (RUN_FAILED, 5, 50)
    assert run.error == "every batch failed: 50 × S3 hub upload failed: SlowDown"
    state = state_of(ctx, RowKey("SKU-0001", "default"))
    assert (state.status, state.error) == (WILL_RETRY, "S3 hub upload failed: SlowDown")
    # The next run sends the failed rows again.
    ctx.destination.fail = None
    ctx.clock.advance(hours=1)
    assert sync(ctx).rows_exported == 50


def test_a_crash_after_reindex_loses_nothing(ctx, monkeypatch):
    monkeypatch.setattr(ctx.queue, "send", lambda messages: (_ for _ in ()).throw(RuntimeError("crash")))
    crashed = start_sync(ctx)
    assert crashed.status == RUN_FAILED and "internal error: RuntimeError: crash" in crashed.error
    monkeypatch.undo()
    assert set(statuses(ctx).values()) == {AWAITING}  # written, in open batches: the outbox
    assert len(outbox_keys(ctx)) == 50
    ctx.clock.advance(minutes=5)
    run = sync(ctx)
    assert (run.status, run.rows_exported) == (SUCCESS, 50)


def test_a_stuck_run_is_failed_by_the_next_scheduled_invocation(ctx, monkeypatch):
    stuck = start_sync(ctx)
    ctx.queue.drain()  # its messages are lost
    ctx.clock.advance(hours=2)
    run = scheduled_sync(ctx)
    export_all(ctx)
    old = ctx.runs.get(stuck.run_id)
    assert old.status == RUN_FAILED and "did not finish before its deadline" in old.error
    assert ctx.runs.get(run.run_id).status == SUCCESS
    assert ctx.runs.get(run.run_id).rows_exported == 50  # the lost rows were still pending


def test_a_source_failure_fails_the_run_with_its_message_and_deletes_nothing(ctx):
    sync(ctx)
    ctx.source.fail_with = "Magento returned 401 for /rest/default/V1/products: check the integration token"
    run = sync(ctx, mode="full")
    assert run.status == RUN_FAILED
    assert run.error == ctx.source.fail_with
    assert all(not row.deleted for row in ctx.rows("products").rows.values())
    assert ctx.control.locks.holder("products") is None


def test_no_reindex_resubmits_the_stored_documents_without_reading_the_source(ctx):
    sync(ctx)
    reads = len(ctx.source.reads)
    sent_before = len(ctx.destination.rows)
    run = sync(ctx, mode="no-reindex")
    assert len(ctx.source.reads) == reads
    assert (run.status, run.rows_changed, run.rows_exported) == (SUCCESS, 0, 50)
    assert len(ctx.destination.rows) == sent_before + 50


def test_status_shows_the_last_run_and_the_products_synced(ctx):
    assert sync_status(ctx)["last_sync"] is None
    run = sync(ctx)
    status = sync_status(ctx)
    assert status["last_sync"]["status"] == "Success"
    assert status["last_sync"]["run_id"] == run.run_id
    assert status["products_synced"] == {"last_success_at": run.finished_at, "last_success_run_id": run.run_id,
                                         "products": 25, "rows": 50}
    start_sync(ctx, mode="full", options=ResyncOptions(force=True))
    assert sync_status(ctx)["last_sync"]["status"] == "In Progress"
    assert ctx.runs.latest("products").status == IN_PROGRESS


def test_rows_built_before_a_failure_are_still_written_and_counted(ctx, monkeypatch):
    # Fetching the earlier runs' leftovers comes after the reindex.
    monkeypatch.setattr(ctx.rows("products"), "get_rows",
                        lambda keys: (_ for _ in ()).throw(RuntimeError("index down")))
    failed = start_sync(ctx)
    assert failed.status == RUN_FAILED and failed.error == "internal error: RuntimeError: index down"
    assert failed.rows_changed == len(ctx.rows("products").rows) == 50


def test_an_unreadable_outbox_fails_the_run_and_releases_the_lock(ctx, monkeypatch):
    monkeypatch.setattr(ctx.batches, "outbox", lambda feed: (_ for _ in ()).throw(RuntimeError("index down")))
    failed = start_sync(ctx)
    assert (failed.status, failed.error) == (RUN_FAILED, "internal error: RuntimeError: index down")
    assert ctx.control.locks.holder("products") is None


def test_the_fan_out_fills_each_send_call_up_to_one_mebibyte(ctx):
    from dataclasses import replace
    ctx.settings = replace(ctx.settings, batch_max_rows=500, batch_max_bytes=240_000)
    ctx.source.records = catalog(300, description="x" * 2000)  # ~2.7 kB rows: ~88 rows a message
    run = start_sync(ctx)
    assert run.batches_total == len(ctx.queue.messages) == 7
    assert all(size <= 1_048_576 for size in ctx.queue.call_bytes)
    assert ctx.queue.calls == 2  # 4 messages of ~240 kB fill a call, not 10


def test_each_ended_run_is_counted_for_the_alarms(ctx, monkeypatch, capsys):
    import json

    from chalicelib.observability import flush

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "0")
    assert sync(ctx, mode="full").status == SUCCESS
    flush()
    ctx.source.fail_with = "Magento returned 503 for /rest/default/V1/products"
    assert sync(ctx, mode="full").status == RUN_FAILED
    flush()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert [line.get("SyncSucceeded") for line in lines] == [[1.0], None]
    assert [line.get("RunsFailed") for line in lines] == [None, [1.0]]
