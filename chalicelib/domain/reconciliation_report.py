"""A reconciliation's report, as it is kept (with history) and shown: counts, examples, the items its actions act on."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from .feed import RowKey
from .reconciliation import EXAMPLES, KINDS, MISSING, ORPHANED, STALE, Comparison
from .runs import iso

if TYPE_CHECKING:  # answers/reconciliation.py takes this module's words
    from .answers.reconciliation import ReconciledItem, ReconciliationSummary
    from .answers.reconciliation import ReconciliationReport as ReportView

RUNNING, DONE, FAILED = "running", "done", "failed"
STATUSES = (RUNNING, DONE, FAILED)
TRIGGERS = ("schedule", "api", "cli")
RESEND, DELETE = "resend", "delete"
ACTIONS = {RESEND: (MISSING, STALE), DELETE: (ORPHANED,)}  # what each action acts on
KEPT_DAYS = 90  # reports expire (TTL) after this


@dataclass
class ReconciliationReport:
    report_id: str
    feed: str
    trigger: str
    started_at: str
    destination: str
    status: str = RUNNING
    finished_at: str | None = None
    error: str | None = None
    error_code: str | None = None
    source_rows: int = 0
    source_deletions: int = 0
    held: int = 0
    in_sync: int = 0
    pending: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    items: dict[str, list[ReconciledItem]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    run_in_flight: str | None = None  # a sync held the feed's lock while the feed was read: differences may be its
    actions: dict[str, str] = field(default_factory=dict)  # action -> the run that carried it out

    def record(self, comparison: Comparison, finished_at: str) -> None:
        self.source_rows, self.source_deletions = comparison.source_rows, comparison.source_deletions
        self.held, self.in_sync, self.pending = comparison.held, comparison.in_sync, comparison.pending
        self.counts = {kind: comparison.found[kind].count for kind in KINDS}
        self.status = DONE
        self.items = {kind: list(comparison.found[kind].items) for kind in KINDS}
        self.finished_at = finished_at

    def keys_for(self, action: str) -> list[RowKey]:
        """The row keys the action acts on (items without one — an identity no row names — are left out)."""
        return [RowKey(id, scope) for kind in ACTIONS[action] for item in self.items[kind]
                if (id := item.get("id")) is not None and (scope := item.get("scope")) is not None]

    def summary(self) -> ReconciliationSummary:
        """The report as a list shows it: no items."""
        return {"report_id": self.report_id, "feed": self.feed, "trigger": self.trigger, "status": self.status,
                "started_at": self.started_at, "finished_at": self.finished_at, "destination": self.destination,
                "error": self.error, "error_code": self.error_code, "source_rows": self.source_rows,
                "source_deletions": self.source_deletions, "held": self.held, "in_sync": self.in_sync,
                "pending": self.pending, "counts": dict(self.counts), "run_in_flight": self.run_in_flight,
                "actions": dict(self.actions)}

    def view(self) -> ReportView:
        """The whole report: the summary, examples of each kind, and what each action would act on."""
        report: ReportView = {
            **self.summary(), "examples": {kind: self.items[kind][:EXAMPLES] for kind in KINDS},
            "actionable": {action: len(self.keys_for(action)) for action in ACTIONS}}
        return report


def new_report_id(now: datetime) -> str:
    """Sortable by start time, unique by its random tail (as run ids)."""
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def start_report(feed: str, trigger: str, destination: str, now: datetime) -> ReconciliationReport:
    return ReconciliationReport(new_report_id(now), feed, trigger, iso(now), destination)
