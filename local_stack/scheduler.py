"""The schedule rule standing in for EventBridge: fires the sync handler at start, then every interval, and at once
when asked (``fire_now``: `kill -USR1 <pid>`, and the tests, which choose when a scheduled run starts)."""
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

    A firing that overruns the interval is followed at once by the next, never by a backlog of them. A firing
    asked for while one runs follows it; the interval counts from the last firing.
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
        self._wake = threading.Event()
        self._asked = threading.Event()
        self.firings = 0

    def fire_now(self) -> None:
        """Fire at once (after the firing in progress, if any); safe from a signal handler."""
        self._asked.set()
        self._wake.set()

    def wake(self) -> None:
        """Look at the stop event now rather than at the next firing."""
        self._wake.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            started = time.monotonic()
            self._asked.clear()
            self._fire()
            while not (self._stopping.is_set() or self._asked.is_set()):
                left = started + self._interval - time.monotonic()
                if left <= 0:
                    break
                self._wake.wait(left)
                self._wake.clear()

    def _fire(self) -> None:
        self.firings += 1
        started = time.monotonic()
        try:
            result = self._handler(scheduled_event(self._rule, self._region), self._context())
        except Exception:
            log.exception("scheduled sync #%d failed", self.firings)
        else:
            log.info("scheduled sync #%d returned %s in %.1f s", self.firings, result, time.monotonic() - started)
