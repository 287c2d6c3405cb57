from datetime import UTC, datetime, timedelta

from chalicelib.domain import cooldown
from chalicelib.domain.errors import Failure
from chalicelib.domain.feed import RowKey
from chalicelib.domain.runs import (
    FAILED,
    SUCCESS,
    SyncRun,
    add_failure,
    error_summary,
    iso,
    outcome,
    past_deadline,
    start_run,
)

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def run(**values) -> SyncRun:
    started = start_run("products", "cli", "full", NOW, 3600)
    for name, value in values.items():
        setattr(started, name, value)
    return started


def test_a_run_is_complete_only_once_sealed_and_every_batch_is_accounted_for():
    assert not run().complete
    assert not run(batches_total=3, batches_done=2).complete
    assert run(batches_total=3, batches_done=2, batches_failed=1).complete
    assert run(batches_total=0).complete


def test_outcome():
    assert outcome(run(batches_total=2, batches_done=2)) == (SUCCESS, None)
    assert outcome(run(batches_total=2, batches_done=1, batches_failed=1, error_counts={"boom": 3})) == \
        (SUCCESS, "3 × boom")
    assert outcome(run(batches_total=2, batches_failed=2, error_counts={"boom": 3})) == \
        (FAILED, "every batch failed: 3 × boom")
    assert outcome(run(batches_total=0, error="source down")) == (FAILED, "source down")
    assert outcome(run(batches_total=0, error_counts={"missing sku": 1})) == (SUCCESS, "1 × missing sku")


def test_failures_are_grouped_by_code_most_frequent_first_and_told_by_their_first_example():
    assert error_summary({"b": 1, "a": 5, "c": 1}) == "5 × a; 1 × b; 1 × c"
    assert error_summary({}) is None
    failed = run()
    for i, price in enumerate(("abc", "n/a")):
        add_failure(failed, Failure("invalid_record.price", f"price is not a number: {price!r}"), RowKey(f"S{i}", "v"))
    add_failure(failed, Failure("invalid_record.sku", "missing sku"), RowKey("#7", "v"))
    assert failed.error_counts == {"invalid_record.price": 2, "invalid_record.sku": 1}
    assert failed.error_examples["invalid_record.price"] == [
        {"id": "S0", "scope": "v", "message": "price is not a number: 'abc'"},
        {"id": "S1", "scope": "v", "message": "price is not a number: 'n/a'"}]
    assert error_summary(failed.error_counts, failed.error_examples) == \
        "2 × price is not a number: 'abc'; 1 × missing sku"


def test_run_ids_sort_by_start_and_deadline_follows_the_setting():
    first, second = run(), start_run("products", "cli", "full", NOW + timedelta(seconds=1), 60)
    assert first.run_id < second.run_id
    assert first.deadline_at == iso(NOW + timedelta(hours=1))
    assert past_deadline(first.deadline_at, NOW + timedelta(hours=1))
    assert not past_deadline(first.deadline_at, NOW)


def test_cooldown_rule():
    last = iso(NOW - timedelta(minutes=10))
    assert cooldown.is_cooling(last, 900, NOW)
    assert not cooldown.is_cooling(last, 600, NOW)
    assert not cooldown.is_cooling(None, 900, NOW)
    assert cooldown.available_at(last, 900) == iso(NOW + timedelta(minutes=5))
    assert cooldown.window_start(NOW, 900) == iso(NOW - timedelta(minutes=15))
