"""What the dashboard and the CLI show: the last sync and the products synced."""
from __future__ import annotations

from typing import Any

from ..domain.runs import STATUS_LABELS, SyncRun
from .context import SyncContext


def run_view(run: SyncRun) -> dict[str, Any]:
    """A run as the API shows it."""
    return {
        "run_id": run.run_id,
        "feed": run.feed,
        "trigger": run.trigger,
        "mode": run.mode,
        "status": STATUS_LABELS[run.status],
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "rows_seen": run.rows_seen,
        "rows_changed": run.rows_changed,
        "rows_deleted": run.rows_deleted,
        "rows_exported": run.rows_exported,
        "rows_failed": run.rows_failed,
        "batches_total": run.batches_total,
        "batches_done": run.batches_done,
        "batches_failed": run.batches_failed,
        "destination": run.destination,
        "error": run.error,
        "error_counts": dict(run.error_counts),
    }


def sync_status(ctx: SyncContext, feed: str = "products") -> dict[str, Any]:
    run = ctx.runs.latest(feed)
    state = ctx.control.feed_state(feed)
    reason = ctx.export_disabled_reason
    return {
        "feed": feed,
        "last_sync": run_view(run) if run else None,
        "products_synced": {
            "last_success_at": state.last_success_at,
            "last_success_run_id": state.last_success_run_id,
            "products": state.products_total,
            "rows": state.rows_total,
        },
        "export": {
            "enabled": reason is None,
            "destination": ctx.destination.kind if ctx.destination else "none",
            "reason": reason,
        },
    }
