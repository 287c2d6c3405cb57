"""Writes behind the reindex: in the order given, on another thread; the first failure stops the rest."""
import threading

import pytest

from chalicelib.services.write_behind import WriteBehind


def test_jobs_run_in_the_order_given_on_another_thread():
    done, threads = [], set()
    writer = WriteBehind(depth=1)
    for n in range(20):
        writer.submit(lambda n=n: (done.append(n), threads.add(threading.current_thread().name)))
    writer.wait()
    assert done == list(range(20))
    assert threads == {"write-behind"}


def test_the_first_failure_drops_the_jobs_after_it_and_reaches_the_caller():
    done = []
    gate = threading.Event()
    writer = WriteBehind(depth=3)

    def fails():
        gate.wait(5)
        raise RuntimeError("throttled")

    writer.submit(lambda: done.append(1))
    writer.submit(fails)
    writer.submit(lambda: done.append(3))  # built on the one that fails: never run
    gate.set()
    with pytest.raises(RuntimeError, match="throttled"):
        writer.wait()
    assert done == [1]


def test_a_failure_is_raised_at_the_next_submit():
    writer = WriteBehind()
    writer.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        for _ in range(1000):  # until the thread has run it
            writer.submit(lambda: None)
            threading.Event().wait(0.01)


def test_once_finished_jobs_run_at_once_in_the_callers_thread():
    writer = WriteBehind()
    writer.submit(lambda: 1 / 0)
    assert isinstance(writer.finish(), ZeroDivisionError)  # the error, returned, not raised
    ran_in = []
    writer.submit(lambda: ran_in.append(threading.current_thread()))  # e.g. the fan-out's salvage
    assert ran_in == [threading.current_thread()]
