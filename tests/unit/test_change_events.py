"""Change events and the reconcile on in-memory fakes: dirty products, the debounced trigger, the schedule."""
import pytest

from chalicelib.domain.batches import DELETED, SUBMITTED
from chalicelib.domain.events import ChangeEvent
from chalicelib.domain.feed import RowKey
from chalicelib.domain.resync import ResyncOptions
from chalicelib.domain.runs import FAILED as RUN_FAILED
from chalicelib.domain.runs import SUCCESS, iso
from chalicelib.services.events import SyncRequestError, accept_change_event, run_requested_sync
from chalicelib.services.sync import scheduled_sync, start_sync
from tests.fakes import VIEWS, product, state_of
from tests.unit.test_sync_service import Clock, catalog, export_all, sync

TRIGGER_BODY = '{"feed": "products", "requested_at": "2026-11-22T10:00:00.000Z"}'


@pytest.fixture
def ctx(fake_ctx):
    fake_ctx.source.records = catalog(25)
    fake_ctx.clock = Clock()
    sync(fake_ctx)  # the first (full) sync: every row exported
    fake_ctx.clock.advance(minutes=5)
    return fake_ctx


def event(skus=(), ids=(), deleted_skus=()):
    return ChangeEvent("products", tuple(skus), tuple(ids), tuple(deleted_skus))


def dirty_skus(ctx):
    """The dirty set: SKUs, and ids as 'id N'."""
    return sorted(entry.sku or f"id {entry.product_id}" for entry in ctx.control.dirty.entries("products"))


def set_record(ctx, i, view, **overrides):
    """Change a product in the source without touching updated_at (as a stock or mass update does)."""
    index = next(n for n, r in enumerate(ctx.source.records) if r["product_id"] == i and r["store_view_code"] == view)
    ctx.source.records[index] = product(i, view, **overrides)


def remove(ctx, sku, views=None):
    ctx.source.records = [r for r in ctx.source.records
                          if not (r["sku"] == sku and (views is None or r["store_view_code"] in views))]


def event_sync(ctx):
    """The trigger message arrives: the handler's service runs, then the exporters."""
    sent_before = len(ctx.destination.rows)
    run = run_requested_sync(ctx, TRIGGER_BODY)
    export_all(ctx)
    return (ctx.runs.get(run.run_id) if run else None), ctx.destination.rows[sent_before:]


# Accepting events

def test_an_event_marks_its_products_dirty_and_requests_one_delayed_sync(ctx, fake_trigger):
    result = accept_change_event(ctx, fake_trigger, event(["SKU-0001", "SKU-0002"], [3], ["SKU-0002"]))
    assert result == {"accepted": 3, "sync": "scheduled"}
    assert dirty_skus(ctx) == ["SKU-0001", "SKU-0002", "id 3"]
    assert fake_trigger.requests == [{"feed": "products", "requested_at": iso(ctx.clock.now), "delay_seconds": 30}]


def test_a_burst_of_events_sends_exactly_one_trigger_message(ctx, fake_trigger):
    answers = [accept_change_event(ctx, fake_trigger, event([f"SKU-{i:04d}"]))["sync"] for i in range(20)]
    assert answers == ["scheduled"] + ["already scheduled"] * 19
    assert len(fake_trigger.requests) == 1
    assert len(ctx.control.dirty.entries("products")) == 20
    # Once the sync starts, the next event requests a sync of its own.
    event_sync(ctx)
    assert accept_change_event(ctx, fake_trigger, event(["SKU-0001"]))["sync"] == "scheduled"
    assert len(fake_trigger.requests) == 2


def test_a_request_whose_message_never_arrived_goes_stale(ctx, fake_trigger):
    accept_change_event(ctx, fake_trigger, event(["SKU-0001"]))
    ctx.clock.advance(seconds=30 + 299)
    assert accept_change_event(ctx, fake_trigger, event(["SKU-0001"]))["sync"] == "already scheduled"
    ctx.clock.advance(seconds=2)
    assert accept_change_event(ctx, fake_trigger, event(["SKU-0001"]))["sync"] == "scheduled"


