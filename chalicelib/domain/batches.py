"""Export state per batch: a batch's outcome record is the source of every row's export state.

A row is written once per version, naming the batch that carries that version. The exporter never writes rows:
it writes its batch's outcome once (done, with the rows the destination rejected; or failed), and each row's
state is read through the batch it names. A late or redelivered batch can never mark a newer version: the
row names a newer batch.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import Failure
from .feed import RowKey

# A batch's life: open (created, its message may be on its way), held (no destination: never sent, waiting
# for one), done (delivered; some rows may have been rejected) or failed (the whole batch; retryable or not).
# A batch whose rows went out again in later batches is retired: out of the outbox, its record unchanged.
OPEN, HELD, DONE, FAILED = "open", "held", "done", "failed"

# Item statuses, as Adobe's Data Feed Sync Status names them (and "deleted", "not exported").
SUBMITTED = "submitted"
AWAITING = "awaiting_submission"
WILL_RETRY = "failed_will_retry"
ATTENTION = "failed_requires_attention"
DELETED = "deleted"
NOT_EXPORTED = "not_exported"
ITEM_STATUSES = (SUBMITTED, AWAITING, WILL_RETRY, ATTENTION, DELETED, NOT_EXPORTED)
ITEM_STATUS_LABELS = {SUBMITTED: "Submitted", AWAITING: "Awaiting submission", WILL_RETRY: "Failed, will retry",
                      ATTENTION: "Failed, requires attention", DELETED: "Deleted", NOT_EXPORTED: "Not exported"}


def batch_id(run_id: str, batch_no: int) -> str:
    return f"{run_id}/{batch_no:05d}"


def split_batch_id(value: str) -> tuple[str, int]:
    run_id, _, number = value.rpartition("/")
    return run_id, int(number)


@dataclass(frozen=True)
class BatchOutcome:
    """A batch's record: what it carried and how it ended."""

    batch_id: str
    feed: str
    status: str = OPEN
    keys: tuple[RowKey, ...] = ()
    finished_at: str | None = None
    rejected: Mapping[RowKey, Failure] = field(default_factory=dict)  # rows the destination refused (done)
    failure: Failure | None = None  # why the whole batch failed (failed), or why it is held
    retryable: bool = False  # failed: its rows wait in the outbox for the next sync
    named: bool = True  # some row names it (False: it only resends what the destination holds; may expire)

    @property
    def in_outbox(self) -> bool:
        """Its rows are still to be (re)sent by a later run."""
        return self.status in (OPEN, HELD) or (self.status == FAILED and self.retryable)

    @property
    def needs_attention(self) -> bool:
        """Rows of it failed until they change (rejected, or the whole batch refused for good)."""
        return bool(self.rejected) or (self.status == FAILED and not self.retryable)


@dataclass(frozen=True)
class RowState:
    """A row's export state as the dashboard shows it."""

    status: str
    error: str | None = None
    error_code: str | None = None
    exported_at: str | None = None  # when this version, or else the last earlier one, reached the destination


def row_state(key: RowKey, deleted: bool, outcome: BatchOutcome | None, invalid: Failure | None = None,
              exported_before: str | None = None) -> RowState:
    """The state of a row whose current version travels in ``outcome``'s batch (None: in none, or its record is
    gone). A source record found malformed fails the row whatever its last good version's batch did."""
    if invalid is not None:
        return RowState(ATTENTION, invalid.message, invalid.code, exported_before)
    if outcome is None or outcome.status == HELD:
        failure = outcome.failure if outcome else None
        return RowState(NOT_EXPORTED, failure.message if failure else None, failure.code if failure else None,
                        exported_before)
    if outcome.status == DONE:
        rejection = outcome.rejected.get(key)
        if rejection is not None:
            return RowState(ATTENTION, rejection.message, rejection.code, exported_before)
        return RowState(DELETED if deleted else SUBMITTED, None, None, outcome.finished_at)
    if outcome.status == FAILED and outcome.failure is not None:
        return RowState(WILL_RETRY if outcome.retryable else ATTENTION, outcome.failure.message,
                        outcome.failure.code, exported_before)
    return RowState(AWAITING, None, None, exported_before)  # open: on its way
