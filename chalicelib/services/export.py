"""Exporting one batch, and failing a batch that reached the dead-letter queue."""
from __future__ import annotations

from collections import Counter

from ..observability import correlated, logger

from ..domain.batching import ExportBatch, MalformedMessageError, decode
from ..domain.errors import DestinationError
from ..domain.runs import cause_of, iso
from ..ports import ExportMark
from .context import SyncContext
from .finish import finish_if_complete


NO_DESTINATION = "not exported: no SaaS destination configured"
GAVE_UP = "export failed after repeated attempts"


def _marks(batch: ExportBatch) -> list[ExportMark]:
    return [ExportMark(row.key, row.hash, bool(row.document.get("deleted"))) for row in batch.rows]


def _decode(body: str) -> ExportBatch | None:
    try:
        return decode(body)
    except MalformedMessageError as error:
        # Retrying cannot fix a message we cannot read: log it whole and let it go.
        logger.error("malformed export message dropped", extra={"error": str(error), "body": body[:2000]})
        return None


def export_batch(ctx: SyncContext, body: str) -> str:
    """Deliver one message's batch and count it once. Raises on a retryable failure (SQS retries)."""
    batch = _decode(body)
    if batch is None:
        return "dropped"
    with correlated(run_id=batch.run_id, batch_id=batch.batch_id):
        return _export(ctx, batch)


def _export(ctx: SyncContext, batch: ExportBatch) -> str:
    marks = _marks(batch)
    now = iso(ctx.clock())
    if ctx.destination is None:
        return _fail(ctx, batch, marks, {m.key: NO_DESTINATION for m in marks}, retryable=False)
    try:
        rejected = ctx.destination.deliver(batch, now)
    except DestinationError as error:
        if not error.retryable:
            return _fail(ctx, batch, marks, {m.key: str(error) for m in marks}, retryable=False)
        ctx.runs.note_batch_error(batch.run_id, batch.batch_no, str(error))
        raise
    except Exception as error:
        ctx.runs.note_batch_error(batch.run_id, batch.batch_no, f"{type(error).__name__}: {error}")
        raise
    accepted = [m for m in marks if m.key not in rejected]
    ctx.feed_rows.mark_exported(accepted, now)
    failed = [m for m in marks if m.key in rejected]
    if failed:
        ctx.feed_rows.mark_failed(failed, rejected, retryable=False)
    counts = Counter(cause_of(reason) for reason in rejected.values())
    return _count(ctx, batch, len(accepted), len(failed), counts, batch_failed=False)


def fail_dead_batch(ctx: SyncContext, body: str) -> str:
    """A message that kept failing: its rows and its batch are failed, with the last error seen."""
    batch = _decode(body)
    if batch is None:
        return "dropped"
    with correlated(run_id=batch.run_id, batch_id=batch.batch_id):
        return _fail_dead(ctx, batch)


def _fail_dead(ctx: SyncContext, batch: ExportBatch) -> str:
    last_error = ctx.runs.batch_error(batch.run_id, batch.batch_no) or GAVE_UP
    marks = _marks(batch)
    reasons = {m.key: f"will retry: {last_error}" for m in marks}
    # Grouped by what went wrong, not by the shared "will retry" prefix.
    counts = Counter({f"will retry: {cause_of(last_error)}": len(marks)})
    return _fail(ctx, batch, marks, reasons, retryable=True, counts=counts)


def _fail(ctx: SyncContext, batch: ExportBatch, marks: list[ExportMark], reasons: dict, retryable: bool,
          counts: Counter | None = None) -> str:
    ctx.feed_rows.mark_failed(marks, reasons, retryable=retryable)
    counts = counts or Counter(cause_of(reason) for reason in reasons.values())
    return _count(ctx, batch, 0, len(marks), counts, batch_failed=True)


def _count(ctx: SyncContext, batch: ExportBatch, exported: int, failed: int, counts: Counter,
           batch_failed: bool) -> str:
    if not ctx.runs.record_batch(batch.run_id, batch.batch_no, exported, failed, counts, batch_failed):
        logger.info("batch already counted (redelivered message)")
        return "duplicate"
    finish_if_complete(ctx, ctx.runs.get(batch.run_id))
    logger.info("batch counted", extra={"exported": exported, "failed": failed})
    return "failed" if batch_failed else "exported"
