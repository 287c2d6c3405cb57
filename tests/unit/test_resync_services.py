"""Resync options in the sync engine, on in-memory fakes: dry runs, resumable reads, continuing an interrupted
resync, cleanup and by ids."""
import copy

import pytest

from chalicelib.domain.errors import LockHeldError, SourceError
from chalicelib.domain.feed import RowKey
from chalicelib.domain.resync import ResyncOptions
from chalicelib.domain.runs import FAILED, IN_PROGRESS, SUCCESS
from chalicelib.search.product_search import IndexedProductSearch
from chalicelib.services import finish
from chalicelib.services.dry_run import dry_run
from chalicelib.services.resume import NothingToContinueError, interrupted_resync, open_continuation
from chalicelib.services.sync import continue_sync, open_sync, start_sync
from tests.fakes import VIEWS, InMemorySearchIndexStore
from tests.unit.test_sync_service import ctx, export_all, sync  # noqa: F401 - the fixture


class Failing(list):
    """Source records whose read fails after ``after`` records."""

    def __init__(self, records, after, error=None):
        super().__init__(records)
        self.after, self.error = after, error or SourceError("Magento returned 503 for /V1/products")

    def __iter__(self):
        for n, record in enumerate(super().__iter__()):
            if n == self.after:
                raise self.error
            yield record


def snapshot(context, search=None):
    c = context
    return copy.deepcopy((c.rows("products").rows, c.runs.runs, c.batches.batches, c.batches.retired,
                          c.control.locks.locks, c.control.feed_states.states, c.control.dirty.dirty_entries,
                          c.queue.messages, search.entries if search else None))


def test_a_dry_run_changes_nothing_even_beside_a_run_in_flight(ctx, monkeypatch):  # noqa: F811
    search = InMemorySearchIndexStore()
    ctx.product_search = IndexedProductSearch(search)
    sync(ctx)
    ctx.source.records[0] = {**ctx.source.records[0], "name": "Renamed"}
    held = start_sync(ctx, mode="full", options=ResyncOptions(force=True))  # holds the lock while it exports
    counted = []
    monkeypatch.setattr(finish, "count", counted.append)
    before = snapshot(ctx, search)
    summary = dry_run(ctx, "products", "full")
    assert snapshot(ctx, search) == before and counted == []
    assert ctx.control.locks.holder("products").run_id == held.run_id
    assert summary["rows"] == {"read": 50, "new": 0, "changed": 0, "unchanged": 50, "deleted": 0, "invalid": 0}
    # The forced run rewrote every row, naming batches still on their way: not delivered yet, each would be sent.
    assert summary["complete"] and summary["send"]["items"] == 50


def test_a_dry_run_out_of_time_says_so_and_deletes_nothing(ctx):  # noqa: F811
    sync(ctx)
    summary = dry_run(ctx, "products", "full", ResyncOptions(force=True), budget_seconds=0.0)
    assert not summary["complete"] and "stopped before the end of the feed" in summary["error"]
    assert summary["rows"]["deleted"] == 0


def test_the_read_position_is_one_whose_rows_are_all_written(ctx, monkeypatch):  # noqa: F811
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)
    ctx.source.records = Failing(ctx.source.records, after=33)
    run = sync(ctx, mode="full")
    assert run.status == FAILED and not run.read_complete
    position = int(run.read_position)
    assert 20 <= position <= 33
    read = {RowKey(r["sku"], r["store_view_code"]) for r in ctx.source.records[:position]}
    assert read <= set(ctx.rows("products").rows)


def test_a_continued_resync_reads_from_the_position_and_keeps_the_first_read_time(ctx, monkeypatch):  # noqa: F811
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)
    records = list(ctx.source.records)
    ctx.source.records = Failing(records, after=33)
    first = sync(ctx, mode="full", batch_size=3)
    ctx.source.records = records
    ctx.clock.advance(minutes=5)
    run = open_continuation(ctx, "products", "cli")
    assert run.options.resumes == (first.run_id,) and run.options.resume_from == first.read_position
    assert run.options.batch_size == 3  # the interrupted run's options
    run = continue_sync(ctx, run)
    export_all(ctx)
    run = ctx.runs.get(run.run_id)
    assert run.status == SUCCESS and run.source_read_at == first.source_read_at
    assert ("resumable", "products", first.read_position) in ctx.source.reads
    assert sorted(row.key for row in ctx.destination.rows) == sorted(
        RowKey(r["sku"], r["store_view_code"]) for r in records)
    # Nothing deleted (a part-way read cannot tell), and the last full read is not this one.
    assert run.rows_deleted == 0 and ctx.control.feed_states.get("products").last_full_read_at is None
    with pytest.raises(NothingToContinueError, match="read the whole feed"):
        interrupted_resync(ctx, "products")


