"""The run store's history, progress and error examples, and the cooldown's release: on the fake and on DynamoDB."""
from datetime import timedelta

import pytest

from chalicelib.domain.batches import DONE, BatchOutcome, batch_id
from chalicelib.domain.errors import CooldownActiveError
from chalicelib.domain.runs import start_run
from chalicelib.ports import Settlement
from tests.integration.test_store_contract import stores  # noqa: F401 - the fixture
from tests.unit.test_runs import NOW


def new_run(seconds=0, feed="products"):
    return start_run(feed, "schedule", "partial", NOW + timedelta(seconds=seconds), 3600)


def test_runs_are_listed_newest_first_page_by_page(stores):  # noqa: F811
    _, runs, _, _ = stores
    created = [new_run(seconds) for seconds in range(7)]
    for run in created:
        runs.create(run)
    runs.create(new_run(3, feed="prices"))
    newest_first = [run.run_id for run in reversed(created)]
    seen, after = [], None
    for _ in range(4):
        page, after = runs.list_runs("products", 3, after)
        seen += [run.run_id for run in page]
        if after is None:
            break
    assert seen == newest_first
    first, after = runs.list_runs("products", 10)
    assert [run.run_id for run in first] == newest_first and after is None
    assert runs.list_runs("none", 5) == ([], None)


def test_progress_is_noted_and_a_reindex_is_claimed_once(stores):  # noqa: F811
    _, runs, _, _ = stores
    run = new_run()
    runs.create(run)
    assert runs.claim_reindex(run.run_id, "2026-11-22T10:00:01.000Z")
    assert not runs.claim_reindex(run.run_id, "2026-11-22T10:00:02.000Z")  # a redelivered message
    assert not runs.claim_reindex("no-such-run", "2026-11-22T10:00:02.000Z")
    runs.note_progress(run.run_id, 1500, 40, "2026-11-22T10:00:05.000Z")
    stored = runs.get(run.run_id)
    assert (stored.rows_seen, stored.rows_changed, stored.progress_at) == (1500, 40, "2026-11-22T10:00:05.000Z")


def test_each_code_keeps_the_examples_it_got_first(stores):  # noqa: F811
    _, runs, _, batches = stores
    run = new_run()
    runs.create(run)
    rejected = [{"id": f"SKU-{i}", "scope": "default", "message": "invalid: name"} for i in range(3)]
    for number, exported, failed, examples in ((1, 7, 3, rejected),
                                               (2, 9, 1, [{"id": "SKU-9", "scope": "french", "message": "x"}])):
        outcome = BatchOutcome(batch_id(run.run_id, number), "products", DONE, (), "t")
        assert batches.settle(outcome, Settlement(exported, failed, {"destination.rejected": failed},
                                                  {"destination.rejected": examples}))
    run.batches_total, run.rows_invalid, run.sealed_at = 2, 1, "2026-11-22T10:01:00.000Z"
    run.error_counts = {"invalid_record.sku": 1}
    run.error_examples = {"invalid_record.sku": [{"id": "#12", "scope": "default", "message": "missing sku"}]}
    sealed = runs.seal(run)
    assert sealed.error_examples == {
        "destination.rejected": rejected,
        "invalid_record.sku": [{"id": "#12", "scope": "default", "message": "missing sku"}]}
    assert sealed.error_counts == {"destination.rejected": 4, "invalid_record.sku": 1}
    assert sealed.sealed_at == "2026-11-22T10:01:00.000Z"
    assert runs.get(run.run_id).error_examples == sealed.error_examples


def test_a_released_cooldown_admits_the_next_force_sync_but_only_the_claim_itself_is_released(stores):  # noqa: F811
    _, _, control, _ = stores
    control.cooldowns.claim("products", "2026-11-22T10:00:00.000Z", "2026-11-22T09:45:00.000Z")
    control.cooldowns.release("products", "2026-11-22T09:59:00.000Z")  # not this claim: it stays
    with pytest.raises(CooldownActiveError):
        control.cooldowns.claim("products", "2026-11-22T10:01:00.000Z", "2026-11-22T09:46:00.000Z")
    control.cooldowns.release("products", "2026-11-22T10:00:00.000Z")
    assert control.cooldowns.started_at("products") is None
    control.cooldowns.claim("products", "2026-11-22T10:02:00.000Z", "2026-11-22T09:47:00.000Z")
    assert control.cooldowns.started_at("products") == "2026-11-22T10:02:00.000Z"


def test_dry_runs_are_in_the_history_only_and_keep_their_summary(stores):  # noqa: F811
    _, runs, _, _ = stores
    created = [new_run(seconds) for seconds in range(6)]
    for run in created[::2]:  # every other run is a dry run the API asked for
        run.dry_run = True
    for run in created:
        runs.create(run)
    real = [run.run_id for run in reversed(created) if not run.dry_run]
    assert [run.run_id for run in runs.list_runs("products", 10)[0]] == real  # what syncs and alarms read
    assert runs.latest("products").run_id == real[0]
    seen, after = [], None
    for _ in range(4):  # the history: newest first, dry runs among them, page by page
        page, after = runs.list_runs("products", 4, after, dry_runs=True)
        seen += [(run.run_id, run.dry_run, run.feed) for run in page]
        if after is None:
            break
    assert seen == [(run.run_id, run.dry_run, "products") for run in reversed(created)]
    dry = created[4]
    dry.rows_seen, dry.rows_new, dry.rows_unchanged, dry.batches_total = 12, 2, 10, 0
    dry.dry_run_send, dry.sealed_at = {"items": 2, "deletions": 0, "batches": 1, "bytes": 900}, "t"
    runs.seal(dry)
    stored = runs.get(dry.run_id)
    assert (stored.dry_run, stored.feed, stored.rows_new, stored.dry_run_send) == (
        True, "products", 2, {"items": 2, "deletions": 0, "batches": 1, "bytes": 900})
