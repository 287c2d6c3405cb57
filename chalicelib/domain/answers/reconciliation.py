"""The answers of reconciliation and alerts: a report (domain/reconciliation_report.py), a feed's reports, a repair
run started (services/reconciliation.py) and the alerts (services/alerts.py)."""
from typing import Annotated, NotRequired, TypedDict

from ..reconciliation import EXAMPLES, KINDS
from ..reconciliation_report import ACTIONS, STATUSES, TRIGGERS
from ..runs import RECONCILIATION_TRIGGER, REPAIR
from ..vocabulary import ALERT_CODES, ALERT_SEVERITIES
from . import Count, Json, Keys, OneOf, Time
from .force import InProgress
from .runs import Feed


class ReconciledItem(TypedDict):
    identity: Annotated[list[str], "the feed's identity values, as the destination names the item"]
    id: str | None
    scope: Annotated[str | None, "null: no row names this item"]


class ReconciliationSummary(TypedDict):
    report_id: str
    feed: Feed
    trigger: Annotated[str, OneOf(TRIGGERS)]
    status: Annotated[str, OneOf(STATUSES)]
    started_at: Time
    finished_at: Time | None
    destination: str
    error: str | None
    error_code: str | None
    source_rows: Annotated[Count, "live rows of the feed"]
    source_deletions: Count
    held: Annotated[Count, "items the destination listed, deletions included"]
    in_sync: Count
    pending: Annotated[Count, "rows still to be sent (their batch is in the outbox)"]
    counts: Annotated[dict[str, Count], Keys.of(KINDS)]
    run_in_flight: Annotated[str | None, "a run held the feed while it was read"]
    actions: Annotated[dict[str, str], "action -> the run that carried it out"]


class ReconciliationReport(ReconciliationSummary):
    """The whole report: its summary, examples of each kind and what each action would act on."""

    examples: Annotated[dict[str, Annotated[list[ReconciledItem], Json(maxItems=EXAMPLES)]], Keys.of(KINDS)]
    actionable: Annotated[dict[str, Count], Keys.of(tuple(ACTIONS))]


class Reconciliation(TypedDict):
    feed: Feed
    available: bool
    reason: str | None
    latest: ReconciliationReport | None
    history: list[ReconciliationSummary]


class RepairAccepted(TypedDict):
    run_id: str
    feed: Feed
    mode: Annotated[str, OneOf((REPAIR,))]
    trigger: Annotated[str, OneOf((RECONCILIATION_TRIGGER,))]
    status: InProgress
    started_at: Time
    report_id: str
    action: Annotated[str, OneOf(tuple(ACTIONS))]
    items: Count


class Alert(TypedDict):
    code: Annotated[str, OneOf(ALERT_CODES)]
    feed: Feed
    severity: Annotated[str, OneOf(ALERT_SEVERITIES)]
    message: str
    action: Annotated[str, "what to do"]
    run_id: NotRequired[str | None]
    last_success_at: NotRequired[Time | None]
    rows: NotRequired[Count]


class Alerts(TypedDict):
    alerts: list[Alert]
    checked_at: Time
    freshness_threshold_minutes: Count
