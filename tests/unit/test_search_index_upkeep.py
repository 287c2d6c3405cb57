"""The search index kept by the services (on fakes): built by the first sync, current from the journal as
exporters work, folded into new snapshots as the journal grows, reloaded by a copy that drifted."""
import pytest

from chalicelib.search import journal, upkeep
from chalicelib.search.journaled_feed import JournaledFeedStore
from chalicelib.search.live import LiveIndex
from chalicelib.search.product_search import IndexedProductSearch
from chalicelib.search.query import parse_query, run_query
from chalicelib.search.rows import IndexRow, search_text
from chalicelib.services.export import export_batch
from chalicelib.services.sync import start_sync
from tests.fakes import VIEWS, InMemorySearchIndexStore, product
from tests.unit.test_sync_service import Clock


@pytest.fixture
def ctx(fake_ctx):
    fake_ctx.product_search = IndexedProductSearch(InMemorySearchIndexStore())
    fake_ctx.batches.journal = fake_ctx.product_search.store  # outcomes journaled as batches settle
    fake_ctx.feed_rows.stores["products"] = JournaledFeedStore(fake_ctx.rows("products"), fake_ctx.product_search)
    fake_ctx.source.records = [product(i, view.code) for i in range(10) for view in VIEWS]
    fake_ctx.clock = Clock()
    return fake_ctx


def total(index, **params):
    return run_query(index, parse_query(index, **params)).total


def export_all(ctx):
    for message in ctx.queue.drain():
        export_batch(ctx, message)


def test_the_first_sync_builds_the_index_and_the_exports_reach_it_through_the_journal(ctx):
    start_sync(ctx, trigger="cli")  # the first sync is a full one: the index is built from the rows
    assert ctx.product_search.store.current().rows == 20
    live = LiveIndex(ctx.product_search.store)
    assert (total(live.current(), status="awaiting_submission"), total(live.current(), status="submitted")) == (20, 0)
    export_all(ctx)
    index = live.current()
    assert (total(index, status="awaiting_submission"), total(index, status="submitted")) == (0, 20)
    assert total(index, q="product 3") == 2


def test_a_sync_folds_the_journal_into_a_new_snapshot_once_it_has_grown(ctx, monkeypatch):
    start_sync(ctx, trigger="cli")
    export_all(ctx)
    first = ctx.product_search.store.current()
    monkeypatch.setattr(upkeep, "COMPACT_ENTRIES", 3)
    ctx.clock.advance(hours=1)
    ctx.source.records[0] = product(0, "default", name="Renamed", updated_at="2026-11-22T11:00:00.000Z")
    run = start_sync(ctx, trigger="cli", mode="partial")
    assert ctx.product_search.store.current() != first  # 2 marks + 1 row write since: folded in
    fresh = LiveIndex(ctx.product_search.store).current()
    assert total(fresh, q="renamed", status="awaiting_submission") == 1 and total(fresh, status="submitted") == 19
    # nothing more to fold (only the snapshot's marker)
    assert ctx.product_search.maintain(run, ctx.runs, ctx.rows("products")) is None


def test_a_copy_replays_entries_that_land_late_within_the_overlap(ctx):
    store, seconds = ctx.product_search.store, [100.0]
    live = LiveIndex(store, clock=lambda: seconds[0])
    live.current()
    store.append([journal.encode(journal.RowsWritten((_row("A"),)))])
    assert total(live.current()) == 1
    store.now -= 2  # a slow writer: its entry's position is older than one already applied
    store.append([journal.encode(journal.RowsWritten((_row("B"),)))])
    assert total(live.current()) == 1  # between rechecks only what lies after the newest position is read
    seconds[0] += 1
    assert total(live.current()) == 2  # the recheck of the overlap finds it
    store.now += 2
    store.append([journal.encode(journal.RowsWritten((_row("A", "Again"),)))])
    seconds[0] += 1
    assert total(live.current(), q="again") == 1 and total(live.current()) == 2  # nothing applied twice


def test_a_copy_that_drifted_loads_the_newer_snapshot(ctx, monkeypatch):
    store = ctx.product_search.store
    live = LiveIndex(store)
    live.current()
    store.append([journal.encode(journal.RowsWritten(tuple(_row(f"S{i}") for i in range(10))))])
    first = live.current()
    monkeypatch.setattr(upkeep, "COMPACT_ENTRIES", 1)
    upkeep.compact_search_index(store)
    assert live.current() is not first  # its 10 rows were all outside its (empty) base: it reloads
    assert total(live.current()) == 10 and live.current().drift == 0


def test_the_first_run_builds_from_the_journal_and_later_ones_without_an_index_from_the_table(ctx, monkeypatch):
    scans = []
    iter_rows = ctx.rows("products").iter_rows
    monkeypatch.setattr(ctx.rows("products"), "iter_rows", lambda: scans.append(1) or iter_rows())
    start_sync(ctx, trigger="cli")
    assert scans == [] and ctx.product_search.store.current().rows == 20  # the feed's first run: the journal holds all
    ctx.product_search.store.snapshot = None  # e.g. rows written before the journal existed
    ctx.clock.advance(hours=1)
    run = start_sync(ctx, trigger="cli", mode="partial")
    assert scans == [1] and ctx.product_search.store.current().rows == 20
    ctx.clock.advance(hours=1)
    start_sync(ctx, trigger="cli", mode="full")
    assert scans == [1, 1]  # a full resync rebuilds from the table: it heals any drift
    assert run.error is None


def test_an_index_that_cannot_be_maintained_does_not_fail_the_sync(ctx, monkeypatch):
    def broken(store):
        raise RuntimeError("throttled")
    monkeypatch.setattr(upkeep, "compact_search_index", broken)
    run = start_sync(ctx, trigger="cli")
    assert run.error is None and run.rows_changed == 20


def test_without_an_index_nothing_is_kept(fake_ctx):
    assert start_sync(fake_ctx, trigger="cli").error is None  # fake_ctx.product_search is None


def _row(sku, name="Name"):
    return IndexRow(sku, "default", search_text(1, sku, name), name, "simple", None, None, None, None, None, 1, 1, 1, 1)
