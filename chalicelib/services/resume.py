"""Continuing an interrupted full resync (Ctrl-C, a crash, its deadline, a source that failed): a new run reads on
from where the interrupted one's read stopped, with its options, and sends nothing twice."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from ..domain.errors import CatalogSyncError, LockHeldError
from ..domain.resync import ResyncOptions
from ..domain.runs import FAILED, FULL, IN_PROGRESS, STATUS_LABELS, SyncRun, iso, parse_iso
from ..observability import logger
from .context import SyncContext
from .finish import recover_stale_run
from .sync import open_sync

STALL_SECONDS = 300  # a reading run writes its progress every few seconds: this long without any, it is dead
LOOK_BACK = 50  # runs of the feed looked through for its last full resync


class NothingToContinueError(CatalogSyncError):
    """There is no interrupted full resync of the feed (none ran, or the last one read the whole feed)."""

    code = "resync.nothing_to_continue"


def interrupted_resync(ctx: SyncContext, feed: str) -> SyncRun:
    """The feed's last full resync, if its read did not finish. One still in progress is taken over only when it
    has written no progress for STALL_SECONDS (its process died); otherwise LockHeldError."""
    recover_stale_run(ctx, feed)
    runs, _ = ctx.runs.list_runs(feed, LOOK_BACK)
    run = next((run for run in runs if run.mode == FULL), None)
    if run is None:
        raise NothingToContinueError(f"no full resync of {feed} to continue: start one with "
                                     f"`catalog-sync resync --feed {feed}`")
    if run.options.cleanup:
        raise NothingToContinueError(f"the last full resync of {feed} (run {run.run_id}) was a cleanup, which "
                                     "rebuilds every row from the start: run it again")
    if run.read_complete:
        raise NothingToContinueError(f"the last full resync of {feed} (run {run.run_id}, "
                                     f"{STATUS_LABELS[run.status]}) read the whole feed: there is nothing to continue")
    if run.status == IN_PROGRESS:
        _take_over(ctx, run)
    return run


def _take_over(ctx: SyncContext, run: SyncRun) -> None:
    now = ctx.clock()
    last = parse_iso(run.progress_at or run.started_at)
    if now - last < timedelta(seconds=STALL_SECONDS):
        raise LockHeldError(run.run_id, run.deadline_at)
    error = f"stalled: no progress since {iso(last)} (its process stopped); continued by a later run"
    if ctx.runs.finish(run.run_id, FAILED, error, iso(now)):
        logger.warning("stalled run failed", extra={"run_id": run.run_id})
    ctx.control.locks.release(run.feed, run.run_id)
    run.status = FAILED


def open_continuation(ctx: SyncContext, feed: str, trigger: str, given: ResyncOptions | None = None) -> SyncRun:
    """Open the run that continues the feed's interrupted full resync (its options, unless ``given`` says
    otherwise: force, batch size, thread count); continue_sync reads on from where it stopped."""
    previous = interrupted_resync(ctx, feed)
    given = given or ResyncOptions()
    before = previous.options
    position = previous.read_position or before.resume_from
    options = replace(before, resumes=(*before.resumes, previous.run_id), resume_from=position,
                      first_read_at=(before.first_read_at or previous.source_read_at) if position else None,
                      force=before.force or given.force, batch_size=given.batch_size or before.batch_size,
                      thread_count=given.thread_count or before.thread_count)
    run = open_sync(ctx, feed, trigger, FULL, options)
    logger.info("full resync continued", extra={"run_id": run.run_id, "continues": previous.run_id,
                                                 "from": position})
    return run
