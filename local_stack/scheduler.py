"""The schedule rule standing in for EventBridge: fires the sync handler at start, then every interval."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .events import scheduled_event

log = logging.getLogger("local.scheduler")


class Scheduler(threading.Thread):
    """Fires at start and every ``interval`` seconds after the previous firing began (a rate rule).

    A firing that overruns the interval is followed at once by the next, never by a backlog of them.
    """

    def __init__(self, rule_name: str, region: str, interval: float, handler: Callable[[dict, Any], Any],
                 context_factory: Callable[[], Any], stop: threading.Event):
        super().__init__(name="scheduler", daemon=True)
        self._rule = rule_name
        self._region = region
        self._interval = interval
        self._handler = handler
        self._context = context_factory
        self._stopping = stop
        self.firings = 0

    def run(self) -> None:
        while not self._stopping.is_set():
            started = time.monotonic()
            self._fire()
            self._stopping.wait(max(0.0, started + self._interval - time.monotonic()))

    def _fire(self) -> None:
        self.firings += 1
        started = time.monotonic()
        try:
            result = self._handler(scheduled_event(self._rule, self._region), self._context())
        except Exception:
            log.exception("scheduled sync #%d failed", self.firings)
        else:
            log.info("scheduled sync #%d returned %s in %.1f s", self.firings, result, time.monotonic() - started)
