"""One contract for each store port, run against the in-memory fake and against DynamoDB (moto)."""
import pytest

from chalicelib.adapters.dynamo_control import dynamo_control
from chalicelib.adapters.dynamo_feed import DynamoFeedStore
from chalicelib.adapters.dynamo_runs import DynamoRunStore
from chalicelib.adapters.journaled_feed import JournaledFeedStore
from chalicelib.domain.errors import CooldownActiveError, LockHeldError
from chalicelib.domain.events import DirtyEntry
from chalicelib.domain.feed import DELETED, EXPORTED, FAILED, NOT_EXPORTED, PENDING, RowKey
from chalicelib.domain.feeds.products import build_row
from chalicelib.domain.runs import FAILED as RUN_FAILED
from chalicelib.domain.runs import SUCCESS, start_run
from chalicelib.ports import ExportMark
from tests.fakes import (
    VIEWS,
    InMemoryFeedStore,
    InMemoryRunStore,
    InMemorySearchIndexStore,
    in_memory_control,
    product,
)
from tests.unit.test_runs import NOW

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


@pytest.fixture(params=["memory", "dynamodb", "journaled"])
def stores(request):
    if request.param == "memory":
        yield InMemoryFeedStore(), InMemoryRunStore(), in_memory_control()
    elif request.param == "journaled":  # the feed rows as the container wires them: each write also journaled
        yield JournaledFeedStore(InMemoryFeedStore(), InMemorySearchIndexStore()), InMemoryRunStore(), \
            in_memory_control()
    else:
        request.getfixturevalue("aws")
        yield DynamoFeedStore("products"), DynamoRunStore(), dynamo_control()


def row(i, view="default", status=PENDING, **overrides):
    built = build_row(product(i, view, **overrides), VIEWS_BY_CODE)
    built.export_status = status
    return built


# Feed rows

def test_rows_round_trip_with_every_field(stores):
    feed, _, _ = stores
    written = row(1)
    written.run_id = "run-1"
    feed.put_rows([written, row(2, "french")])
    [read] = feed.get_rows([RowKey("SKU-0001", "default")])
    assert read == written
    assert set(feed.all_states()) == {RowKey("SKU-0001", "default"), RowKey("SKU-0002", "french")}
    assert {r.key for r in feed.iter_rows()} == set(feed.all_states())


def test_rows_can_be_read_with_only_some_fields(stores):
    feed, _, _ = stores
    written = row(1, status=FAILED)
    written.error, written.last_exported_at = "invalid: no", "2026-11-22T10:00:00.000Z"
    feed.put_rows([written])
    [read] = feed.get_rows([written.key], fields=("export_status", "error", "last_exported_at"))
    assert (read.sku, read.store_view_code, read.export_status, read.error, read.last_exported_at) == \
        ("SKU-0001", "default", FAILED, "invalid: no", "2026-11-22T10:00:00.000Z")
    assert (read.document, read.hash, read.name, read.price) == ("", "", None, None)


def test_states_of_many_keys_in_batches(stores):
    feed, _, _ = stores
    feed.put_rows(row(i) for i in range(130))
    keys = [RowKey(f"SKU-{i:04d}", "default") for i in range(140)]
    states = feed.states(keys + keys[:5])
    assert len(states) == 130
    assert states[keys[0]].hash == row(0).hash and states[keys[0]].export_status == PENDING


def test_the_outbox_holds_pending_and_not_exported_rows(stores):
    feed, _, _ = stores
    feed.put_rows([row(1), row(2, status=NOT_EXPORTED), row(3, status=EXPORTED)])
    assert sorted(feed.outbox()) == [RowKey("SKU-0001", "default"), RowKey("SKU-0002", "default")]


