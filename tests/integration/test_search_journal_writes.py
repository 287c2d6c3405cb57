"""Journal writes keep the landing bound (DynamoDB, moto): an entry whose write is acknowledged later than
journal.LANDING_BOUND_MS after its position's time is written again at a fresh position, by an append and after a
settlement's transaction alike. The write's duration is simulated by moving the store's clock on."""
from datetime import timedelta

import boto3
import pytest

from chalicelib.adapters.dynamo_batches import DynamoBatchStore
from chalicelib.adapters.dynamo_runs import DynamoRunStore
from chalicelib.domain.batches import DONE, OPEN, BatchOutcome, batch_id
from chalicelib.domain.feed import RowKey
from chalicelib.domain.runs import start_run
from chalicelib.ports import Settlement
from chalicelib.search.dynamo_store import REWRITES, DynamoSearchIndexStore, JournalLateError
from chalicelib.search.journal import LANDING_BOUND_MS
from chalicelib.search.s3_snapshots import SnapshotObjects
from tests.moto_session import HUB_BUCKET
from tests.unit.test_runs import NOW

LATE = LANDING_BOUND_MS / 1000 + 1


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


class SlowStore(DynamoSearchIndexStore):
    """Each journal item's write takes the next of ``durations`` (seconds; then none): its acknowledgement comes
    that long after its stamp."""

    def __init__(self, durations):
        self.clock = Clock()
        super().__init__(SnapshotObjects(boto3.client("s3"), HUB_BUCKET), clock=self.clock)
        self.durations = list(durations)

    def journal_item(self, entry):
        item = super().journal_item(entry)
        self.clock.now += self.durations.pop(0) if self.durations else 0
        return item


def positions_of(store):
    return [(int(record.position[:13]), record.data) for record in store.journal()]


def test_an_entry_acknowledged_in_time_is_written_once(aws):
    store = SlowStore([LANDING_BOUND_MS / 1000 - 1])
    store.append([b"one"])
    assert [data for _, data in positions_of(store)] == [b"one"]


def test_an_entry_acknowledged_late_is_written_again_at_a_fresh_position(aws):
    store = SlowStore([LATE, LATE])  # two entries in one batch write, both late
    store.append([b"one", b"two"])
    written = positions_of(store)
    assert [data for _, data in written] == [b"one", b"two", b"one", b"two"]
    first, again = written[0][0], written[2][0]
    assert again - first >= LATE * 1000  # stamped after the late acknowledgement: within the bound of landing


def test_entries_late_every_time_are_reported(aws):
    store = SlowStore([LATE] * (1 + REWRITES))
    with pytest.raises(JournalLateError):
        store.append([b"one"])
    assert [data for _, data in positions_of(store)] == [b"one"] * (1 + REWRITES)  # written: copies may apply them


def test_a_settlement_acknowledged_late_writes_its_journal_entries_again(aws):
    store = SlowStore([LATE])
    runs, batches = DynamoRunStore(), DynamoBatchStore(journal=store)
    run = start_run("products", "cli", "full", NOW + timedelta(seconds=0), 3600)
    runs.create(run)
    key = RowKey("SKU-0001", "default")
    batches.create([BatchOutcome(batch_id(run.run_id, 1), "products", OPEN, (key,))])
    done = BatchOutcome(batch_id(run.run_id, 1), "products", DONE, (key,), "t")
    assert batches.settle(done, Settlement(1, 0), [b"marks"])
    written = positions_of(store)
    assert [data for _, data in written] == [b"marks", b"marks"] and written[1][0] - written[0][0] >= LATE * 1000
    assert runs.get(run.run_id).batches_done == 1
