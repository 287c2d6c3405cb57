"""Catalog reconciliation: does the destination hold exactly the feed? On demand (the API hands it to the trigger
queue; the CLI runs it in place) and daily (the hourly schedule, once a feed's reconcile sync has ended), with its
report kept with history; and the report's two actions.

Cost: the feed rows are read with one paginated Scan (their keys, hashes and deletion flags only), the
destination with its bulk read (``Destination.holdings``: about one request per 1,000 items); memory grows with
the feed's rows (domain/reconciliation.py), never with the items read.
"""
from __future__ import annotations

from datetime import timedelta

from ..domain.answers.reconciliation import Reconciliation, RepairAccepted
from ..domain.answers.reconciliation import ReconciliationReport as ReportView
from ..domain.errors import CatalogSyncError, DestinationError, LockHeldError
from ..domain.feeds import FEEDS, feed_named
from ..domain.reconciliation import SourceEntry, SourceIndex, compare
from ..domain.reconciliation_report import (
    ACTIONS,
    FAILED,
    RUNNING,
    ReconciliationReport,
    start_report,
)
from ..domain.runs import IN_PROGRESS, RECONCILIATION_TRIGGER, REPAIR, STATUS_LABELS, iso, parse_iso, past_deadline
from ..observability import logger
from ..ports import ReconciliationStore
from ..settings import TRIGGER_QUEUE_URL
from .context import SyncContext
from .finish import recover_stale_run
from .force import abandon_run
from .sync import open_sync

HISTORY = 20  # reports listed per feed
DAILY, SLACK = timedelta(days=1), timedelta(minutes=30)  # a schedule fires a little early or late


class ReconciliationUnavailableError(CatalogSyncError):
    """The destination cannot say what it holds (the S3 hub, or no destination), or the request cannot be handed on."""

    code = "reconciliation.unavailable"


class NotReconcilableError(ReconciliationUnavailableError):
    """The destination cannot list what it holds (the S3 hub), or export is disabled: asking again will not help."""

    code = "reconciliation.not_possible"


class ReportNotReadyError(CatalogSyncError):
    """An action on a report that is still running or failed."""

    code = "reconciliation.not_ready"


def _store(ctx: SyncContext) -> ReconciliationStore:
    if ctx.reconciliations is None:
        raise ReconciliationUnavailableError("reconciliation reports are not kept here")
    return ctx.reconciliations


def check_available(ctx: SyncContext) -> None:
    """Raise ReconciliationUnavailableError unless the destination can list what it holds."""
    destination = ctx.destination
    if destination is None:
        raise NotReconcilableError(f"nothing to reconcile: export is disabled ({ctx.export_disabled_reason})")
    if not destination.reads_back:
        raise NotReconcilableError(
            f"the {destination.kind} destination cannot say what it holds, so this feed cannot be reconciled: it keeps "
            "batches, not items (an item's newest version is spread over every batch ever delivered). Reconciliation "
            "needs the HTTP destination (an ingestion service that lists its items)")


def request_reconciliation(ctx: SyncContext, feed: str) -> ReconciliationReport:
    """Write a running report and hand it to the trigger queue (the API answers before the feed is read)."""
    check_available(ctx)
    store = _store(ctx)
    if ctx.trigger is None:
        raise ReconciliationUnavailableError(f"an on-demand reconciliation needs the trigger queue (set "
                                             f"{TRIGGER_QUEUE_URL}); run `catalog-sync reconcile --feed {feed}`")
    assert ctx.destination is not None
    report = start_report(feed, "api", ctx.destination.kind, ctx.clock())
    store.save(report)
    try:
        ctx.trigger.start_reconciliation(feed, report.report_id)
    except Exception as error:
        report.status, report.error, report.finished_at = FAILED, "the trigger queue refused the request", iso(
            ctx.clock())
        store.save(report)
        raise ReconciliationUnavailableError("the reconciliation could not be started: the trigger queue refused "
                                             "the message; try again") from error
    return report


def reconcile(ctx: SyncContext, feed: str, trigger: str = "cli",
              report: ReconciliationReport | None = None) -> ReconciliationReport:
    """Compare the feed's rows with what the destination holds; keep and return the report.

    Raises ReconciliationUnavailableError when the destination cannot be read back; a destination that fails
    while it is read leaves a failed report.
    """
    definition = feed_named(feed)
    check_available(ctx)
    assert ctx.destination is not None
    store = _store(ctx)
    report = report or start_report(feed, trigger, ctx.destination.kind, ctx.clock())
    lock = ctx.control.locks.holder(feed)
    report.run_in_flight = lock.run_id if lock is not None and not past_deadline(lock.expires_at, ctx.clock()) else None
    # Rows of batches still to be sent are not the destination's to hold yet.
    pending = {key for outcome in ctx.batches.outbox(feed) for key in outcome.keys}
    index = SourceIndex.for_feed(definition)
    for key, state in ctx.rows(feed).iter_states():
        if state.hash:  # a row with no valid document ever was never sent
            index.add(SourceEntry(key, state.hash, state.deleted))
    try:
        comparison = compare(index, ctx.destination.holdings(feed), pending)
    except DestinationError as error:
        report.status, report.error, report.error_code = FAILED, str(error), error.code
        report.finished_at = iso(ctx.clock())
    else:
        report.record(comparison, iso(ctx.clock()))
    store.save(report)
    logger.info("reconciliation done", extra={"feed": feed, "report_id": report.report_id, "status": report.status,
                                              "counts": report.counts, "held": report.held})
    return report


