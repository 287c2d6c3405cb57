"""Trying again: one policy (attempts, backoff, jitter, budget, what is retryable) and one loop every adapter uses.

The vocabulary is botocore's and tenacity's: a retry ``n`` (0-based) waits a pause drawn from
``[0, min(cap, base · 2ⁿ)]`` (full jitter; without jitter, the ceiling itself), never less than the server's
``Retry-After``. Retries stop at ``attempts`` tries, when the pauses would exceed ``budget_seconds`` of waiting, or
when a caller's deadline would leave less than ``reserve_seconds`` for the next try. AWS throttling is botocore's
(standard mode, see adapters/aws.py); this loop is for what botocore does not retry: HTTP services, transaction
conflicts, the entries SQS refused in a batch.

Why not tenacity: its stop/wait parts would say the same, but a pause floored by the server's Retry-After, a stop
that keeps time for one more try before a deadline, and a waiting budget are each a custom part there; this is
one small loop with no dependency in the Lambda package, and the domain stays free of third-party code.
"""
from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .budget import Deadline

T = TypeVar("T")


class TransientError(Exception):
    """A try failed in a way the next may not; ``retry_after`` is the server's wish (seconds), if it said one."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class RetriesExhaustedError(Exception):
    """No try succeeded: ``last`` is the last error, after ``attempts`` tries and ``waited`` seconds of pauses."""

    def __init__(self, last: Exception, attempts: int, waited: float):
        super().__init__(f"{last} (gave up after {attempts} attempts)")
        self.last, self.attempts, self.waited = last, attempts, waited


def _transient(error: Exception) -> bool:
    return isinstance(error, TransientError)


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again and how long to wait first; ``sleep`` and ``rng`` are the clock and dice (tests fake them)."""

    budget_seconds: float | None = 120.0  # the most seconds of pauses in all (None: no limit)
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    attempts: int | None = None  # the most tries in all, the first included (None: as many as the budget allows)
    base_seconds: float = 0.5
    cap_seconds: float = 20.0
    jitter: bool = True
    reserve_seconds: float = 0.0  # with a deadline: the time a try needs after its pause
    retryable: Callable[[Exception], bool] = _transient

    def with_attempts(self, attempts: int | None) -> RetryPolicy:
        return dataclasses.replace(self, attempts=attempts)

    def pause(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry ``retry`` (0-based): the backoff, at least ``retry_after``."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** retry)
        backoff = self.rng.uniform(0, ceiling) if self.jitter else ceiling
        return max(backoff, retry_after or 0.0)

    def call(self, attempt: Callable[[], T], deadline: Deadline | None = None,
             on_retry: Callable[[Exception, int, float], None] | None = None) -> T:
        """``attempt()``, tried again after each retryable error while the policy allows; ``on_retry(error, tries,
        pause)`` is told before each pause. Raises RetriesExhaustedError (the last error inside) when it stops, and
        any error that is not retryable at once."""
        tries, waited = 0, 0.0
        while True:
            tries += 1
            try:
                return attempt()
            except Exception as error:
                if not self.retryable(error):
                    raise
                pause = self.pause(tries - 1, getattr(error, "retry_after", None))
                if self._exhausted(tries, waited + pause, pause, deadline):
                    raise RetriesExhaustedError(error, tries, waited) from error
                if on_retry is not None:
                    on_retry(error, tries, pause)
                if pause > 0:
                    self.sleep(pause)
                waited += pause

    def _exhausted(self, tries: int, waited: float, pause: float, deadline: Deadline | None) -> bool:
        if self.attempts is not None and tries >= self.attempts:
            return True
        if self.budget_seconds is not None and waited > self.budget_seconds:
            return True
        return deadline is not None and pause + self.reserve_seconds > deadline.remaining()
