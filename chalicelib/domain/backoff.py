"""Retrying an HTTP call: exponential backoff with full jitter, never sooner than the server's Retry-After."""
from __future__ import annotations

import email.utils
import random
import time

BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 20.0


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header in seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def backoff_pause(attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): full jitter, at least ``retry_after``."""
    jitter = rng.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** attempt))
    return max(jitter, retry_after or 0.0)
