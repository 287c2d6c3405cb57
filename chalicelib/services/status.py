"""What the dashboard and the CLI show: the last sync with its live progress, the products synced, the
force-sync cooldown and whether export is enabled."""
from __future__ import annotations

from ..domain.answers.runs import Cooldown, Progress, Run, SyncStatus
from ..domain.cooldown import available_at, is_cooling
from ..domain.freshness import summary
from ..domain.progress import live_progress
from ..domain.runs import STATUS_LABELS, SyncRun, status_text
from .context import SyncContext


def run_view(run: SyncRun, progress: Progress | None = None) -> Run:
    """A run as the API shows it (``progress``: its live progress, while it is in flight)."""
    return {
        "run_id": run.run_id,
        "feed": run.feed,
        "trigger": run.trigger,
        "mode": run.mode,
        "status": STATUS_LABELS[run.status],
        "status_text": status_text(run),
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "rows_seen": run.rows_seen,
        "rows_changed": run.rows_changed,
        "rows_new": run.rows_new,
        "rows_updated": run.rows_updated,
        "rows_unchanged": run.rows_unchanged,
        "rows_deleted": run.rows_deleted,
        "rows_exported": run.rows_exported,
        "rows_failed": run.rows_failed,
        "batches_total": run.batches_total,
        "batches_done": run.batches_done,
        "batches_failed": run.batches_failed,
        "destination": run.destination,
        "error": run.error,
        "error_code": run.error_code,
        "error_counts": dict(run.error_counts),
        "rows_retrying": run.rows_retrying,
        "freshness": summary(run.freshness),
        "progress": progress,
    }


def with_progress(ctx: SyncContext, run: SyncRun, rows_total: int) -> Run:
    """The run's view and, while it is in flight, its live progress."""
    return run_view(run, live_progress(run, ctx.clock(), rows_total or None))


def cooldown_view(ctx: SyncContext, feed: str) -> Cooldown:
    seconds = ctx.settings.cooldown_seconds
    last = ctx.control.cooldowns.started_at(feed)
    cooling = is_cooling(last, seconds, ctx.clock())
    return {"seconds": seconds, "last_forced_at": last, "available": not cooling,
            "available_at": available_at(last, seconds) if cooling else None}


def sync_status(ctx: SyncContext, feed: str = "products") -> SyncStatus:
    run = ctx.runs.latest(feed)
    state = ctx.control.feed_states.get(feed)
    reason = ctx.export_disabled_reason
    return {
        "feed": feed,
        "last_sync": with_progress(ctx, run, state.rows_total) if run else None,
        "products_synced": {
            "last_success_at": state.last_success_at,
            "last_success_run_id": state.last_success_run_id,
            "products": state.products_total,
            "rows": state.rows_total,
        },
        "cooldown": cooldown_view(ctx, feed),
        "export": {
            "enabled": reason is None,
            "destination": ctx.destination.kind if ctx.destination else "none",
            "reason": reason,
        },
    }
