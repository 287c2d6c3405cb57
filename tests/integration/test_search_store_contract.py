"""One contract for the search index's store, run against the in-memory fake and against DynamoDB (moto)."""
import os

import pytest

from chalicelib.search.dynamo_store import CHUNK_BYTES, DynamoSearchIndexStore
from chalicelib.search.store import SnapshotError
from tests.fakes import InMemorySearchIndexStore


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    """The store, and a function that moves its clock on (seconds)."""
    if request.param == "memory":
        fake = InMemorySearchIndexStore()

        def advance(seconds):
            fake.now += seconds
        return fake, advance
    request.getfixturevalue("aws")
    clock = Clock()

    def advance(seconds):
        clock.now += seconds
    return DynamoSearchIndexStore(clock=clock), advance


def test_the_journal_keeps_entries_in_order_from_any_position(store):
    journal, advance = store
    journal.append([b"one", b"two"])
    advance(1)
    journal.append([b"three"])
    records = journal.journal()
    assert [r.data for r in records] == [b"one", b"two", b"three"]
    assert records[0].position < records[1].position < records[2].position
    assert records[2].position[:13] == f"{(1_800_000_001 * 1000):013d}"  # the write time comes first
    assert [r.data for r in journal.journal(after=records[0].position)] == [b"two", b"three"]
    assert journal.journal(after=records[2].position) == []
    assert journal.journal_size(after=records[0].position) == 2 and journal.journal_size() == 3
    # A position made of the time alone reads everything written from that millisecond on.
    assert [r.data for r in journal.journal(after=f"{(1_800_000_001 * 1000):013d}")] == [b"three"]


def test_a_position_for_the_present_comes_before_every_later_entry(store):
    journal, advance = store
    journal.append([b"before"])
    advance(1)
    now = journal.position_now()
    journal.append([b"after"])
    assert [r.data for r in journal.journal(after=now)] == [b"after"]


def test_many_entries_in_one_append(store):
    journal, _ = store
    journal.append([f"entry {i}".encode() for i in range(60)])  # more than one batch write (25 items)
    assert [r.data for r in journal.journal()] == [f"entry {i}".encode() for i in range(60)]


def test_a_published_snapshot_is_current_and_replaces_the_previous_one(store):
    snapshots, advance = store
    assert snapshots.current() is None
    big = os.urandom(CHUNK_BYTES * 2 + 10)  # three chunks in DynamoDB
    first = snapshots.publish(big, "0000000000001#a#1", 42)
    assert snapshots.current() == first and (first.position, first.rows) == ("0000000000001#a#1", 42)
    assert snapshots.read(first) == big
    advance(1)
    second = snapshots.publish(b"small", "0000000000002#a#1", 1)
    assert snapshots.current() == second != first
    assert snapshots.read(second) == b"small"
    with pytest.raises(SnapshotError):
        snapshots.read(first)


def test_trimming_removes_the_entries_before_a_position(store):
    journal, advance = store
    journal.append([b"old"])
    advance(10)
    journal.append([b"new"])
    cut = f"{(1_800_000_005 * 1000):013d}"
    assert journal.trim(cut) == 1
    assert [r.data for r in journal.journal()] == [b"new"]
    assert journal.trim(cut) == 0
