"""One contract for the search index's store, run against the in-memory fake and against DynamoDB and S3 (moto)."""
import json
import os

import boto3
import pytest

from chalicelib.adapters.dynamo_models import SearchIndexModel
from chalicelib.search.dynamo_store import DynamoSearchIndexStore
from chalicelib.search.s3_snapshots import SnapshotObjects
from chalicelib.search.store import SnapshotError
from tests.fakes import InMemorySearchIndexStore
from tests.moto_session import HUB_BUCKET

PART_BYTES = 1_000  # snapshots are read in parts of this many bytes: a small one is many parts


def whole(data) -> bytes:
    """A snapshot's bytes once they have all arrived."""
    return bytes(data[0:len(data)])


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
    snapshots = SnapshotObjects(boto3.client("s3"), HUB_BUCKET, part_bytes=PART_BYTES)
    return DynamoSearchIndexStore(snapshots, clock=clock), advance


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
    big = os.urandom(PART_BYTES * 20 + 10)  # 21 parts, read in parallel from S3
    first = snapshots.publish(big, "0000000000001#a#1", 42)
    assert snapshots.current() == first and (first.position, first.rows, first.size) == ("0000000000001#a#1", 42,
                                                                                         len(big))
    assert whole(snapshots.read(first)) == big
    advance(1)
    second = snapshots.publish(b"small", "0000000000002#a#1", 1)
    assert snapshots.current() == second != first
    assert whole(snapshots.read(second)) == b"small"
    with pytest.raises(SnapshotError):  # gone: the reader reads the current one again
        whole(snapshots.read(first))


def test_trimming_removes_the_entries_before_a_position(store):
    journal, advance = store
    journal.append([b"old"])
    advance(10)
    journal.append([b"new"])
    cut = f"{(1_800_000_005 * 1000):013d}"
    assert journal.trim(cut) == 1
    assert [r.data for r in journal.journal()] == [b"new"]
    assert journal.trim(cut) == 0


def test_a_snapshot_of_a_version_before_s3_is_none_and_its_chunks_go_with_the_next(aws):
    # given the description and chunks a version before S3 wrote
    SearchIndexModel("current#products", "snapshot", meta=json.dumps(
        {"snapshot_id": "old", "chunks": 2, "position": "0000000000001", "rows": 3, "created_at": "then"})).save()
    for number in range(2):
        SearchIndexModel("snapshot#products#old", f"{number:05d}", data=b"chunk").save()
    store = DynamoSearchIndexStore(SnapshotObjects(boto3.client("s3"), HUB_BUCKET))
    # then there is no snapshot to read (the next sync builds one from the table)
    assert store.current() is None
    # when a snapshot is published, the old chunks are removed
    published = store.publish(b"new", "0000000000002", 1)
    assert store.current() == published and whole(store.read(published)) == b"new"
    assert list(SearchIndexModel.query("snapshot#products#old")) == []
    keys = [item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket=HUB_BUCKET)["Contents"]]
    assert keys == [f"search-index/products/{published.snapshot_id}.snapshot"]
