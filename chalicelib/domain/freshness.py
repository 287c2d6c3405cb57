"""Freshness: how long a change in the source took to reach the destination — from an item's ``updated_at`` (its
row's ``last_modified``) to the end of the delivery of the batch that carried it.

Each batch adds its items' lags to a histogram kept on its run (buckets 10 % wide, so a run's item costs no more
than some 150 numbers whatever its size); a run's p50, p95 and max are read from it, each at most 10 % above the
exact value (a bucket's upper bound). Items whose ``updated_at`` is more than ``WINDOW`` before their run started
are left out: they are resent, not changed (a forced resync, a reconcile), and would say nothing of freshness.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from .answers.runs import Freshness
from .runs import parse_iso

RATIO = 1.1
WINDOW = timedelta(hours=24)
_PREFIX = "b"


def parse_time(text: str | None) -> datetime | None:
    """An ISO time with or without its zone (a source's ``2026-11-20 10:00:00`` is UTC); None if unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T").replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=parse_iso("2000-01-01T00:00:00Z").tzinfo)


def bucket_of(seconds: float) -> str:
    """The bucket of a lag: b0 for a second or less, else bN with RATIO**(N-1) < seconds <= RATIO**N."""
    return f"{_PREFIX}{0 if seconds <= 1 else math.ceil(math.log(seconds, RATIO) - 1e-9)}"


def upper_bound(bucket: str) -> float:
    return RATIO ** int(bucket[len(_PREFIX):])


def histogram(changed_at: Iterable[str | None], finished_at: str, run_started_at: str | None) -> dict[str, int]:
    """The lags of a batch's items, by bucket."""
    end = parse_iso(finished_at)
    oldest = parse_iso(run_started_at) - WINDOW if run_started_at else None
    counts: dict[str, int] = {}
    for text in changed_at:
        moment = parse_time(text)
        if moment is None or (oldest is not None and moment < oldest):
            continue
        bucket = bucket_of(max(0.0, (end - moment).total_seconds()))
        counts[bucket] = counts.get(bucket, 0) + 1
    return counts


def summary(counts: Mapping[str, int]) -> Freshness | None:
    """{items, p50_seconds, p95_seconds, max_seconds} of a run's histogram; None when it measured no item."""
    ordered = sorted(((int(b[len(_PREFIX):]), n) for b, n in counts.items() if n > 0))
    total = sum(n for _, n in ordered)
    if not total:
        return None

    def percentile(share: float) -> float:
        wanted, seen = math.ceil(share * total), 0
        for index, n in ordered:
            seen += n
            if seen >= wanted:
                return round(RATIO ** index, 1)
        return round(RATIO ** ordered[-1][0], 1)

    return {"items": total, "p50_seconds": percentile(0.5), "p95_seconds": percentile(0.95),
            "max_seconds": round(RATIO ** ordered[-1][0], 1)}