def test_marks_apply_only_while_the_row_has_the_sent_hash(stores):
    feed, _, _ = stores
    feed.put_rows([row(1), row(2), row(3)])
    sent = [ExportMark(RowKey(f"SKU-000{i}", "default"), row(i).hash) for i in (1, 2, 3)]
    feed.put_rows([row(2, name="changed meanwhile")])  # a concurrent reindex
    assert feed.mark_exported(sent, "2026-11-22T10:00:00.000Z") == 2
    rows = {r.key.sku: r for r in feed.get_rows(m.key for m in sent)}
    assert rows["SKU-0001"].export_status == EXPORTED
    assert rows["SKU-0001"].last_exported_hash == row(1).hash
    assert rows["SKU-0001"].last_exported_at == "2026-11-22T10:00:00.000Z"
    assert rows["SKU-0002"].export_status == PENDING
    assert feed.outbox() == [RowKey("SKU-0002", "default")]


def test_marks_go_in_transactions_of_at_most_100(stores):
    feed, _, _ = stores
    feed.put_rows(row(i) for i in range(250))
    marks = [ExportMark(RowKey(f"SKU-{i:04d}", "default"), row(i).hash) for i in range(250)]
    assert feed.mark_exported(marks, "2026-11-22T10:00:00.000Z") == 250
    assert feed.outbox() == []


def test_a_deletion_marked_exported_is_deleted(stores):
    feed, _, _ = stores
    feed.put_rows([row(1)])
    feed.mark_exported([ExportMark(RowKey("SKU-0001", "default"), row(1).hash, deleted=True)], "t")
    assert feed.get_rows([RowKey("SKU-0001", "default")])[0].export_status == DELETED


def test_failed_marks_keep_the_reason_and_retryable_rows_stay_in_the_outbox(stores):
    feed, _, _ = stores
    feed.put_rows([row(1), row(2)])
    one, two = RowKey("SKU-0001", "default"), RowKey("SKU-0002", "default")
    feed.mark_failed([ExportMark(one, row(1).hash)], {one: "will retry: 503"}, retryable=True)
    feed.mark_failed([ExportMark(two, row(2).hash)], {two: "invalid: bad name"}, retryable=False)
    rows = {r.key: r for r in feed.get_rows([one, two])}
    assert (rows[one].export_status, rows[one].error) == (FAILED, "will retry: 503")
    assert rows[two].error == "invalid: bad name"
    assert feed.outbox() == [one]


def test_an_invalid_record_keeps_the_last_good_document(stores):
    feed, _, _ = stores
    good = row(1)
    feed.put_rows([good])
    feed.record_invalid(good.key, "price is not a number: 'x'", "run-2", {"name": "Other", "product_id": 1})
    feed.record_invalid(RowKey("#9", "default"), "missing sku", "run-2", {"name": "No Sku", "product_id": 9})
    rows = {r.key: r for r in feed.get_rows([good.key, RowKey("#9", "default")])}  # batch reads are unordered
    kept, new = rows[good.key], rows[RowKey("#9", "default")]
    assert (kept.document, kept.name, kept.export_status, kept.error) == \
        (good.document, "Product 1", FAILED, "price is not a number: 'x'")
    assert (new.name, new.product_id, new.document, new.export_status) == ("No Sku", 9, "", FAILED)
    assert feed.outbox() == []


# Runs

def new_run(seconds=0):
    from datetime import timedelta
    return start_run("products", "cli", "full", NOW + timedelta(seconds=seconds), 3600)


def test_runs_are_created_and_the_latest_is_found(stores):
    _, runs, _ = stores
    first, second = new_run(), new_run(5)
    runs.create(first)
    runs.create(second)
    assert runs.get(first.run_id) == first
    assert runs.latest("products").run_id == second.run_id
    assert runs.latest("prices") is None
    assert runs.get("nope") is None


