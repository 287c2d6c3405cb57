"""One contract for each store port, run against the in-memory fake and against DynamoDB (moto)."""
import boto3
import pytest

from chalicelib.adapters.dynamo_batches import DynamoBatchStore
from chalicelib.adapters.dynamo_control import dynamo_control
from chalicelib.adapters.dynamo_feed import DynamoFeedStore
from chalicelib.adapters.dynamo_runs import DynamoRunStore
from chalicelib.domain.batches import DONE, FAILED, HELD, OPEN, BatchOutcome, batch_id
from chalicelib.domain.errors import CooldownActiveError, Failure, LockHeldError
from chalicelib.domain.events import DirtyEntry
from chalicelib.domain.feed import RowKey, StoredState
from chalicelib.domain.feeds.products import build_row
from chalicelib.domain.resync import ResyncOptions
from chalicelib.domain.runs import FAILED as RUN_FAILED
from chalicelib.domain.runs import SUCCESS, start_run
from chalicelib.ports import Settlement
from chalicelib.search.dynamo_store import DynamoSearchIndexStore
from chalicelib.search.journaled_feed import JournaledFeedStore
from chalicelib.search.product_search import IndexedProductSearch
from chalicelib.search.s3_snapshots import SnapshotObjects
from tests.fakes import (
    VIEWS,
    InMemoryBatchStore,
    InMemoryFeedStore,
    InMemoryRunStore,
    InMemorySearchIndexStore,
    in_memory_control,
    product,
)
from tests.moto_session import HUB_BUCKET
from tests.unit.test_runs import NOW

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


@pytest.fixture(params=["memory", "dynamodb", "journaled"])
def stores(request):
    """(feed rows, runs, control, batches)"""
    if request.param == "memory":
        runs = InMemoryRunStore()
        yield InMemoryFeedStore(), runs, in_memory_control(), InMemoryBatchStore(runs)
    elif request.param == "journaled":  # the feed rows as the container wires them: each write also journaled
        runs = InMemoryRunStore()
        feed = JournaledFeedStore(InMemoryFeedStore(), IndexedProductSearch(InMemorySearchIndexStore()))
        yield feed, runs, in_memory_control(), InMemoryBatchStore(runs)
    else:
        request.getfixturevalue("aws")
        yield DynamoFeedStore("products"), DynamoRunStore(), dynamo_control(), DynamoBatchStore()


def row(i, view="default", batch="run-1/00001", **overrides):
    built = build_row(product(i, view, **overrides), VIEWS_BY_CODE)
    built.batch, built.run_id = batch, "run-1"
    return built


# Feed rows

def test_rows_round_trip_with_every_field(stores):
    feed, _, _, _ = stores
    written = row(1)
    written.run_id = "run-1"
    feed.put_rows([written, row(2, "french")])
    [read] = feed.get_rows([RowKey("SKU-0001", "default")])
    assert read == written
    assert set(feed.all_states()) == {RowKey("SKU-0001", "default"), RowKey("SKU-0002", "french")}
    assert {r.key for r in feed.iter_rows()} == set(feed.all_states())


def test_rows_can_be_read_with_only_some_fields(stores):
    feed, _, _, _ = stores
    written = row(1)
    written.exported_before = "2026-11-22T10:00:00.000Z"
    feed.put_rows([written])
    [read] = feed.get_rows([written.key], fields=("batch", "invalid", "deleted", "exported_before"))
    assert (read.sku, read.store_view_code, read.batch, read.invalid, read.deleted, read.exported_before) == \
        ("SKU-0001", "default", "run-1/00001", None, False, "2026-11-22T10:00:00.000Z")
    assert (read.document, read.hash, read.name, read.price) == ("", "", None, None)


def test_states_of_many_keys_in_batches(stores):
    feed, _, _, _ = stores
    feed.put_rows(row(i) for i in range(130))
    keys = [RowKey(f"SKU-{i:04d}", "default") for i in range(140)]
    states = feed.states(keys + keys[:5])
    assert len(states) == 130
    assert states[keys[0]] == StoredState(row(0).hash, False, "run-1/00001", False, None)


