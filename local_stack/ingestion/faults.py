"""Faults to inject into deliveries while the service runs: throttling, 5xx, drops, slowness, a size limit."""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

# The bodies an API gateway in front of a SaaS service gives (AWS API Gateway's wording).
FAULT_MESSAGES = {429: "Too Many Requests", 500: "Internal server error", 502: "Bad Gateway",
                  503: "Service Unavailable", 504: "Endpoint request timed out"}


@dataclass(frozen=True)
class Fault:
    """One answer to give to a delivery instead of the real one."""

    kind: str  # "status" (an HTTP error) or "drop" (close the connection without answering)
    status: int = 0
    retry_after: float | None = None
    after_storing: bool = False  # drop only: the batch is stored, then the answer is lost
    feed: str | None = None  # given only to a delivery of this feed (None: of any feed)


class Faults:
    """Settings and queued faults for deliveries (POSTs to the ingest path), safe to change while serving.

    ``latency`` (seconds) delays every delivery before it is handled; ``too_large_bytes`` answers 413 to a
    body over that many bytes as sent (compressed), as a proxy's body-size limit does. Queued faults are
    used up one per delivery, in the order they were queued (a fault queued for one feed waits for a delivery of
    that feed). Queries and the admin see no faults.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()
        self.latency = 0.0
        self.too_large_bytes: int | None = None
        self.injected = 0  # faults given so far (413s included)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.latency, self.too_large_bytes = 0.0, None

    def _queue_many(self, count: int, fault: Fault) -> Faults:
        with self._lock:
            self._queue.extend([fault] * count)
        return self

    def throttle(self, count: int = 1, retry_after: float = 1, feed: str | None = None) -> Faults:
        """The next ``count`` deliveries (of ``feed``, or any) get 429 with ``Retry-After`` (seconds)."""
        return self._queue_many(count, Fault("status", 429, retry_after=retry_after, feed=feed))

    def fail(self, count: int = 1, status: int = 500, retry_after: float | None = None,
             feed: str | None = None) -> Faults:
        """The next ``count`` deliveries (of ``feed``, or any) get ``status`` (500, 502, 503 or 504), with
        ``Retry-After`` if given."""
        if status not in (500, 502, 503, 504):
            raise ValueError("status is 500, 502, 503 or 504")
        return self._queue_many(count, Fault("status", status, retry_after=retry_after, feed=feed))

    def drop(self, count: int = 1, after_storing: bool = False, feed: str | None = None) -> Faults:
        """The next ``count`` deliveries (of ``feed``, or any) see the connection closed without an answer;
        ``after_storing``: once the batch is stored, so the client cannot tell and sends it again."""
        return self._queue_many(count, Fault("drop", after_storing=after_storing, feed=feed))

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def take(self, feed: str) -> Fault | None:
        """The first queued fault for a delivery of ``feed``, used up; None when none is queued for it."""
        with self._lock:
            for fault in self._queue:
                if fault.feed in (None, feed):
                    self._queue.remove(fault)
                    self.injected += 1
                    return fault
            return None

    def too_large(self, size: int) -> bool:
        limit = self.too_large_bytes
        if limit is None or size <= limit:
            return False
        with self._lock:
            self.injected += 1
        return True

    def state(self) -> dict[str, Any]:
        with self._lock:
            queued = [asdict(f) for f in self._queue]
        return {"latency": self.latency, "too_large_bytes": self.too_large_bytes, "queued": queued,
                "injected": self.injected}

    def update(self, settings: dict[str, Any]) -> None:
        """Apply the JSON that POST /__ingest/faults receives (see admin.py)."""
        if "latency" in settings:
            self.latency = float(settings["latency"] or 0)
        if "too_large_bytes" in settings:
            limit = settings["too_large_bytes"]
            self.too_large_bytes = None if limit is None else int(limit)
        for key, method in (("throttle", self.throttle), ("fail", self.fail), ("drop", self.drop)):
            if key in settings:
                method(**settings[key])
