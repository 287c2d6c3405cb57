"""Sync runs: triggers, modes, states and the rule that decides how a run ends."""
from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .errors import Failure
from .feed import RowKey
from .resync import ResyncOptions

IN_PROGRESS = "in_progress"
SUCCESS = "success"
FAILED = "failed"
STATUS_LABELS = {IN_PROGRESS: "In Progress", SUCCESS: "Success", FAILED: "Failed"}

# force: the API's force sync; reconciliation: a reconciliation report's action (a repair run).
FORCE_TRIGGER, RECONCILIATION_TRIGGER = "force", "reconciliation"
TRIGGERS = ("schedule", FORCE_TRIGGER, "cli", "events", RECONCILIATION_TRIGGER)
# partial: changes since the watermark plus the products change events marked dirty; full: the whole
# source, sending what is new, changed or not delivered (failed, rejected) and deletions — forced (options.force):
# every item; reconcile: the whole source, only changed rows sent (plus deletions); no-reindex: the stored
# documents re-sent without reading the source; failed: the stored documents of the rows whose export failed (for
# now or for good) re-sent, without reading the source; ids: the items asked for (options.ids), each sent;
# repair: a reconciliation's action — its missing and stale items re-sent, or its orphaned items deleted —
# without reading the source.
PARTIAL, FULL, RECONCILE, NO_REINDEX, FAILED_ONLY = "partial", "full", "reconcile", "no-reindex", "failed"
BY_IDS = "ids"
REPAIR = "repair"
MODES = (PARTIAL, FULL, RECONCILE, NO_REINDEX, FAILED_ONLY, BY_IDS, REPAIR)
READS_ALL = (FULL, RECONCILE)
FORCE_MODES = (FULL, NO_REINDEX, FAILED_ONLY)  # what an operator may force (the seed's resync and its options)

# What a run id (new_run_id's, or a test's shorter one) and a time (iso's) look like: an id from a URL or a cursor
# is held to these before it reaches a store.
RUN_ID_SHAPE = re.compile(r"[\w.:-]{1,100}", re.ASCII)
TIME_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", re.ASCII)
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
    rows_changed: int = 0  # rows written with a new version (new, changed, deletions)
    # What the read found, item by item (against the stored rows): the dry run's summary, and the run's.
    rows_new: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_deleted: int = 0
    rows_invalid: int = 0
    batches_total: int | None = None
    batches_done: int = 0
    batches_failed: int = 0
    rows_exported: int = 0
    rows_failed: int = 0
    error: str | None = None
    error_code: str | None = None  # the run's own failure (the source, an internal error), by code
    # Failed rows by failure code, and a few of them per code ({"id", "scope", "message"}), for the run's detail.
    error_counts: dict[str, int] = field(default_factory=dict)
    error_examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    source_read_at: str | None = None
    progress_at: str | None = None  # the reindex's last progress update (rows seen, changed)
    sealed_at: str | None = None
    rows_retrying: int = 0  # rows of batches failed for now (the dead-letter queue's): the next sync resends them
    freshness: dict[str, int] = field(default_factory=dict)  # lags of the items exported, by bucket (freshness.py)
    repair_of: str | None = None  # mode repair: "<report id>/<action>" of the reconciliation it acts on
    options: ResyncOptions = field(default_factory=ResyncOptions)
    # Where the read stands: a source position all of whose records are written (a resumed run reads from it),
    # and whether the read got to the end.
    read_position: str | None = None
    read_complete: bool = False
    unknown_ids: tuple[str, ...] = ()  # by ids: the ids the source does not have (and no row holds)

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


def status_text(run: SyncRun) -> str:
    """The status as a person reads it: a success whose batches partly failed for now says so."""
    label = STATUS_LABELS[run.status]
    if run.status == SUCCESS and run.rows_retrying:
        rows = "row" if run.rows_retrying == 1 else "rows"
        return f"{label} — {run.rows_retrying:,} {rows} failed, will retry"
    return label


def start_run(feed: str, trigger: str, mode: str, now: datetime, deadline_seconds: int,
              options: ResyncOptions | None = None) -> SyncRun:
    return SyncRun(
        run_id=new_run_id(now), feed=feed, trigger=trigger, mode=mode,
        started_at=iso(now), deadline_at=iso(now + timedelta(seconds=deadline_seconds)),
        options=options or ResyncOptions(),
    )


def outcome(run: SyncRun) -> tuple[str, str | None]:
    """How a complete run ends: (status, error summary)."""
    if run.error:
        return FAILED, run.error
    summary = error_summary(run.error_counts, run.error_examples)
    if run.batches_total and run.batches_done == 0:
        return FAILED, f"every batch failed: {summary}" if summary else "every batch failed"
    return SUCCESS, summary


def error_summary(error_counts: Mapping[str, int],
                  error_examples: Mapping[str, list[dict[str, str]]] | None = None) -> str | None:
    """Failures grouped by code, most frequent first, each told by its first example's message:
    '3 × price is not a number: 'abc'; 1 × missing sku'."""
    if not error_counts:
        return None
    causes = sorted(error_counts.items(), key=lambda item: (-item[1], item[0]))
    examples = error_examples or {}
    return "; ".join(f"{count} × {_told(code, examples.get(code))}" for code, count in causes[:5])


def _told(code: str, examples: list[dict[str, str]] | None) -> str:
    return examples[0].get("message") or code if examples else code


def add_failure(run: SyncRun, failure: Failure, key: RowKey, count: int = 1) -> None:
    """Count ``count`` rows failed with ``failure`` in the run, keeping ``key`` as an example."""
    run.error_counts[failure.code] = run.error_counts.get(failure.code, 0) + count
    add_example(run.error_examples, failure, key)


def add_example(examples: dict[str, list[dict[str, str]]], failure: Failure, key: RowKey) -> None:
    """Keep the row as an example of its failure's code while the code has fewer than its share (and codes are
    few)."""
    rows = examples.get(failure.code)
    if rows is None:
        if len(examples) >= MAX_ERROR_CAUSES:
            return
        rows = examples[failure.code] = []
    if len(rows) < MAX_EXAMPLES_PER_CAUSE:
        rows.append({"id": key.id[:200], "scope": key.scope[:200], "message": failure.message[:300]})


def reconcile_due(last_full_read_at: str | None, interval_seconds: int, now: datetime) -> bool:
    """A scheduled sync reconciles when the source was never read whole, or not for ``interval_seconds``."""
    return last_full_read_at is None or parse_iso(last_full_read_at) + timedelta(seconds=interval_seconds) <= now


def past_deadline(deadline_at: str | None, now: datetime) -> bool:
    return deadline_at is not None and parse_iso(deadline_at) <= now
