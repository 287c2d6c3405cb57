"""Faults to inject while the simulator runs: what a CDN, a proxy or a struggling Magento does to a client."""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

HTML_PAGES = {
    200: "<!doctype html><html><head><title>Maintenance</title></head><body><h1>Service Temporarily "
         "Unavailable</h1><p>The store is down for maintenance.</p></body></html>",
    429: "<html><head><title>429 Too Many Requests</title></head><body><h1>429 Too Many Requests</h1>"
         "<p>Rate limit exceeded. Retry later.</p></body></html>",
    500: "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1>"
         "</body></html>",
    502: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
         "<hr><center>nginx</center></body></html>",
    503: "<!doctype html><html><head><title>503 Service Unavailable</title></head><body><h1>Service "
         "Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>",
    504: "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1>"
         "</center><hr><center>nginx</center></body></html>",
}


@dataclass(frozen=True)
class Fault:
    """One answer to give instead of the real one."""

    kind: str  # "status" (an HTTP error), "html" (an HTML page) or "drop" (close without answering)
    status: int = 0
    html: bool = False
    retry_after: float | None = None


class Faults:
    """Settings and queued faults, safe to change from a test while the server answers requests.

    ``latency`` delays every matching request; ``list_stock_item`` False leaves ``stock_item`` out of list
    responses; ``path_contains`` restricts all faults (latency included) to paths holding that text. Queued
    faults are used up one per matching request, in the order they were queued.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()
        self.latency = 0.0
        self.list_stock_item = True
        self.path_contains: str | None = None
        self.injected = 0  # faults given so far

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.latency, self.list_stock_item, self.path_contains = 0.0, True, None

    def _queue_many(self, count: int, fault: Fault) -> Faults:
        with self._lock:
            self._queue.extend([fault] * count)
        return self

    def throttle(self, count: int = 1, retry_after: float = 1) -> Faults:
        """The next ``count`` requests get 429 with ``Retry-After`` (seconds), as a CDN in front answers."""
        return self._queue_many(count, Fault("status", 429, html=True, retry_after=retry_after))

    def fail(self, count: int = 1, status: int = 500, html: bool | None = None) -> Faults:
        """The next ``count`` requests get ``status``: 500 is Magento's JSON error, 502-504 a proxy's HTML page."""
        return self._queue_many(count, Fault("status", status, html=status != 500 if html is None else html))

    def html(self, count: int = 1, status: int = 200) -> Faults:
        """The next ``count`` requests get an HTML page (e.g. a maintenance page with 200) instead of JSON."""
        return self._queue_many(count, Fault("html", status, html=True))

    def drop(self, count: int = 1) -> Faults:
        """The next ``count`` requests see the connection closed without an answer."""
        return self._queue_many(count, Fault("drop"))

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def applies(self, path: str) -> bool:
        return self.path_contains is None or self.path_contains in path

    def take(self, path: str) -> Fault | None:
        """The fault for this request, if one is queued and the path matches."""
        if not self.applies(path):
            return None
        with self._lock:
            if not self._queue:
                return None
            self.injected += 1
            return self._queue.popleft()

    def state(self) -> dict[str, Any]:
        with self._lock:
            queued = [f.__dict__ for f in self._queue]
        return {"latency": self.latency, "list_stock_item": self.list_stock_item,
                "path_contains": self.path_contains, "queued": queued, "injected": self.injected}

    def update(self, settings: dict[str, Any]) -> None:
        """Apply the JSON that POST /__sim/faults receives (see admin.py)."""
        if "latency" in settings:
            self.latency = float(settings["latency"])
        if "list_stock_item" in settings:
            self.list_stock_item = bool(settings["list_stock_item"])
        if "path_contains" in settings:
            self.path_contains = settings["path_contains"] or None
        for key, method in (("throttle", self.throttle), ("fail", self.fail), ("html", self.html),
                            ("drop", self.drop)):
            if key in settings:
                method(**settings[key])
