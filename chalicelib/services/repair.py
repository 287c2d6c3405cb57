"""A reconciliation's actions, run as a sync of mode repair through the normal export path (batches, their records,
the rows that name them, the export queue): "resend these" sends the stored documents of the missing and stale
items again; "delete these" sends the deletion of each orphaned item. Nothing is read from the source but its
store views (a deletion names its store).

Each item is checked against the rows as they are now: an item the source changed or deleted since the report is
left to the syncs (a resend sends a live row only; a deletion goes only where the source has no live row).
"""
from __future__ import annotations

from ..domain.errors import CatalogSyncError
from ..domain.feed import FeedRow, RowKey
from ..domain.feeds import Feed
from ..domain.reconciliation_report import DELETE, RESEND, ReconciliationReport
from ..domain.runs import SyncRun
from ..observability import logger
from .context import SyncContext
from .fanout import Fanout


class ReportNotFoundError(CatalogSyncError):
    """The report a repair run acts on is gone (expired) or was never written."""

    code = "reconciliation.report_not_found"


def parse_repair_of(repair_of: str | None) -> tuple[str, str]:
    """(report id, action) of a run's ``repair_of``."""
    report_id, _, action = (repair_of or "").rpartition("/")
    if not report_id or action not in (RESEND, DELETE):
        raise ReportNotFoundError(f"the run names no reconciliation action ({repair_of!r})")
    return report_id, action


def repair(ctx: SyncContext, feed: Feed, fanout: Fanout, run: SyncRun) -> None:
    """Send what the run's reconciliation action acts on; raises ReportNotFoundError."""
    report_id, action = parse_repair_of(run.repair_of)
    report = ctx.reconciliations.get(feed.name, report_id) if ctx.reconciliations else None
    if report is None:
        raise ReportNotFoundError(f"no reconciliation report {report_id} of the {feed.name} feed (reports are kept "
                                  "90 days); run a reconciliation again")
    if not fanout.enabled:
        return
    if action == RESEND:
        _resend(fanout, run, report)
    else:
        _delete(ctx, feed, fanout, run, report)
    logger.info("reconciliation action sent", extra={"run_id": run.run_id, "report_id": report_id, "action": action,
                                                       "rows": run.rows_seen})


def _resend(fanout: Fanout, run: SyncRun, report: ReconciliationReport) -> None:
    for row in fanout.rows.get_rows(sorted(set(report.keys_for(RESEND)))):
        if row.deleted or row.invalid is not None or not row.document:
            continue  # deleted since, or malformed at the source: not this action's to send
        run.rows_seen += 1
        fanout.send(row, changed=False)


def _delete(ctx: SyncContext, feed: Feed, fanout: Fanout, run: SyncRun, report: ReconciliationReport) -> None:
    keys = sorted(set(report.keys_for(DELETE)))
    if not keys:
        return
    scopes = {view.code: view for view in ctx.source.store_views()}
    rows = {row.key: row for row in fanout.rows.get_rows(keys)}
    for key in keys:
        row = rows.get(key)
        if row is not None and not row.deleted:
            continue  # live in the source (back since the report): not an orphan
        run.rows_seen += 1
        fanout.send(feed.deletion_row(row or _bare(key), scopes))
        run.rows_deleted += 1


def _bare(key: RowKey) -> FeedRow:
    """A row the feed never had (the destination holds an item no row names): its key only."""
    return FeedRow(key.id, key.scope)
