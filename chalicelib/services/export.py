"""Exporting one batch, and failing a batch that reached the dead-letter queue."""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

from ..domain.batching import ExportBatch, MalformedMessageError, decode
from ..domain.budget import Deadline, export_budget
from ..domain.errors import DestinationError
from ..domain.feed import RowKey
from ..domain.runs import add_example, cause_of, iso
from ..observability import BATCH_LATENCY, ROWS_EXPORTED, ROWS_FAILED, correlated, count, logger, milliseconds
from ..ports import ExportMark
from ..settings import NO_DESTINATION as NO_DESTINATION_CONFIGURED
from .context import SyncContext
from .finish import finish_if_complete

NO_DESTINATION = f"not exported: {NO_DESTINATION_CONFIGURED}"
GAVE_UP = "export failed after repeated attempts"
WILL_RETRY = "will retry"


def _marks(batch: ExportBatch) -> list[ExportMark]:
    return [ExportMark(row.key, row.hash, bool(row.document.get("deleted"))) for row in batch.rows]


def _decode(body: str) -> ExportBatch | None:
    try:
        return decode(body)
    except MalformedMessageError as error:
        # Retrying cannot fix a message we cannot read: log it whole and let it go.
        logger.error("malformed export message dropped", extra={"error": str(error), "body": body[:2000]})
        return None


def export_batch(ctx: SyncContext, body: str, remaining_ms: Callable[[], int] | None = None) -> str:
    """Deliver one message's batch and count it once. Raises on a retryable failure (SQS retries).

    ``remaining_ms`` is the Lambda context's ``get_remaining_time_in_millis``: the delivery's time budget is
    EXPORT_TIME_BUDGET_SECONDS, or less when the invocation has less time left (minus a safety margin).
    """
    remaining = remaining_ms() / 1000 if remaining_ms is not None else None
    deadline = Deadline.after(export_budget(ctx.settings.export_time_budget_seconds, remaining))
    batch = _decode(body)
    if batch is None:
        return "dropped"
    with correlated(run_id=batch.run_id, batch_id=batch.batch_id):
        return _export(ctx, batch, deadline)


def _export(ctx: SyncContext, batch: ExportBatch, deadline: Deadline) -> str:
    marks = _marks(batch)
    now = iso(ctx.clock())
    if ctx.destination is None:  # the destination went away after the fan-out: the rows wait for one
        return _fail(ctx, batch, marks, {m.key: NO_DESTINATION for m in marks}, retryable=True)
    started = time.monotonic()
    try:
        # modifiedAt is the run's start: the same on a redelivery, later for any newer version of a row, so
        # a late redelivery cannot pass for newer than what a later run sent.
        rejected = ctx.destination.deliver(batch, batch.run_started_at or now, deadline)
    except DestinationError as error:
        if error.next_sync:
            return _fail_for_now(ctx, batch, marks, str(error))
        if not error.retryable:
            return _fail(ctx, batch, marks, {m.key: str(error) for m in marks}, retryable=False)
        ctx.runs.note_batch_error(batch.run_id, batch.batch_no, str(error))
        raise
    except Exception as error:
        ctx.runs.note_batch_error(batch.run_id, batch.batch_no, f"{type(error).__name__}: {error}")
        raise
    milliseconds(BATCH_LATENCY, (time.monotonic() - started) * 1000)
    accepted = [m for m in marks if m.key not in rejected]
    ctx.rows(batch.feed).mark_exported(accepted, now)
    failed = [m for m in marks if m.key in rejected]
    if failed:
        ctx.rows(batch.feed).mark_failed(failed, rejected, retryable=False)
    causes = {key: cause_of(reason) for key, reason in rejected.items()}
    return _count(ctx, batch, len(accepted), len(failed), Counter(causes.values()), batch_failed=False,
                  examples=_examples(causes))


def fail_dead_batch(ctx: SyncContext, body: str) -> str:
    """A message that kept failing: its rows and its batch are failed, with the last error seen."""
    batch = _decode(body)
    if batch is None:
        return "dropped"
    with correlated(run_id=batch.run_id, batch_id=batch.batch_id):
        return _fail_for_now(ctx, batch, _marks(batch),
                             ctx.runs.batch_error(batch.run_id, batch.batch_no) or GAVE_UP)


def _fail_for_now(ctx: SyncContext, batch: ExportBatch, marks: list[ExportMark], error: str) -> str:
    """The batch fails; its rows wait in the outbox for the next sync."""
    reasons = {m.key: f"{WILL_RETRY}: {error}" for m in marks}
    # Grouped by what went wrong, not by the shared "will retry" prefix.
    return _fail(ctx, batch, marks, reasons, retryable=True,
                 causes={m.key: f"{WILL_RETRY}: {cause_of(error)}" for m in marks})


def _fail(ctx: SyncContext, batch: ExportBatch, marks: list[ExportMark], reasons: dict, retryable: bool,
          causes: dict[RowKey, str] | None = None) -> str:
    ctx.rows(batch.feed).mark_failed(marks, reasons, retryable=retryable)
    causes = causes or {key: cause_of(reason) for key, reason in reasons.items()}
    return _count(ctx, batch, 0, len(marks), Counter(causes.values()), batch_failed=True, examples=_examples(causes))


def _examples(causes: dict[RowKey, str]) -> dict[str, list[dict[str, str]]]:
    """A few rows of each cause, for the run's detail."""
    examples: dict[str, list[dict[str, str]]] = {}
    for key, cause in causes.items():
        add_example(examples, cause, key.sku, key.store_view_code)
    return examples


def _count(ctx: SyncContext, batch: ExportBatch, exported: int, failed: int, counts: Counter,
           batch_failed: bool, examples: dict[str, list[dict[str, str]]] | None = None) -> str:
    if not ctx.runs.record_batch(batch.run_id, batch.batch_no, exported, failed, counts, batch_failed,
                                 examples):
        logger.info("batch already counted (redelivered message)")
        return "duplicate"
    count(ROWS_EXPORTED, exported)
    count(ROWS_FAILED, failed)
    finish_if_complete(ctx, ctx.runs.get(batch.run_id))
    logger.info("batch counted", extra={"exported": exported, "failed": failed})
    return "failed" if batch_failed else "exported"