def run_requested_reconciliation(ctx: SyncContext, feed: str, report_id: str) -> ReconciliationReport | None:
    """The trigger queue's message: run the report the API wrote (a redelivery finds it no longer running)."""
    report = _store(ctx).get(feed, report_id)
    if report is None or report.status != RUNNING:
        logger.warning("reconciliation not found or already done", extra={"feed": feed, "report_id": report_id})
        return None
    try:
        return reconcile(ctx, feed, report=report)
    except ReconciliationUnavailableError as error:  # the destination changed since it was requested
        report.status, report.error, report.error_code = FAILED, str(error), error.code
        report.finished_at = iso(ctx.clock())
        _store(ctx).save(report)
        return report


def reconciliation_due(ctx: SyncContext, feed: str) -> bool:
    """Daily, after the reconcile: the feed's last full read of the source (a reconcile or full sync) is newer than
    its last report, that report is a day old (or there is none), and no run of the feed is in flight."""
    store = _store(ctx)
    last_read = ctx.control.feed_states.get(feed).last_full_read_at
    if last_read is None:
        return False
    latest = store.latest(feed, 1)
    if latest and (latest[0].started_at > last_read
                   or parse_iso(latest[0].started_at) + DAILY - SLACK > ctx.clock()):
        return False
    run = ctx.runs.latest(feed)
    return run is None or run.status != IN_PROGRESS


def due_reconciliations(ctx: SyncContext) -> list[ReconciliationReport]:
    """The hourly schedule's daily reconciliation of each feed the source reads, once its reconcile sync has ended
    (none where the destination cannot be read back). Never raises: the syncs have run."""
    try:
        check_available(ctx)
    except ReconciliationUnavailableError as error:
        logger.info("daily reconciliation skipped", extra={"reason": str(error)})
        return []
    reports = []
    for feed in FEEDS:
        try:
            if feed in ctx.source.feeds() and reconciliation_due(ctx, feed):
                reports.append(reconcile(ctx, feed, trigger="schedule"))
        except Exception:  # one feed's failure never stops the others
            logger.exception("daily reconciliation failed", extra={"feed": feed})
    return reports


def reconciliation_history(ctx: SyncContext, feed: str) -> Reconciliation:
    """The feed's latest report whole, and the history of reports (summaries), newest first."""
    reports = _store(ctx).latest(feed, HISTORY)
    available = True
    reason = None
    try:
        check_available(ctx)
    except ReconciliationUnavailableError as error:
        available, reason = False, str(error)
    return {"feed": feed, "available": available, "reason": reason,
            "latest": reports[0].view() if reports else None,
            "history": [report.summary() for report in reports]}


def report_detail(ctx: SyncContext, feed: str, report_id: str) -> ReportView | None:
    report = _store(ctx).get(feed, report_id)
    return report.view() if report is not None else None


def take_action(ctx: SyncContext, feed: str, report_id: str, action: str) -> RepairAccepted | None:
    """Open a repair run for the report's action and hand it to the trigger queue; None when there is no such
    report. Raises LockHeldError while a run is in flight, ReportNotReadyError, ReconciliationUnavailableError."""
    if action not in ACTIONS:
        raise ValueError(action)
    store = _store(ctx)
    report = store.get(feed, report_id)
    if report is None:
        return None
    if report.status == RUNNING:
        raise ReportNotReadyError(f"report {report_id} is still running")
    if report.status == FAILED:
        raise ReportNotReadyError(f"report {report_id} failed ({report.error}); run a reconciliation again")
    if ctx.trigger is None or ctx.destination is None:
        raise ReconciliationUnavailableError(f"the action needs the trigger queue (set {TRIGGER_QUEUE_URL}) and a "
                                             "destination")
    recover_stale_run(ctx, feed)
    lock = ctx.control.locks.holder(feed)
    if lock is not None and not past_deadline(lock.expires_at, ctx.clock()):
        raise LockHeldError(lock.run_id, lock.expires_at)
    run = open_sync(ctx, feed, RECONCILIATION_TRIGGER, REPAIR, repair_of=f"{report_id}/{action}")
    try:
        ctx.trigger.start_run(feed, run.run_id)
    except Exception as error:
        abandon_run(ctx, run, error)
        raise ReconciliationUnavailableError("the action could not be started: the trigger queue refused the "
                                             "message; try again") from error
    report.actions[action] = run.run_id
    store.save(report)
    return {"run_id": run.run_id, "feed": feed, "mode": REPAIR, "trigger": RECONCILIATION_TRIGGER,
            "status": STATUS_LABELS[IN_PROGRESS], "started_at": run.started_at, "report_id": report_id,
            "action": action, "items": len(report.keys_for(action))}