def test_a_write_of_many_rows_stores_each_and_a_row_given_twice_as_given_last(stores):
    # given: more rows than several write requests carry; two of them twice, an older version first (one in
    # requests apart, one in the same request)
    feed, _, _, _ = stores
    older, newer = row(7, batch="run-1/00001", price=10.0), row(7, batch="run-1/00002", price=12.0)
    first, last = row(8, batch="run-1/00001", price=10.0), row(8, batch="run-1/00002", price=13.0)
    # when
    feed.put_rows([older, *(row(i) for i in range(100, 230)), newer, first, last])
    # then
    assert len(feed.all_states()) == 132
    stored = {r.key: r for r in feed.get_rows([older.key, first.key])}
    assert (stored[older.key].batch, stored[older.key].price, stored[older.key].hash) == \
        ("run-1/00002", 12.0, newer.hash)
    assert (stored[first.key].batch, stored[first.key].price, stored[first.key].hash) == \
        ("run-1/00002", 13.0, last.hash)


def test_a_failed_row_write_is_raised_once_no_request_is_in_flight(aws, monkeypatch):
    # given: the write request that carries SKU-0160 fails (one of six)
    feed = DynamoFeedStore("products")
    attempts = []
    put = DynamoFeedStore._put

    def failing_put(self, items):
        attempts.append(len(items))  # list.append is atomic: the writers may call at once
        if {"S": "SKU-0160"} in (item["item_id"] for item in items):
            raise RuntimeError("a write failed")
        put(self, items)

    monkeypatch.setattr(DynamoFeedStore, "_put", failing_put)
    # when / then: the failure is raised once every request has been made and answered
    with pytest.raises(RuntimeError, match="a write failed"):
        feed.put_rows(row(i) for i in range(100, 230))
    assert sorted(attempts) == [5, 25, 25, 25, 25, 25]
    assert len(feed.all_states()) == 105  # the other requests' rows: each names a batch recorded before it


def test_the_rows_of_one_feed_are_not_another_feeds(stores):
    feed, _, _, _ = stores
    if isinstance(feed, DynamoFeedStore):  # one table holds every feed's rows
        DynamoFeedStore("prices").put_rows([row(1)])
        assert set(DynamoFeedStore("prices").all_states()) == {RowKey("SKU-0001", "default")}
    feed.put_rows([row(2)])
    assert set(feed.all_states()) == {RowKey("SKU-0002", "default")}
    assert feed.get_rows([RowKey("SKU-0001", "default")]) == []


def test_the_rows_of_one_id_in_every_scope_of_the_feed(stores):
    feed, _, _, _ = stores
    feed.put_rows([row(1), row(1, "french"), row(2)])
    if isinstance(feed, DynamoFeedStore):  # the same id in another feed is not this feed's
        DynamoFeedStore("prices").put_rows([row(1)])
    found = feed.rows_of_id("SKU-0001")
    assert sorted(r.key for r in found) == [RowKey("SKU-0001", "default"), RowKey("SKU-0001", "french")]
    assert next(r for r in found if r.scope == "default") == row(1)
    assert feed.rows_of_id("SKU-0009") == []


def test_an_invalid_record_keeps_the_last_good_document_and_batch_until_the_row_is_rewritten(stores):
    feed, _, _, _ = stores
    good = row(1)
    feed.put_rows([good])
    feed.record_invalid(good.key, Failure("invalid_record.price", "price is not a number: 'x'"), "run-2",
                        {"name": "Other", "product_id": 1})
    feed.record_invalid(RowKey("#9", "default"), Failure("invalid_record.sku", "missing sku"), "run-2",
                        {"name": "No Sku", "product_id": 9})
    rows = {r.key: r for r in feed.get_rows([good.key, RowKey("#9", "default")])}  # batch reads are unordered
    kept, new = rows[good.key], rows[RowKey("#9", "default")]
    assert (kept.document, kept.name, kept.batch, kept.invalid) == \
        (good.document, "Product 1", "run-1/00001", Failure("invalid_record.price", "price is not a number: 'x'"))
    assert (new.name, new.product_id, new.document, new.invalid.code) == ("No Sku", 9, "", "invalid_record.sku")
    assert feed.states([good.key])[good.key].invalid
    feed.put_rows([row(1, batch="run-3/00001")])  # valid again, in a new batch
    assert feed.get_rows([good.key])[0].invalid is None and not feed.states([good.key])[good.key].invalid


