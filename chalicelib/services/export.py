"""Exporting one batch, and failing a batch that reached the dead-letter queue.

The exporter writes no row: it settles its batch's outcome record once (and the run's counters with it), and
every row the batch carried takes its state from that record for as long as the row names the batch.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

from ..domain.batches import DONE, FAILED, BatchOutcome
from ..domain.batching import ExportBatch, MalformedMessageError, decode
from ..domain.budget import Deadline, export_budget
from ..domain.errors import DestinationError, Failure
from ..domain.feed import RowKey
from ..domain.feeds.products import PRODUCTS
from ..domain.freshness import histogram
from ..domain.runs import add_example, iso
from ..observability import BATCH_LATENCY, ROWS_EXPORTED, ROWS_FAILED, correlated, count, logger, milliseconds
from ..ports import Settlement
from ..settings import NO_DESTINATION as NO_DESTINATION_CONFIGURED
from .context import SyncContext
from .fanout import NO_DESTINATION_CODE
from .finish import finish_if_complete

NO_DESTINATION = Failure(NO_DESTINATION_CODE, f"not exported: {NO_DESTINATION_CONFIGURED}")
GAVE_UP = Failure("export.gave_up", "export failed after repeated attempts")
INTERNAL = "export.internal"


def _decode(body: str) -> ExportBatch | None:
    try:
        return decode(body)
    except MalformedMessageError as error:
        # Retrying cannot fix a message we cannot read: log it whole and let it go.
        logger.error("malformed export message dropped", extra={"error": str(error), "body": body[:2000]})
        return None


def export_batch(ctx: SyncContext, body: str, remaining_ms: Callable[[], int] | None = None) -> str:
    """Deliver one message's batch and settle it once. Raises on a retryable failure (SQS retries).

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
    if ctx.destination is None:  # the destination went away after the fan-out: the rows wait for one
        return _fail(ctx, batch, NO_DESTINATION, retryable=True)
    started = time.monotonic()
    now = iso(ctx.clock())
    try:
        # modifiedAt is the run's start: the same on a redelivery, later for any newer version of a row, so
        # a late redelivery cannot pass for newer than what a later run sent.
        rejected = ctx.destination.deliver(batch, batch.run_started_at or now, deadline)
    except DestinationError as error:
        if error.next_sync:
            return _fail(ctx, batch, error.failure, retryable=True)
        if not error.retryable:
            return _fail(ctx, batch, error.failure, retryable=False)
        ctx.batches.note_error(batch.batch_id, error.failure)
        raise
    except Exception as error:
        ctx.batches.note_error(batch.batch_id, Failure(INTERNAL, f"{type(error).__name__}: {error}"))
        raise
    milliseconds(BATCH_LATENCY, (time.monotonic() - started) * 1000)
    finished_at = iso(ctx.clock())
    outcome = BatchOutcome(batch.batch_id, batch.feed, DONE, _keys(batch), finished_at, rejected=rejected)
    exported = len(batch.rows) - len(rejected)
    lags = histogram((row.last_modified for row in batch.rows if row.key not in rejected), finished_at,
                     batch.run_started_at)
    return _settle(ctx, batch, outcome, Settlement(exported, len(rejected), _counts(rejected.values()),
                                                   _examples(rejected), freshness=lags))


def fail_dead_batch(ctx: SyncContext, body: str) -> str:
    """A message that kept failing: its batch fails for now with the last failure seen; its rows wait in the
    outbox for the next sync."""
    batch = _decode(body)
    if batch is None:
        return "dropped"
    with correlated(run_id=batch.run_id, batch_id=batch.batch_id):
        return _fail(ctx, batch, ctx.batches.last_error(batch.batch_id) or GAVE_UP, retryable=True)


def _fail(ctx: SyncContext, batch: ExportBatch, failure: Failure, retryable: bool) -> str:
    """The whole batch fails: for now (``retryable``: its rows wait in the outbox) or until its rows change."""
    outcome = BatchOutcome(batch.batch_id, batch.feed, FAILED, _keys(batch), iso(ctx.clock()), failure=failure,
                           retryable=retryable)
    failures = dict.fromkeys(outcome.keys, failure)
    return _settle(ctx, batch, outcome, Settlement(0, len(batch.rows), {failure.code: len(batch.rows)},
                                                   _examples(failures), batch_failed=True,
                                                   retrying=len(batch.rows) if retryable else 0))


def _keys(batch: ExportBatch) -> tuple[RowKey, ...]:
    return tuple(row.key for row in batch.rows)


def _counts(failures: Iterable[Failure]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for failure in failures:
        counts[failure.code] = counts.get(failure.code, 0) + 1
    return counts


def _examples(failures: Mapping[RowKey, Failure]) -> dict[str, list[dict[str, str]]]:
    """A few rows of each failure code, for the run's detail."""
    examples: dict[str, list[dict[str, str]]] = {}
    for key, failure in failures.items():
        add_example(examples, failure, key)
    return examples


def _settle(ctx: SyncContext, batch: ExportBatch, outcome: BatchOutcome, counts: Settlement) -> str:
    if not _settled(ctx, batch, outcome, counts):
        logger.info("batch already settled (a redelivered message)")
        return "duplicate"
    count(ROWS_EXPORTED, counts.exported)
    count(ROWS_FAILED, counts.failed)
    finish_if_complete(ctx, ctx.runs.get(batch.run_id))
    logger.info("batch settled", extra={"exported": counts.exported, "failed": counts.failed})
    return "failed" if counts.batch_failed else "exported"


def _settled(ctx: SyncContext, batch: ExportBatch, outcome: BatchOutcome, counts: Settlement) -> bool:
    """Settle the batch with the products search's journal of its outcome in the same write. The search never holds
    an export up: when that write fails, the batch settles alone and the search is told on its own."""
    search = ctx.product_search if batch.feed == PRODUCTS else None
    journal = search.outcome_journal(batch, outcome) if search is not None else []
    if journal:
        try:
            return ctx.batches.settle(outcome, counts, journal)
        except Exception:
            logger.exception("could not settle the batch with its search journal; settling it alone")
    if not ctx.batches.settle(outcome, counts):
        return False
    if search is not None and journal:
        search.batch_outcome(batch, outcome)
    return True
