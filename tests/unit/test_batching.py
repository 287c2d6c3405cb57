import json

import pytest

from chalicelib.domain.batching import BatchPacker, MalformedMessageError, decode, pack
from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feeds.products import build_row
from tests.fakes import VIEWS, product

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


def rows(n, **overrides):
    return [build_row(product(i, **overrides), VIEWS_BY_CODE) for i in range(n)]


def test_batches_are_bounded_by_row_count():
    messages = list(pack("products", "run-1", rows(25), max_rows=10, max_bytes=1_000_000))
    assert [len(decode(m).rows) for m in messages] == [10, 10, 5]
    assert [decode(m).batch_no for m in messages] == [1, 2, 3]


def test_batches_are_bounded_by_message_size():
    big = rows(40, description="x" * 2000)
    messages = list(pack("products", "run-1", big, max_rows=500, max_bytes=20_000))
    assert len(messages) > 1
    assert all(len(m.encode()) <= 20_000 for m in messages)
    assert sum(len(decode(m).rows) for m in messages) == 40


def test_a_message_round_trips_every_row():
    original = rows(3)
    batch = decode(next(pack("products", "run-1", original, 10, 100_000)))
    assert (batch.feed, batch.run_id, batch.batch_id) == ("products", "run-1", "run-1/00001")
    assert [(r.key, r.hash, r.last_modified) for r in batch.rows] == \
        [(r.key, r.hash, r.last_modified) for r in original]
    assert batch.rows[0].document == json.loads(original[0].document)


def test_a_row_too_large_for_any_message_is_refused():
    packer = BatchPacker("products", "run-1", 10, 5_000)
    with pytest.raises(InvalidRecordError, match="too large"):
        packer.add(rows(1, description="x" * 6000)[0])
    assert packer.flush() is None


def test_no_rows_no_message():
    assert list(pack("products", "run-1", [], 10, 10_000)) == []


@pytest.mark.parametrize("body", ["not json", "{}", '{"v": 2}', '{"v": 1, "rows": [{"k": 1}]}'])
def test_malformed_messages_are_refused(body):
    with pytest.raises(MalformedMessageError):
        decode(body)