# Batches

def batch(number, keys, run_id="run-1", status=OPEN, named=True):
    return BatchOutcome(batch_id(run_id, number), "products", status, tuple(keys), named=named)


ONE, TWO, THREE = (RowKey(f"SKU-000{i}", "default") for i in (1, 2, 3))


def test_batches_are_created_with_their_keys_and_open_ones_are_in_the_outbox(stores):
    _, runs, _, batches = stores
    runs.create(new_run())
    batches.create([batch(1, [ONE, TWO]), batch(2, [THREE], status=HELD), batch(1, [ONE], run_id="run-0")])
    found = batches.outcomes(["run-1/00001", "run-1/00002", "run-1/00009"])
    assert set(found) == {"run-1/00001", "run-1/00002"}
    assert (found["run-1/00001"].keys, found["run-1/00001"].status, found["run-1/00002"].status) == \
        ((ONE, TWO), OPEN, HELD)
    assert [b.batch_id for b in batches.outbox("products")] == ["run-0/00001", "run-1/00001", "run-1/00002"]
    assert batches.outbox("prices") == [] and batches.needing_attention("products") == []


def test_a_batch_settles_once_with_its_run_counters(stores):
    _, runs, _, batches = stores
    run = new_run()
    runs.create(run)
    batches.create([batch(1, [ONE, TWO], run_id=run.run_id)])
    rejected = {TWO: Failure("destination.rejected", "invalid: name")}
    done = BatchOutcome(batch_id(run.run_id, 1), "products", DONE, (ONE, TWO), "2026-11-22T10:00:01.000Z",
                        rejected=rejected)
    counts = Settlement(1, 1, {"destination.rejected": 1},
                        {"destination.rejected": [{"id": "SKU-0002", "scope": "default", "message": "invalid: name"}]})
    assert batches.settle(done, counts)
    assert not batches.settle(done, counts)  # a redelivered message counts nothing
    stored = batches.outcomes([done.batch_id])[done.batch_id]
    assert (stored.status, stored.finished_at, stored.rejected) == (DONE, "2026-11-22T10:00:01.000Z", rejected)
    assert batches.outbox("products") == [] and [b.batch_id for b in batches.needing_attention("products")] == \
        [done.batch_id]
    counted = runs.get(run.run_id)
    assert (counted.batches_done, counted.rows_exported, counted.rows_failed, counted.error_counts) == \
        (1, 1, 1, {"destination.rejected": 1})


def test_a_batch_failed_for_now_stays_in_the_outbox_until_retired_and_keeps_its_last_error(stores):
    _, runs, _, batches = stores
    run = new_run()
    runs.create(run)
    batches.create([batch(1, [ONE], run_id=run.run_id), batch(2, [TWO], run_id=run.run_id)])
    first, second = batch_id(run.run_id, 1), batch_id(run.run_id, 2)
    batches.note_error(first, Failure("destination.unavailable", "the destination answered 503"))
    assert batches.last_error(first) == Failure("destination.unavailable", "the destination answered 503")
    assert batches.last_error(second) is None
    failure = Failure("destination.unavailable", "the destination answered 503")
    assert batches.settle(BatchOutcome(first, "products", FAILED, (ONE,), "t", failure=failure, retryable=True),
                          Settlement(0, 1, {"destination.unavailable": 1}, batch_failed=True))
    assert batches.settle(BatchOutcome(second, "products", FAILED, (TWO,), "t", failure=failure, retryable=False),
                          Settlement(0, 1, {"destination.unavailable": 1}, batch_failed=True))
    assert [b.batch_id for b in batches.outbox("products")] == [first]
    assert [b.batch_id for b in batches.needing_attention("products")] == [second]
    assert batches.outcomes([first])[first].failure == failure and batches.outcomes([first])[first].retryable
    batches.retire([first, second], "t2")
    assert batches.outbox("products") == [] and batches.needing_attention("products") == []
    assert batches.outcomes([first])[first].status == FAILED  # its record stands
    assert runs.get(run.run_id).batches_failed == 2


