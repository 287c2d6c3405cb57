"""The force-sync cooldown rule: one force sync per window, measured from the last one."""
from __future__ import annotations

from datetime import datetime, timedelta

from .runs import iso, parse_iso


def available_at(last_forced_at: str | None, cooldown_seconds: int) -> str | None:
    """When force sync is next available, or None if it has never been used."""
    if last_forced_at is None:
        return None
    return iso(parse_iso(last_forced_at) + timedelta(seconds=cooldown_seconds))


def is_cooling(last_forced_at: str | None, cooldown_seconds: int, now: datetime) -> bool:
    until = available_at(last_forced_at, cooldown_seconds)
    return until is not None and parse_iso(until) > now


def window_start(now: datetime, cooldown_seconds: int) -> str:
    """A force sync is allowed when the last one is older than this."""
    return iso(now - timedelta(seconds=cooldown_seconds))
