"""The read position of a resync whose writes travel behind the reindex (services/fanout.py, WriteBehind): it moves
only once the writer has written the rows before it, so a run continued from it sends nothing twice and loses
nothing, even when the writer lags or one of its writes fails."""
from typing import ClassVar

from chalicelib.domain.feed import RowKey
from chalicelib.domain.runs import FAILED, SUCCESS
from chalicelib.services import fanout
from chalicelib.services.resume import open_continuation
from chalicelib.services.sync import continue_sync
from tests.unit.test_resync_services import Failing
from tests.unit.test_sync_service import ctx, export_all, sync  # noqa: F401 - the fixture


class LaggingWriter:
    """A WriteBehind that runs its jobs only when told (one per progress write), the rest when waited for: the
    writer as far behind the read as it can be, in one thread (what the test sees is not a matter of timing)."""

    instances: ClassVar[list["LaggingWriter"]] = []

    def __init__(self, name: str = ""):
        self.jobs: list = []
        self.error: BaseException | None = None
        self.finished = False
        LaggingWriter.instances.append(self)

    def submit(self, job) -> None:
        if self.finished:
            job()
        elif self.error is not None:
            raise self.error
        else:
            self.jobs.append(job)

    def run_oldest(self) -> None:
        if self.jobs and self.error is None:
            job = self.jobs.pop(0)
            try:
                job()
            except Exception as error:
                self.error = error

    def finish(self) -> BaseException | None:
        while self.jobs and self.error is None:
            self.run_oldest()
        self.jobs, self.finished = [], True  # after a failure, the jobs behind it are dropped
        return self.error

    def wait(self) -> None:
        error = self.finish()
        if error is not None:
            raise error


def keys(records):
    return {RowKey(r["sku"], r["store_view_code"]) for r in records}


def test_progress_never_names_a_position_whose_rows_the_lagging_writer_has_not_written(ctx, monkeypatch):  # noqa: F811
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)
    monkeypatch.setattr("chalicelib.services.progress.INTERVAL_SECONDS", 0.0)
    monkeypatch.setattr(fanout, "WriteBehind", LaggingWriter)
    LaggingWriter.instances.clear()
    records = list(ctx.source.records)
    store = ctx.rows("products")
    positions = []
    original = ctx.runs.note_progress

    def note(run_id, seen, changed, at, read_position=None):
        if read_position is not None:
            assert keys(records[:int(read_position)]) <= set(store.rows), "a position ahead of the rows written"
            positions.append(int(read_position))
        original(run_id, seen, changed, at, read_position)
        LaggingWriter.instances[-1].run_oldest()  # the writer catches up by one job per progress write
    monkeypatch.setattr(ctx.runs, "note_progress", note)
    run = sync(ctx, mode="full", batch_size=3)
    assert run.status == SUCCESS and run.read_position == "50"
    assert positions and positions == sorted(positions) and positions[-1] < 50, "the position lagged the read"


def test_a_write_failed_behind_the_read_keeps_the_position_before_it_and_the_continued_run_sends_each_row_once(
        ctx, monkeypatch):  # noqa: F811
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)
    monkeypatch.setattr("chalicelib.services.progress.INTERVAL_SECONDS", 0.0)
    monkeypatch.setattr(fanout, "WriteBehind", LaggingWriter)
    records = list(ctx.source.records)
    ctx.source.records = Failing(records, after=45)
    store = ctx.rows("products")
    put_rows, calls, lost = store.put_rows, [], set()

    def failing_put(rows):
        calls.append(1)
        if len(calls) == 4:  # the writer's fourth write fails: the writes queued behind it are dropped
            lost.update(row.key for row in rows)
            raise RuntimeError("ProvisionedThroughputExceededException")
        put_rows(rows)
    monkeypatch.setattr(store, "put_rows", failing_put)
    first = sync(ctx, mode="full", batch_size=3)
    assert first.status == FAILED and first.read_position is not None and not first.read_complete
    position = int(first.read_position)
    assert keys(records[:position]) <= set(store.rows), "every row before the position is written"
    assert lost and lost.isdisjoint(store.rows) and lost.isdisjoint(keys(records[:position])), \
        "the rows of the failed write are after the position"

    monkeypatch.setattr(store, "put_rows", put_rows)
    ctx.source.records = records
    ctx.clock.advance(minutes=5)
    run = continue_sync(ctx, open_continuation(ctx, "products", "cli"))
    export_all(ctx)
    assert ctx.runs.get(run.run_id).status == SUCCESS
    assert set(store.rows) == keys(records), "nothing lost"
    sent = [row.key for row in ctx.destination.rows]
    assert sorted(sent) == sorted(keys(records)), "each row sent once"