@pytest.fixture(params=["memory", "dynamodb"])
def journaled_batches(request):
    """(runs, batches, the search index whose journal the settlements write to)"""
    if request.param == "memory":
        runs, index = InMemoryRunStore(), InMemorySearchIndexStore()
        yield runs, InMemoryBatchStore(runs, journal=index), index
    else:
        request.getfixturevalue("aws")
        index = DynamoSearchIndexStore(SnapshotObjects(boto3.client("s3"), HUB_BUCKET))
        yield DynamoRunStore(), DynamoBatchStore(journal=index), index


def test_a_settlement_writes_its_journal_in_the_same_write_and_only_once(journaled_batches):
    runs, batches, index = journaled_batches
    run = new_run()
    runs.create(run)
    batches.create([batch(1, [ONE], run_id=run.run_id)])
    done = BatchOutcome(batch_id(run.run_id, 1), "products", DONE, (ONE,), "t")
    assert batches.settle(done, Settlement(1, 0), [b"first", b"second"])
    assert not batches.settle(done, Settlement(1, 0), [b"again"])  # a redelivered message journals nothing
    orphan = BatchOutcome(batch_id("no-such-run", 1), "products", DONE, (ONE,), "t")
    assert not batches.settle(orphan, Settlement(1, 0), [b"orphan"])  # nothing written: not its journal either
    assert [record.data for record in index.journal()] == [b"first", b"second"]
    assert runs.get(run.run_id).batches_done == 1


def test_a_batch_of_a_run_that_does_not_exist_is_not_settled(stores):
    _, _, _, batches = stores
    outcome = BatchOutcome(batch_id("no-such-run", 1), "products", DONE, (ONE,), "t")
    assert not batches.settle(outcome, Settlement(1, 0))


# Runs

def new_run(seconds=0):
    from datetime import timedelta
    return start_run("products", "cli", "full", NOW + timedelta(seconds=seconds), 3600)


def test_runs_are_created_and_the_latest_is_found(stores):
    _, runs, _, _ = stores
    first, second = new_run(), new_run(5)
    runs.create(first)
    runs.create(second)
    assert runs.get(first.run_id) == first
    assert runs.latest("products").run_id == second.run_id
    assert runs.latest("prices") is None
    assert runs.get("nope") is None


def test_exactly_one_writer_finishes_a_run(stores):
    _, runs, _, _ = stores
    run = new_run()
    runs.create(run)
    assert runs.finish(run.run_id, SUCCESS, None, "t1")
    assert not runs.finish(run.run_id, RUN_FAILED, "late", "t2")
    assert (runs.get(run.run_id).status, runs.get(run.run_id).finished_at) == (SUCCESS, "t1")


# Control

def test_the_lock_is_a_lease(stores):
    _, _, control, _ = stores
    control.locks.acquire("products", "run-1", "2026-11-22T10:00:00.000Z", "2026-11-22T11:00:00.000Z")
    with pytest.raises(LockHeldError) as held:
        control.locks.acquire("products", "run-2", "2026-11-22T10:30:00.000Z", "2026-11-22T11:30:00.000Z")
    assert held.value.run_id == "run-1"
    control.locks.release("products", "run-2")  # not the holder: nothing happens
    assert control.locks.holder("products").run_id == "run-1"
    # Past its expiry the lease can be taken over.
    control.locks.acquire("products", "run-3", "2026-11-22T11:00:01.000Z", "2026-11-22T12:00:00.000Z")
    control.locks.release("products", "run-3")
    assert control.locks.holder("products") is None


