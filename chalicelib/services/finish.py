"""Ending runs: exactly one writer finishes a complete run; stale runs are failed."""
from __future__ import annotations

from ..domain.runs import FAILED, IN_PROGRESS, SUCCESS, SyncRun, iso, outcome, past_deadline
from ..observability import RUNS_FAILED, SYNCS_SUCCEEDED, count, logger
from .context import SyncContext


def finish_if_complete(ctx: SyncContext, run: SyncRun | None) -> bool:
    """Finish ``run`` when all its batches are accounted for; True for the one writer that did."""
    if run is None or run.status != IN_PROGRESS or not run.complete:
        return False
    status, error = outcome(run)
    finished_at = iso(ctx.clock())
    # Conditional on the run still being in progress: the sealer and the last exporters may race here.
    if not ctx.runs.finish(run.run_id, status, error, finished_at):
        return False
    run.status, run.error, run.finished_at = status, error, finished_at
    if status == SUCCESS:
        ctx.control.feed_states.record_success(run.feed, run.run_id, finished_at, run.source_read_at)
    if ctx.destination is not None and run.batches_total:
        try:
            ctx.destination.complete_run(run)
        except Exception:  # the run's outcome stands; a missing manifest is only logged
            logger.exception("could not complete the run at the destination", extra={"run_id": run.run_id})
    ctx.control.locks.release(run.feed, run.run_id)
    count(RUNS_FAILED if status == FAILED else SYNCS_SUCCEEDED)  # alarms watch both
    logger.info("run finished", extra={"run_id": run.run_id, "status": status, "error": error})
    return True


def recover_stale_run(ctx: SyncContext, feed: str) -> SyncRun | None:
    """Free the feed's lock when its run is over: fail the run whose lock outlived its deadline, and release a
    lock whose run has already finished (its finisher releases it a moment after the run's status says so: a
    caller that saw "finished" and starts the next run must not be refused). Return the failed run, if any."""
    lock = ctx.control.locks.holder(feed)
    if lock is None:
        return None
    now = ctx.clock()
    if not past_deadline(lock.expires_at, now):
        # No run record yet: one is being opened (the lock is taken before its run is written); leave it.
        finished = ctx.runs.get(lock.run_id)
        if finished is not None and finished.status != IN_PROGRESS:
            ctx.control.locks.release(feed, lock.run_id)
        return None
    run = ctx.runs.get(lock.run_id)
    if run is not None and run.status == IN_PROGRESS:
        error = f"the run did not finish before its deadline ({lock.expires_at})"
        if ctx.runs.finish(run.run_id, FAILED, error, iso(now)):
            run.status, run.error = FAILED, error
            count(RUNS_FAILED)
            logger.warning("stale run failed", extra={"run_id": run.run_id})
    ctx.control.locks.release(feed, lock.run_id)
    return run