def test_when_the_trigger_cannot_be_sent_the_request_is_withdrawn_and_the_products_stay_dirty(ctx, fake_trigger):
    fake_trigger.fail_with = "SQS is down"
    with pytest.raises(SyncRequestError, match="marked dirty but the sync could not be scheduled"):
        accept_change_event(ctx, fake_trigger, event(["SKU-0001"]))
    assert dirty_skus(ctx) == ["SKU-0001"]
    fake_trigger.fail_with = None
    assert accept_change_event(ctx, fake_trigger, event(["SKU-0002"]))["sync"] == "scheduled"


# The debounced sync

def test_the_trigger_runs_a_partial_sync_that_exports_exactly_the_dirty_products(ctx, fake_trigger):
    for i in (1, 3, 7):  # stock changes: updated_at stays as it was, a partial read would miss them
        for view in VIEWS:
            set_record(ctx, i, view.code, quantity=0, salable_quantity=0, in_stock=False)
    accept_change_event(ctx, fake_trigger, event(["SKU-0001", "SKU-0002"], [3]))
    run, sent = event_sync(ctx)
    assert (run.trigger, run.mode, run.status) == ("events", "partial", SUCCESS)
    assert sorted(row.key for row in sent) == [RowKey(sku, view.code) for sku in ("SKU-0001", "SKU-0003")
                                               for view in sorted(VIEWS, key=lambda v: v.code)]
    assert run.rows_seen == 6  # SKU-0002 was re-read, unchanged; SKU-0007 is not dirty
    assert ctx.control.dirty.entries("products") == [] and ctx.control.requests.standing == {}


def test_a_product_both_changed_and_dirty_is_read_once(ctx, fake_trigger):
    changed_at = iso(ctx.clock.now)
    for view in VIEWS:
        set_record(ctx, 4, view.code, name="Renamed", updated_at=changed_at)
    accept_change_event(ctx, fake_trigger, event(["SKU-0004", "SKU-0005"], [4]))
    run, sent = event_sync(ctx)
    assert ctx.source.reads[-1] == ("by key", ["SKU-0005"], [])
    assert run.rows_seen == 4 and {row.key.sku for row in sent} == {"SKU-0004"}


def test_a_deletion_event_for_a_vanished_product_sends_deletions(ctx, fake_trigger):
    remove(ctx, "SKU-0004")
    remove(ctx, "SKU-0005", views={"french"})  # gone from one store view only
    accept_change_event(ctx, fake_trigger, event(deleted_skus=["SKU-0004", "SKU-0005"]))
    run, sent = event_sync(ctx)
    assert run.rows_deleted == 3
    assert sorted((row.key, row.document["deleted"]) for row in sent) == [
        (RowKey("SKU-0004", "default"), True), (RowKey("SKU-0004", "french"), True),
        (RowKey("SKU-0005", "french"), True)]
    assert state_of(ctx, RowKey("SKU-0004", "french")).status == DELETED
    assert state_of(ctx, RowKey("SKU-0005", "default")).status == SUBMITTED
    state = ctx.control.feed_states.get("products")
    assert (state.products_total, state.rows_total) == (24, 47)


def test_a_deleted_sku_the_source_still_returns_is_re_read_not_deleted(ctx, fake_trigger):
    accept_change_event(ctx, fake_trigger, event(deleted_skus=["SKU-0006"]))
    run, sent = event_sync(ctx)
    assert (run.status, run.rows_seen, run.rows_deleted, sent) == (SUCCESS, 2, 0, [])
    assert not ctx.rows("products").rows[RowKey("SKU-0006", "default")].deleted
    assert ctx.control.dirty.entries("products") == []


def test_an_event_arriving_while_a_run_is_in_flight_survives_the_run(ctx, fake_trigger, monkeypatch):
    accept_change_event(ctx, fake_trigger, event(["SKU-0001", "SKU-0002"]))
    read_by_key = ctx.source.products_by_key

    def events_during_the_read(skus, ids):
        # Mid-run: SKU-0001 changes again and is marked again; SKU-0009 is marked for the first time.
        for view in VIEWS:
            set_record(ctx, 1, view.code, name="Changed during the run")
        ctx.clock.advance(seconds=1)
        accept_change_event(ctx, fake_trigger, event(["SKU-0001", "SKU-0009"]))
        return read_by_key(skus, ids)
    monkeypatch.setattr(ctx.source, "products_by_key", events_during_the_read)
    run, _ = event_sync(ctx)
    assert run.status == SUCCESS
    assert dirty_skus(ctx) == ["SKU-0001", "SKU-0009"]  # SKU-0002 was read and cleared; the others stay
    assert len(fake_trigger.requests) == 2  # the mid-run event requested the next sync
    monkeypatch.undo()
    ctx.clock.advance(seconds=30)
    run, _sent = event_sync(ctx)
    assert dirty_skus(ctx) == []
    assert run.rows_seen == 4


