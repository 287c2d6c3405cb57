"""Sync runs: triggers, modes, states and the rule that decides how a run ends."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

IN_PROGRESS = "in_progress"
SUCCESS = "success"
FAILED = "failed"
STATUS_LABELS = {IN_PROGRESS: "In Progress", SUCCESS: "Success", FAILED: "Failed"}

TRIGGERS = ("schedule", "force", "cli", "events")
# partial: changes since the watermark plus the products change events marked dirty; full: the whole
# source, every row re-sent; reconcile: the whole source, only changed rows sent (plus deletions);
# no-reindex: the stored documents re-sent without reading the source; failed: the stored documents of the
# rows whose export failed (for now or for good) re-sent, without reading the source.
PARTIAL, FULL, RECONCILE, NO_REINDEX, FAILED_ONLY = "partial", "full", "reconcile", "no-reindex", "failed"
MODES = (PARTIAL, FULL, RECONCILE, NO_REINDEX, FAILED_ONLY)
READS_ALL = (FULL, RECONCILE)
FORCE_MODES = (FULL, NO_REINDEX, FAILED_ONLY)  # what an operator may force (the seed's resync and its options)

MAX_ERROR_CAUSES = 20
MAX_EXAMPLES_PER_CAUSE = 3  # example rows kept per cause of failure, so a run's item stays small


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC timestamps as sortable ISO 8601 text with millisecond precision."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def new_run_id(now: datetime) -> str:
    """Sortable by start time, unique by its random tail."""
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@dataclass
class SyncRun:
    run_id: str
    feed: str
    trigger: str
    mode: str
    started_at: str
    deadline_at: str
    status: str = IN_PROGRESS
    finished_at: str | None = None
    destination: str = "none"
    export_disabled_reason: str | None = None
    rows_seen: int = 0
    rows_changed: int = 0
    rows_deleted: int = 0
    rows_invalid: int = 0
    batches_total: int | None = None
    batches_done: int = 0
    batches_failed: int = 0
    rows_exported: int = 0
    rows_failed: int = 0
    error: str | None = None
    error_counts: dict[str, int] = field(default_factory=dict)
    # A few failed rows per cause ({"sku", "store_view_code"}), for the run's detail.
    error_examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    source_read_at: str | None = None
    progress_at: str | None = None  # the reindex's last progress update (rows seen, changed)
    sealed_at: str | None = None

    @property
    def sealed(self) -> bool:
        return self.batches_total is not None

    @property
    def complete(self) -> bool:
        """All batches of a sealed run are accounted for: it can be finished."""
        return self.sealed and self.batches_done + self.batches_failed >= (self.batches_total or 0)

    @property
    def export_enabled(self) -> bool:
        return self.export_disabled_reason is None


def start_run(feed: str, trigger: str, mode: str, now: datetime, deadline_seconds: int) -> SyncRun:
    return SyncRun(
        run_id=new_run_id(now), feed=feed, trigger=trigger, mode=mode,
        started_at=iso(now), deadline_at=iso(now + timedelta(seconds=deadline_seconds)),
    )


def outcome(run: SyncRun) -> tuple[str, str | None]:
    """How a complete run ends: (status, error summary)."""
    if run.error:
        return FAILED, run.error
    summary = error_summary(run.error_counts)
    if run.batches_total and run.batches_done == 0:
        return FAILED, f"every batch failed: {summary}" if summary else "every batch failed"
    return SUCCESS, summary


def error_summary(error_counts: dict[str, int]) -> str | None:
    """Causes grouped, most frequent first: '3 × price is not a number; 1 × missing sku'."""
    if not error_counts:
        return None
    causes = sorted(error_counts.items(), key=lambda item: (-item[1], item[0]))
    return "; ".join(f"{count} × {cause}" for cause, count in causes[:5])


def add_example(examples: dict[str, list[dict[str, str]]], cause: str, sku: str, store_view_code: str) -> None:
    """Keep the row as an example of ``cause`` while the cause has fewer than its share (and causes are few)."""
    rows = examples.get(cause)
    if rows is None:
        if len(examples) >= MAX_ERROR_CAUSES:
            return
        rows = examples[cause] = []
    if len(rows) < MAX_EXAMPLES_PER_CAUSE:
        rows.append({"sku": sku[:200], "store_view_code": store_view_code[:200]})


def cause_of(reason: str) -> str:
    """The group a row error belongs to: its text up to the first ':' (values differ per row)."""
    return reason.split(":", 1)[0].strip()[:120] or "unknown error"


def reconcile_due(last_full_read_at: str | None, interval_seconds: int, now: datetime) -> bool:
    """A scheduled sync reconciles when the source was never read whole, or not for ``interval_seconds``."""
    return last_full_read_at is None or parse_iso(last_full_read_at) + timedelta(seconds=interval_seconds) <= now


def past_deadline(deadline_at: str | None, now: datetime) -> bool:
    return deadline_at is not None and parse_iso(deadline_at) <= now