def test_a_lock_released_while_it_was_refused_is_taken(aws, monkeypatch):
    """On DynamoDB, a run that just ended may let go of its lock between another's conditional put and its read of
    the holder (the CLI reads Success before the finisher releases the lock): the lock is free, so it is taken."""
    control = dynamo_control()
    control.locks.acquire("products", "run-1", "2026-11-22T10:00:00.000Z", "2026-11-22T11:00:00.000Z")
    locks = type(control.locks)
    holder = locks.holder

    def released_meanwhile(self, feed):
        self.release(feed, "run-1")
        monkeypatch.setattr(locks, "holder", holder)
        return holder(self, feed)
    monkeypatch.setattr(locks, "holder", released_meanwhile)
    control.locks.acquire("products", "run-2", "2026-11-22T10:00:05.000Z", "2026-11-22T11:00:05.000Z")
    assert control.locks.holder("products").run_id == "run-2"


def test_feed_state_totals_and_watermark(stores):
    _, _, control, _ = stores
    assert control.feed_states.get("products").watermark is None
    control.feed_states.record_catalog("products", 60, 30, absolute=True)
    control.feed_states.record_catalog("products", 3, 1, absolute=False)
    control.feed_states.record_success("products", "run-1", "t", "2026-11-22T10:00:00.000Z")
    control.feed_states.record_success("products", "run-2", "t2", None)
    state = control.feed_states.get("products")
    assert (state.rows_total, state.products_total, state.watermark, state.last_success_run_id) == \
        (63, 31, "2026-11-22T10:00:00.000Z", "run-2")


def test_the_cooldown_admits_one_force_sync_per_window(stores):
    _, _, control, _ = stores
    control.cooldowns.claim("products", "2026-11-22T10:00:00.000Z", "2026-11-22T09:45:00.000Z")
    with pytest.raises(CooldownActiveError) as cooling:
        control.cooldowns.claim("products", "2026-11-22T10:05:00.000Z", "2026-11-22T09:50:00.000Z")
    assert cooling.value.last_forced_at == "2026-11-22T10:00:00.000Z"
    control.cooldowns.claim("products", "2026-11-22T10:16:00.000Z", "2026-11-22T10:01:00.000Z")
    assert control.cooldowns.started_at("products") == "2026-11-22T10:16:00.000Z"


def test_the_last_full_read_is_part_of_the_feed_state(stores):
    _, _, control, _ = stores
    assert control.feed_states.get("products").last_full_read_at is None
    control.feed_states.record_catalog("products", 6, 3, absolute=True)
    control.feed_states.record_full_read("products", "2026-11-22T10:00:00.000Z")
    state = control.feed_states.get("products")
    assert (state.last_full_read_at, state.rows_total) == ("2026-11-22T10:00:00.000Z", 6)


# Change events: the dirty set and the sync request

def test_dirty_entries_are_cleared_only_while_nobody_marked_them_again(stores):
    _, _, control, _ = stores
    control.dirty.mark("products", [DirtyEntry(sku="A", marked_at="t1", mark="m1"),
                                    DirtyEntry(sku="B", marked_at="t1", mark="m1"),
                                    DirtyEntry(product_id=7, marked_at="t1", mark="m1")])
    control.dirty.mark("prices", [DirtyEntry(sku="A", marked_at="t1", mark="m1")])  # another feed's set
    read = control.dirty.entries("products")
    assert sorted(read, key=repr) == sorted([DirtyEntry("A", None, "t1", "m1"), DirtyEntry("B", None, "t1", "m1"),
                                             DirtyEntry(None, 7, "t1", "m1")], key=repr)
    # An event during the run marks A again (same millisecond, another event: the mark differs).
    control.dirty.mark("products", [DirtyEntry(sku="A", marked_at="t1", mark="m2")])
    assert control.dirty.clear("products", read) == 2
    assert control.dirty.entries("products") == [DirtyEntry(sku="A", marked_at="t1", mark="m2")]
    assert control.dirty.clear("products", read) == 0  # clearing twice changes nothing
    assert control.dirty.entries("prices") == [DirtyEntry(sku="A", marked_at="t1", mark="m1")]