def test_batches_count_once_and_counters_add_up(stores):
    _, runs, _ = stores
    run = new_run()
    runs.create(run)
    run.batches_total, run.rows_invalid, run.error_counts = 3, 2, {"missing sku": 2}
    assert runs.record_batch(run.run_id, 1, 10, 0, {}, batch_failed=False)
    sealed = runs.seal(run)
    assert (sealed.batches_total, sealed.batches_done, sealed.rows_failed) == (3, 1, 2)
    assert not runs.record_batch(run.run_id, 1, 10, 0, {}, batch_failed=False)
    assert runs.record_batch(run.run_id, 2, 8, 2, {"invalid": 2}, batch_failed=False)
    runs.note_batch_error(run.run_id, 3, "timeout")
    assert runs.batch_error(run.run_id, 3) == "timeout"
    assert runs.record_batch(run.run_id, 3, 0, 10, {"will retry: timeout": 10}, batch_failed=True)
    stored = runs.get(run.run_id)
    assert (stored.batches_done, stored.batches_failed, stored.rows_exported, stored.rows_failed) == (2, 1, 18, 14)
    assert stored.error_counts == {"missing sku": 2, "invalid": 2, "will retry: timeout": 10}
    assert stored.complete


def test_exactly_one_writer_finishes_a_run(stores):
    _, runs, _ = stores
    run = new_run()
    runs.create(run)
    assert runs.finish(run.run_id, SUCCESS, None, "t1")
    assert not runs.finish(run.run_id, RUN_FAILED, "late", "t2")
    assert (runs.get(run.run_id).status, runs.get(run.run_id).finished_at) == (SUCCESS, "t1")


# Control

def test_the_lock_is_a_lease(stores):
    _, _, control = stores
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


def test_feed_state_totals_and_watermark(stores):
    _, _, control = stores
    assert control.feed_states.get("products").watermark is None
    control.feed_states.record_catalog("products", 60, 30, absolute=True)
    control.feed_states.record_catalog("products", 3, 1, absolute=False)
    control.feed_states.record_success("products", "run-1", "t", "2026-11-22T10:00:00.000Z")
    control.feed_states.record_success("products", "run-2", "t2", None)
    state = control.feed_states.get("products")
    assert (state.rows_total, state.products_total, state.watermark, state.last_success_run_id) == \
        (63, 31, "2026-11-22T10:00:00.000Z", "run-2")


def test_the_cooldown_admits_one_force_sync_per_window(stores):
    _, _, control = stores
    control.cooldowns.claim("products", "2026-11-22T10:00:00.000Z", "2026-11-22T09:45:00.000Z")
    with pytest.raises(CooldownActiveError) as cooling:
        control.cooldowns.claim("products", "2026-11-22T10:05:00.000Z", "2026-11-22T09:50:00.000Z")
    assert cooling.value.last_forced_at == "2026-11-22T10:00:00.000Z"
    control.cooldowns.claim("products", "2026-11-22T10:16:00.000Z", "2026-11-22T10:01:00.000Z")
    assert control.cooldowns.started_at("products") == "2026-11-22T10:16:00.000Z"


def test_the_last_full_read_is_part_of_the_feed_state(stores):
    _, _, control = stores
    assert control.feed_states.get("products").last_full_read_at is None
    control.feed_states.record_catalog("products", 6, 3, absolute=True)
    control.feed_states.record_full_read("products", "2026-11-22T10:00:00.000Z")
    state = control.feed_states.get("products")
    assert (state.last_full_read_at, state.rows_total) == ("2026-11-22T10:00:00.000Z", 6)


# Change events: the dirty set and the sync request

def test_dirty_entries_are_cleared_only_while_nobody_marked_them_again(stores):
    _, _, control = stores
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
    _, _, control = stores
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
    _, _, control = stores
    assert control.requests.request("products", "2026-11-22T10:00:00.000Z", "2026-11-22T09:54:30.000Z")
    assert not control.requests.request("products", "2026-11-22T10:00:01.000Z", "2026-11-22T09:54:31.000Z")
    assert control.requests.request("prices", "2026-11-22T10:00:01.000Z", "2026-11-22T09:54:31.000Z")
    control.requests.clear("products")
    control.requests.clear("products")  # clearing what is not there is fine
    assert control.requests.request("products", "2026-11-22T10:00:02.000Z", "2026-11-22T09:54:32.000Z")
    # A request older than the window start was lost: the next one replaces it.
    assert control.requests.request("products", "2026-11-22T10:06:00.000Z", "2026-11-22T10:00:02.000Z")