def test_a_stalled_resync_is_taken_over_a_live_one_is_not(ctx, monkeypatch):  # noqa: F811
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)
    run = open_sync(ctx, "products", "cli", "full")  # its process died before it read anything
    with pytest.raises(LockHeldError):
        open_continuation(ctx, "products", "cli")
    ctx.clock.advance(minutes=6)
    continued = open_continuation(ctx, "products", "cli")
    stalled = ctx.runs.get(run.run_id)
    assert stalled.status == FAILED and stalled.error.startswith("stalled: no progress since")
    assert ctx.control.locks.holder("products").run_id == continued.run_id
    assert continued.options.resume_from is None  # it had no position: the read starts over


def test_nothing_to_continue_says_why(ctx):  # noqa: F811
    with pytest.raises(NothingToContinueError, match="no full resync of products to continue"):
        interrupted_resync(ctx, "products")
    ctx.source.records = Failing(list(ctx.source.records), after=5)
    sync(ctx, mode="full", cleanup=True)
    with pytest.raises(NothingToContinueError, match="was a cleanup"):
        interrupted_resync(ctx, "products")


def test_a_cleanup_rewrites_every_row_and_still_sends_deletions(ctx):  # noqa: F811
    sync(ctx)
    ctx.clock.advance(hours=1)
    sync(ctx, mode="full", force=True)  # every row now carries when it was exported before
    ctx.source.records = [r for r in ctx.source.records if r["sku"] != "SKU-0004"]
    sent = len(ctx.destination.rows)
    run = sync(ctx, mode="full", cleanup=True)
    rows = ctx.rows("products").rows
    assert run.status == SUCCESS and len(ctx.destination.rows) - sent == 50
    assert all(row.run_id == run.run_id for row in rows.values())
    assert {row.key for row in ctx.destination.rows[sent:] if row.document["deleted"]} == {
        RowKey("SKU-0004", v.code) for v in VIEWS}
    assert all(row.exported_before is None for key, row in rows.items() if key.sku != "SKU-0004")


def test_by_ids_deletes_only_the_scopes_the_source_dropped(ctx):  # noqa: F811
    sync(ctx)
    ctx.source.records = [r for r in ctx.source.records if (r["sku"], r["store_view_code"]) != ("SKU-0002", "french")]
    run = sync(ctx, mode="full", ids=("SKU-0002",))
    assert (run.mode, run.rows_seen, run.rows_deleted, run.unknown_ids) == ("ids", 1, 1, ())
    sent = {(row.key, row.document["deleted"]) for row in ctx.destination.rows[-2:]}
    assert sent == {(RowKey("SKU-0002", "default"), False), (RowKey("SKU-0002", "french"), True)}
    assert ctx.runs.get(run.run_id).status == SUCCESS and ctx.control.feed_states.get("products").products_total == 25


def test_a_run_with_a_thread_count_reads_with_it(ctx):  # noqa: F811
    sync(ctx, mode="full", thread_count=3)
    assert ctx.source.concurrency == 3


def test_ctrl_c_seals_the_run_failed_and_goes_on_to_the_caller(ctx, monkeypatch):  # noqa: F811
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)
    ctx.source.records = Failing(ctx.source.records, after=25, error=KeyboardInterrupt())
    run = open_sync(ctx, "products", "cli", "full")
    with pytest.raises(KeyboardInterrupt):
        continue_sync(ctx, run)
    stored = ctx.runs.get(run.run_id)
    assert stored.sealed and stored.error_code == "run.interrupted" and stored.read_position is not None
    export_all(ctx)
    assert ctx.runs.get(run.run_id).status == FAILED and ctx.control.locks.holder("products") is None


def test_the_progress_write_carries_the_read_position(ctx, monkeypatch):  # noqa: F811
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)
    monkeypatch.setattr("chalicelib.services.progress.INTERVAL_SECONDS", 0.0)
    positions = []
    original = ctx.runs.note_progress

    def note(run_id, seen, changed, at, read_position=None):
        positions.append(read_position)
        original(run_id, seen, changed, at, read_position)
    monkeypatch.setattr(ctx.runs, "note_progress", note)
    run = start_sync(ctx, mode="full")
    stored = ctx.runs.get(run.run_id)
    assert stored.status == IN_PROGRESS and stored.read_position == "50" and stored.read_complete
    written = [int(p) for p in positions if p is not None]
    assert written and written == sorted(written)  # behind the read by the batch still open, never ahead
