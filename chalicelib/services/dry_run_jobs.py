"""A whole feed's dry run through the API: longer than a request may wait (API Gateway's 29 s), so the API opens it
as a run record marked dry run and answers 202 with its id; the trigger queue's Lambda performs it exactly as the
CLI's (services/dry_run.py: read and build, write no row, send nothing, take no lock nor cooldown) and keeps its
summary with that record, the only thing it writes. The record is listed in the feed's run history, never as its
latest run (nor read by any sync): its own partition of the runs' index (domain/runs.dry_run_partition)."""
from __future__ import annotations

from ..domain.answers.force import DryRunFeed, ForceSyncAccepted
from ..domain.resync import ResyncOptions
from ..domain.runs import FAILED, IN_PROGRESS, STATUS_LABELS, SUCCESS, SyncRun, iso, past_deadline, start_run
from ..observability import correlated, logger
from .context import SyncContext
from .dry_run import DryRun

# The trigger queue's Lambda has 300 s (.chalice/config.json): a dry run reads for at most this long, then ends
# Failed with the counts of what it read ("complete": false), rather than being cut off by the Lambda's timeout.
WORKER_BUDGET_SECONDS = 240.0
# Its record's deadline: the Lambda's timeout. A worker cut off before it ended (a crash) leaves the record in
# progress; the message's redelivery (after the trigger queue's visibility timeout) finds it claimed and past this,
# and fails it.
DEADLINE_SECONDS = 300


def open_dry_run(ctx: SyncContext, feed: str, mode: str, options: ResyncOptions, trigger: str) -> ForceSyncAccepted:
    """Write the dry run's record and hand it to the trigger queue; the 202's body. Raises CatalogSyncError when
    the trigger queue refuses it (the record is then failed)."""
    assert ctx.trigger is not None  # checked by the caller
    run = start_run(feed, trigger, mode, ctx.clock(), DEADLINE_SECONDS, options)
    run.dry_run = True
    run.destination = ctx.destination.kind if ctx.destination else "none"
    ctx.runs.create(run)
    try:
        ctx.trigger.start_dry_run(feed, run.run_id)
    except Exception as error:
        logger.exception("could not hand the dry run to the trigger queue", extra={"run_id": run.run_id})
        ctx.runs.finish(run.run_id, FAILED, f"the dry run could not be started: {type(error).__name__}",
                        iso(ctx.clock()))
        raise
    logger.info("dry run accepted", extra={"run_id": run.run_id, "feed": feed})
    return {"run_id": run.run_id, "feed": feed, "mode": mode, "trigger": trigger, "dry_run": True,
            "force": options.force, "status": STATUS_LABELS[IN_PROGRESS], "started_at": run.started_at,
            "cooldown_until": None}


def run_dry_run(ctx: SyncContext, run_id: str) -> SyncRun | None:
    """Perform the dry run the API opened and keep its summary with its record; a redelivered message finds it
    claimed (or ended) and does nothing."""
    record = ctx.runs.get(run_id)
    if record is None or not record.dry_run or record.status != IN_PROGRESS:
        logger.warning("dry run not found or already ended", extra={"run_id": run_id})
        return None
    now = ctx.clock()
    if not ctx.runs.claim_reindex(run_id, iso(now)):
        if past_deadline(record.deadline_at, now):  # its worker was cut off: the record says so
            ctx.runs.finish(run_id, FAILED, "the dry run stopped before it ended: its worker was cut off (a crash "
                            "or the Lambda's timeout); ask for it again", iso(now))
            return ctx.runs.get(run_id)
        logger.info("dry run already claimed (a redelivered message)", extra={"run_id": run_id})
        return None
    with correlated(run_id=run_id):
        try:
            dry = DryRun(ctx, budget_seconds=WORKER_BUDGET_SECONDS)
            found = dry.run(dry.open(record.feed, record.mode, record.options, record.trigger))
            ran = dry.ran
        except Exception as error:  # an option that no longer holds, a store that failed: the record says so
            logger.exception("the dry run failed", extra={"run_id": run_id})
            ctx.runs.finish(run_id, FAILED, f"the dry run failed: {type(error).__name__}", iso(ctx.clock()))
            return ctx.runs.get(run_id)
        assert ran is not None  # opened above
        return _keep(ctx, record, ran, found)


def _keep(ctx: SyncContext, record: SyncRun, ran: SyncRun, found: DryRunFeed) -> SyncRun | None:
    """The dry run's counts, causes and would-be sends onto its record, which ends Success (read to the end) or
    Failed (its error: the source's, or the budget's)."""
    for name in ("rows_seen", "rows_new", "rows_updated", "rows_unchanged", "rows_deleted", "rows_invalid",
                 "error_counts", "error_examples", "unknown_ids", "error", "error_code", "source_read_at"):
        setattr(record, name, getattr(ran, name))
    record.rows_changed = ran.rows_new + ran.rows_updated + ran.rows_deleted  # would be written (nothing was)
    send = found["send"]
    record.dry_run_send = {"items": send["items"], "deletions": send["deletions"], "batches": send["batches"],
                           "bytes": send["bytes"]}
    record.read_complete = bool(found["complete"])
    record.batches_total, record.sealed_at = 0, iso(ctx.clock())  # nothing to export: nothing to wait for
    ctx.runs.seal(record)
    ctx.runs.finish(record.run_id, SUCCESS if found["complete"] else FAILED, found["error"], iso(ctx.clock()))
    return ctx.runs.get(record.run_id)
