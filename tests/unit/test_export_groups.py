"""A run's export concurrency: each batch's message group (a run's thread count gathers its batches into that many
groups, so the FIFO export queue hands out at most that many at once) and its deduplication id (the batch id)."""
from chalicelib.domain.batches import batch_id
from chalicelib.domain.batching import decode, message_group
from chalicelib.domain.resync import ResyncOptions
from chalicelib.services.sync import start_sync
from tests.unit.test_sync_service import ctx  # noqa: F401 - the fixture


def test_without_a_thread_count_each_batch_is_a_group_of_its_own():
    assert message_group("20261206T100000Z-abc123", 7, None) == "20261206T100000Z-abc123/00007"


def test_with_a_thread_count_a_batch_goes_in_group_number_mod_threads():
    assert [message_group("r", n, 3) for n in range(1, 8)] == ["r:1", "r:2", "r:0", "r:1", "r:2", "r:0", "r:1"]


def test_a_run_sends_each_batch_under_its_batch_id_in_its_own_group(ctx):  # noqa: F811
    run = start_sync(ctx, trigger="cli", mode="full", options=ResyncOptions(force=True))
    sent = ctx.queue.sent
    assert len(sent) == 5
    for message in sent:
        batch = decode(message.body)
        assert message.batch_id == batch_id(run.run_id, batch.batch_no) == message.group


def test_a_run_with_a_thread_count_sends_its_batches_in_that_many_groups(ctx):  # noqa: F811
    run = start_sync(ctx, trigger="cli", mode="full", options=ResyncOptions(force=True, thread_count=2))
    groups = {}
    for message in ctx.queue.sent:
        batch = decode(message.body)
        assert message.batch_id == batch_id(run.run_id, batch.batch_no)
        groups.setdefault(message.group, []).append(batch.batch_no)
    assert groups == {f"{run.run_id}:1": [1, 3, 5], f"{run.run_id}:0": [2, 4]}
