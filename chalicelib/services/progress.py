"""The reindex's live progress: rows seen and changed (and where the read stands) written to the run every few
seconds, not per row."""
from __future__ import annotations

import time
from collections.abc import Callable

from ..domain.runs import SyncRun, iso
from ..observability import logger
from .context import SyncContext

INTERVAL_SECONDS = 5.0  # one small UpdateItem per interval: ~720 for an hour-long reindex


class LiveProgress:
    def __init__(self, ctx: SyncContext, run: SyncRun, clock: Callable[[], float] = time.monotonic,
                 before_write: Callable[[], None] | None = None):
        self._ctx = ctx
        self._run = run
        self._clock = clock
        self._last = clock()
        self._before_write = before_write  # e.g. write the rows built so far, so that the read position moves

    def tick(self) -> None:
        """Write the counters when the interval has passed since the last write (or the start)."""
        now = self._clock()
        if now - self._last < INTERVAL_SECONDS:
            return
        self._last = now
        run = self._run
        if self._before_write is not None:
            self._before_write()
        run.progress_at = iso(self._ctx.clock())
        try:
            self._ctx.runs.note_progress(run.run_id, run.rows_seen, run.rows_changed, run.progress_at,
                                         run.read_position)
        except Exception:  # progress is for people watching; the sync goes on without it
            logger.exception("could not record the run's progress", extra={"run_id": run.run_id})