def test_a_burst_of_many_dirty_products(stores):
    _, _, control, _ = stores
    # More than one batch write (25 items) and one transaction (100 items); moto is too slow for thousands.
    entries = [DirtyEntry(sku=f"SKU-{i:05d}", marked_at="t1", mark="m1") for i in range(200)]
    entries += [DirtyEntry(product_id=i, marked_at="t1", mark="m1") for i in range(1, 51)]
    control.dirty.mark("products", entries + entries[:5])  # a key twice in one call is fine
    read = control.dirty.entries("products")
    assert len(read) == 250
    control.dirty.mark("products", [DirtyEntry(sku="SKU-00150", marked_at="t2", mark="m2")])
    assert control.dirty.clear("products", read) == 249
    assert control.dirty.entries("products") == [DirtyEntry(sku="SKU-00150", marked_at="t2", mark="m2")]


def test_one_sync_request_wins_until_it_is_cleared_or_goes_stale(stores):
    _, _, control, _ = stores
    assert control.requests.request("products", "2026-11-22T10:00:00.000Z", "2026-11-22T09:54:30.000Z")
    assert not control.requests.request("products", "2026-11-22T10:00:01.000Z", "2026-11-22T09:54:31.000Z")
    assert control.requests.request("prices", "2026-11-22T10:00:01.000Z", "2026-11-22T09:54:31.000Z")
    control.requests.clear("products")
    control.requests.clear("products")  # clearing what is not there is fine
    assert control.requests.request("products", "2026-11-22T10:00:02.000Z", "2026-11-22T09:54:32.000Z")
    # A request older than the window start was lost: the next one replaces it.
    assert control.requests.request("products", "2026-11-22T10:06:00.000Z", "2026-11-22T10:00:02.000Z")


def test_the_states_of_some_items_in_every_scope(stores):
    feed, _, _, _ = stores
    feed.put_rows([row(1), row(1, "french"), row(2), row(3, "french")])
    if isinstance(feed, DynamoFeedStore):  # another feed's row of the same item is not this feed's
        DynamoFeedStore("prices").put_rows([row(1, "default")])
    states = feed.states_of_ids(["SKU-0001", "SKU-0003", "SKU-0009", "SKU-0001"])
    assert set(states) == {RowKey("SKU-0001", "default"), RowKey("SKU-0001", "french"), RowKey("SKU-0003", "french")}
    assert states[RowKey("SKU-0003", "french")].hash == row(3, "french").hash
    assert feed.states_of_ids([]) == {}


def test_a_run_keeps_its_options_its_read_position_and_what_it_found(stores):
    _, runs, _, _ = stores
    options = ResyncOptions(force=True, ids=("A", "B"), batch_size=7, thread_count=3, resumes=("r0",),
                            resume_from="500", first_read_at="2026-11-22T09:00:00.000Z")
    run = start_run("products", "cli", "full", NOW, 3600, options)
    runs.create(run)
    assert runs.get(run.run_id).options == options
    runs.note_progress(run.run_id, 10, 2, "2026-11-22T10:00:05.000Z", read_position="700")
    runs.note_progress(run.run_id, 20, 2, "2026-11-22T10:00:10.000Z")  # no position: the last one stands
    assert runs.get(run.run_id).read_position == "700"
    run.rows_new, run.rows_updated, run.rows_unchanged, run.rows_seen = 3, 4, 5, 12
    run.read_position, run.read_complete, run.unknown_ids = "900", True, ("NOPE", "GONE")
    run.batches_total, run.sealed_at = 0, "2026-11-22T10:01:00.000Z"
    sealed = runs.seal(run)
    assert (sealed.rows_new, sealed.rows_updated, sealed.rows_unchanged, sealed.read_position, sealed.read_complete,
            sealed.unknown_ids, sealed.options) == (3, 4, 5, "900", True, ("NOPE", "GONE"), options)
    plain = start_run("products", "schedule", "partial", NOW, 3600)
    runs.create(plain)
    assert runs.get(plain.run_id).options == ResyncOptions() and not runs.get(plain.run_id).read_complete
