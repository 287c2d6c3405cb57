"""A snapshot read as its parts arrive (in any order, from parallel ranged GETs): a slice waits for the parts it
covers, a failed part fails the reader, and an index decodes from bytes still arriving."""
import random
import threading

import pytest

from chalicelib.search.index import ProductIndex
from chalicelib.search.store import Arriving, SnapshotError
from tests.unit.test_search_index import catalog


def parts_of(data: bytes, arriving: Arriving) -> list[tuple[int, bytes]]:
    return [(part, data[slice(*arriving.span(part))]) for part in range(arriving.parts)]


def read_in_thread(work):
    """Runs ``work`` in a thread; returns the thread and a dict that will hold its result or its error."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = work()
        except SnapshotError as error:
            outcome["error"] = error
    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_slice_waits_for_every_part_it_covers():
    data = bytes(range(256)) * 10
    arriving = Arriving(len(data), 100)
    thread, outcome = read_in_thread(lambda: bytes(arriving[150:2_000]))
    parts = parts_of(data, arriving)
    for part, chunk in reversed(parts[1:]):  # every part but the first one it covers
        arriving.arrive(part, chunk)
    assert outcome == {}  # still waiting for part 1
    arriving.arrive(*parts[0])
    thread.join()
    assert outcome == {"result": data[150:2_000]}
    assert bytes(arriving[0:len(arriving)]) == data and bytes(arriving[5:5]) == b""


def test_a_failed_part_fails_the_reader():
    arriving = Arriving(1_000, 100)
    thread, outcome = read_in_thread(lambda: arriving[0:1_000])
    arriving.arrive(0, bytes(100))
    arriving.fail(SnapshotError("the snapshot is gone"))
    thread.join()
    assert str(outcome["error"]) == "the snapshot is gone"
    with pytest.raises(SnapshotError):
        arriving[0:10]


def test_a_part_of_the_wrong_size_is_a_failure():
    arriving = Arriving(250, 100)
    arriving.arrive(2, bytes(49))
    with pytest.raises(SnapshotError):
        arriving[200:250]


def test_an_index_decodes_from_parts_arriving_in_any_order():
    index = ProductIndex.from_rows(catalog(50))
    data = index.to_bytes()
    arriving = Arriving(len(data), 64)
    parts = parts_of(data, arriving)
    random.Random(3).shuffle(parts)
    feeder = threading.Thread(target=lambda: [arriving.arrive(part, chunk) for part, chunk in parts])
    feeder.start()
    again = ProductIndex.from_bytes(arriving)
    feeder.join()
    assert list(again.rows()) == list(index.rows())
