"""Live progress of a run in flight: the phase, batches, rows per second and the time left."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .runs import IN_PROGRESS, NO_REINDEX, READS_ALL, SyncRun, iso, parse_iso

if TYPE_CHECKING:  # answers/runs.py takes PHASES from here
    from .answers.runs import Progress

REINDEX, EXPORT = "reindex", "export"
PHASES = (REINDEX, EXPORT)


def _seconds(start: str, end: datetime) -> float:
    return max(0.0, (end - parse_iso(start)).total_seconds())


def live_progress(run: SyncRun, now: datetime, expected_rows: int | None) -> Progress | None:
    """Progress of an in-progress run, None for a finished one.

    While the reindex runs the rate is of source rows read (as of the last progress update) and the time left
    is the rest of the read, known only when the whole catalog is read (``expected_rows``: the feed's rows).
    Once sealed, the rate is of rows the exporters settled since the run started (they work while the reindex
    still reads) and the time left is the remaining batches at the pace of those done so far.
    """
    if run.status != IN_PROGRESS:
        return None
    batches_done = run.batches_done + run.batches_failed
    view: Progress = {"phase": EXPORT if run.sealed else REINDEX, "rows_seen": run.rows_seen,
                      "rows_changed": run.rows_changed, "batches_done": batches_done,
                      "batches_total": run.batches_total, "rows_per_second": None, "eta_seconds": None,
                      "rows_expected": expected_rows if run.mode in (*READS_ALL, NO_REINDEX) else None,
                      "updated_at": run.progress_at}
    if not run.sealed:
        elapsed = _seconds(run.started_at, parse_iso(run.progress_at)) if run.progress_at else 0.0
        if elapsed > 0 and run.rows_seen:
            rate = run.rows_seen / elapsed
            view["rows_per_second"] = round(rate, 1)
            if run.mode in (*READS_ALL, NO_REINDEX) and expected_rows:  # they read every row
                view["eta_seconds"] = round(max(0, expected_rows - run.rows_seen) / rate)
        return view
    view["updated_at"] = iso(now)  # the exporters' counters are live
    elapsed = _seconds(run.started_at, now)
    settled = run.rows_exported + max(0, run.rows_failed - run.rows_invalid)
    if elapsed > 0:
        view["rows_per_second"] = round(settled / elapsed, 1)
    if batches_done and run.batches_total is not None:
        remaining = max(0, run.batches_total - batches_done)
        view["eta_seconds"] = round(remaining * elapsed / batches_done)
    return view
