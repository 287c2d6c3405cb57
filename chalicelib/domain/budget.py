"""The exporter's time budget: how long one invocation may spend delivering its batch."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# Kept back from the Lambda's remaining time for what follows the delivery: marking the rows (transactions
# of 100), counting the batch, finishing the run. Well under a second on AWS; the margin covers a slow
# moment: a quarter of the time left, at most 30 s (a short-lived invocation still gets a budget).
SAFETY_MARGIN_SECONDS = 30.0
SAFETY_MARGIN_SHARE = 0.25


def export_budget(cap_seconds: float, remaining_seconds: float | None) -> float:
    """Seconds to spend delivering: ``cap_seconds``, or less when the invocation has less time left."""
    if remaining_seconds is None:
        return cap_seconds
    margin = min(SAFETY_MARGIN_SECONDS, remaining_seconds * SAFETY_MARGIN_SHARE)
    return max(0.0, min(cap_seconds, remaining_seconds - margin))


@dataclass(frozen=True)
class Deadline:
    """A moment on a monotonic clock, and the time left until it."""

    at: float
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        return max(0.0, self.at - self.clock())