def test_while_a_run_holds_the_lock_the_event_sync_is_skipped_and_the_products_stay_dirty(ctx, fake_trigger):
    holder = start_sync(ctx, trigger="cli", mode="full", options=ResyncOptions(force=True))
    accept_change_event(ctx, fake_trigger, event(["SKU-0001"]))
    assert run_requested_sync(ctx, TRIGGER_BODY) is None
    assert dirty_skus(ctx) == ["SKU-0001"]
    assert ctx.control.requests.standing == {}  # the next event may request again
    assert ctx.runs.latest("products").run_id == holder.run_id


def test_a_failed_reindex_keeps_the_dirty_products(ctx, fake_trigger):
    accept_change_event(ctx, fake_trigger, event(["SKU-0001"]))
    ctx.source.fail_with = "Magento returned 503"
    run, _ = event_sync(ctx)
    assert (run.status, run.error) == (RUN_FAILED, "Magento returned 503")
    assert dirty_skus(ctx) == ["SKU-0001"]


def test_a_full_resync_reads_the_dirty_products_too_and_clears_them(ctx, fake_trigger):
    accept_change_event(ctx, fake_trigger, event(["SKU-0001"], [2]))
    sync(ctx, mode="full")
    assert dirty_skus(ctx) == []


def test_an_unreadable_trigger_message_is_dropped(ctx):
    assert run_requested_sync(ctx, "not json") is None
    assert run_requested_sync(ctx, '{"feed": "stocks"}') is None


# The reconcile

def test_the_schedule_reconciles_when_the_last_full_read_is_older_than_the_interval(ctx):
    first_read = ctx.control.feed_states.get("products").last_full_read_at
    assert first_read is not None  # the first (full) sync counts
    ctx.clock.advance(hours=23)
    assert scheduled_sync(ctx).mode == "partial"
    export_all(ctx)
    ctx.clock.advance(hours=1, minutes=1)
    run = scheduled_sync(ctx)
    export_all(ctx)
    assert (run.mode, ctx.runs.get(run.run_id).status) == ("reconcile", SUCCESS)
    assert ctx.control.feed_states.get("products").last_full_read_at == run.source_read_at > first_read
    ctx.clock.advance(hours=1)
    assert scheduled_sync(ctx).mode == "partial"


def test_a_full_resync_counts_as_a_full_read(ctx):
    ctx.clock.advance(hours=23)
    run = sync(ctx, mode="full")
    ctx.clock.advance(hours=2)
    assert ctx.control.feed_states.get("products").last_full_read_at == run.source_read_at
    assert scheduled_sync(ctx).mode == "partial"


def test_a_reconcile_sends_only_changed_rows_and_deletions(ctx):
    for view in VIEWS:
        set_record(ctx, 1, view.code, quantity=0, salable_quantity=0, in_stock=False)  # updated_at unchanged
    remove(ctx, "SKU-0002")
    sent_before = len(ctx.destination.rows)
    ctx.clock.advance(days=2)
    run = scheduled_sync(ctx)
    export_all(ctx)
    sent = ctx.destination.rows[sent_before:]
    assert run.mode == "reconcile"
    assert sorted((row.key.sku, row.document["deleted"]) for row in sent) == [
        ("SKU-0001", False), ("SKU-0001", False), ("SKU-0002", True), ("SKU-0002", True)]
    run = ctx.runs.get(run.run_id)
    assert (run.status, run.rows_seen, run.rows_changed, run.rows_deleted) == (SUCCESS, 48, 4, 2)
    assert ctx.control.feed_states.get("products").products_total == 24


def test_a_failed_reconcile_is_not_a_full_read(ctx):
    before = ctx.control.feed_states.get("products").last_full_read_at
    ctx.source.fail_with = "Magento returned 503"
    ctx.clock.advance(days=2)
    assert scheduled_sync(ctx).status == RUN_FAILED
    assert ctx.control.feed_states.get("products").last_full_read_at == before
