"""What the CloudWatch alarms watch, as the dashboard shows it: one alert per feed and condition, with what to do.

- a failed run (RunFailedAlarm): the feed's last run ended Failed;
- no success for 2 hours (the alarm on successful syncs): the feed's last success is older, or there was none;
- the dead-letter queue (ExportDeadLetterAlarm): rows of batches that failed for now wait in the outbox (the
  dead-letter handler takes each message at once, so the queue itself is empty by the time anyone looks);
- freshness over the threshold: the last finished run's p95 is above FRESHNESS_THRESHOLD_MINUTES.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..domain.answers.reconciliation import Alert, Alerts
from ..domain.batches import FAILED as BATCH_FAILED
from ..domain.feeds import FEEDS
from ..domain.freshness import summary
from ..domain.runs import FAILED, IN_PROGRESS, iso, parse_iso
from ..domain.vocabulary import ALERT_CODES, DEAD_LETTER, FRESHNESS, NO_RECENT_SUCCESS, RUN_FAILED
from .context import SyncContext

NO_SUCCESS_FOR = timedelta(hours=2)
CODES = ALERT_CODES


def _alert(code: str, feed: str, severity: str, message: str, action: str) -> Alert:
    """An alert; the caller adds what it may say besides (run_id, last_success_at, rows)."""
    return {"code": code, "feed": feed, "severity": severity, "message": message, "action": action}


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} hours" if seconds >= 3600 else f"{seconds / 60:.0f} minutes"


def feed_alerts(ctx: SyncContext, feed: str) -> list[Alert]:
    now = ctx.clock()
    found: list[Alert] = []
    run = ctx.runs.latest(feed)
    if run is not None and run.status == FAILED:
        failed = _alert(RUN_FAILED, feed, "error", f"The last {feed} sync (run {run.run_id}) failed: "
                                                   f"{run.error or 'no reason recorded'}",
                        "Open the run in Run history to see why; once the cause is fixed (the source, the "
                        "destination's credentials), force a sync or wait for the next hourly one.")
        failed["run_id"] = run.run_id
        found.append(failed)
    state = ctx.control.feed_states.get(feed)
    last = state.last_success_at
    first_run_young = run is None or (now - parse_iso(run.started_at)) < NO_SUCCESS_FOR
    if (last is None and not first_run_young) or (last is not None and now - parse_iso(last) > NO_SUCCESS_FOR):
        since = f"since {last} ({_hours((now - parse_iso(last)).total_seconds())} ago)" if last else "ever"
        running = run is not None and run.status == IN_PROGRESS
        quiet = _alert(NO_RECENT_SUCCESS, feed, "error", f"No successful {feed} sync {since}.",
                       "A run is in progress: watch it finish." if running else
                       "Check the last runs' errors in Run history, then force a sync; if runs do not start at "
                       "all, check the schedule and the sync Lambda's logs.")
        quiet["last_success_at"] = last
        found.append(quiet)
    retrying = sum(len(batch.keys) for batch in ctx.batches.outbox(feed)
                   if batch.status == BATCH_FAILED and batch.retryable)
    if retrying:
        dead = _alert(DEAD_LETTER, feed, "warning", f"{retrying:,} {feed} rows failed to export after repeated "
                                                    "attempts (their batches reached the dead-letter queue); they "
                                                    "will be retried.",
                      "The next sync resends them; force a sync with mode failed to resend them now. If it keeps "
                      "happening, check the destination (Settings) and the exporter's logs.")
        dead["rows"] = retrying
        found.append(dead)
    threshold = ctx.settings.freshness_threshold_minutes * 60
    finished = _last_finished(ctx, feed)
    fresh = summary(finished.freshness) if finished is not None else None
    if fresh is not None and fresh["p95_seconds"] > threshold:
        slow = _alert(FRESHNESS, feed, "warning",
                      f"Changes to {feed} took {_hours(fresh['p95_seconds'])} to reach the destination (p95 of run "
                      f"{finished.run_id}), over the {ctx.settings.freshness_threshold_minutes}-minute threshold.",
                      "Check that the hourly sync and the change events run (a backlog of dirty products), and the "
                      "export's speed in the run's detail; raise FRESHNESS_THRESHOLD_MINUTES if this is expected.")
        slow["run_id"] = finished.run_id if finished else None
        found.append(slow)
    return found


def _last_finished(ctx: SyncContext, feed: str) -> Any:
    runs, _ = ctx.runs.list_runs(feed, 5)
    return next((run for run in runs if run.status != IN_PROGRESS and run.freshness), None)


def alerts(ctx: SyncContext) -> Alerts:
    """Every alert of the feeds the source reads, errors first."""
    found = [alert for feed in FEEDS if feed in ctx.source.feeds() for alert in feed_alerts(ctx, feed)]
    found.sort(key=lambda alert: (alert["severity"] != "error", CODES.index(alert["code"])))
    return {"alerts": found, "checked_at": iso(ctx.clock()),
            "freshness_threshold_minutes": ctx.settings.freshness_threshold_minutes}
