"""Writes that travel while the caller goes on: jobs run in the order given, on one background thread.

The fan-out hands its writes (batch records, rows, messages) to a WriteBehind so that reading the source and
building the next rows overlap the previous writes' round trips. Order is kept: one thread runs the jobs one after
another, as they were submitted, so a batch's record still precedes its rows and the rows their message. The first
job that fails stops the rest (they were built on it: a message whose rows were not written must not be sent), and
its error reaches the caller at its next submit or wait. At most ``depth`` jobs wait: memory stays bounded.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable

Job = Callable[[], None]


class WriteBehind:
    def __init__(self, depth: int = 2, name: str = "write-behind"):
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=depth)
        self._name = name
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._finished = False

    def submit(self, job: Job) -> None:
        """Queue ``job`` after the ones before it (waits while ``depth`` jobs wait); raises an earlier job's error.
        Once finished, the job runs at once, in the caller's thread."""
        if self._finished:
            job()
            return
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def wait(self) -> None:
        """Block until every job submitted has run, and finish; raises the first error."""
        error = self.finish()
        if error is not None:
            raise error

    def finish(self) -> BaseException | None:
        """End the thread, once the jobs submitted have run (none after a failure); later jobs run at once, in the
        caller's thread. Returns the first error, if any."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
        self._finished = True
        return self._error

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is not None:
                continue  # dropped: it was built on a job that failed
            try:
                job()
            except BaseException as error:  # the caller's: raised on its side
                self._error = error
