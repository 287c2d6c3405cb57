"""Batch outcomes as a run or a request reads them: each batch's record fetched once, then kept."""
from __future__ import annotations

from collections.abc import Iterable

from ..domain.batches import DONE, BatchOutcome, row_state
from ..domain.feed import FeedRow, RowKey, StoredState
from ..ports import BatchStore


class Outcomes:
    """The records of the batches rows name, read in bulk and remembered (a run names few batches)."""

    def __init__(self, store: BatchStore):
        self._store = store
        self._known: dict[str, BatchOutcome | None] = {}

    def get(self, batch_ids: Iterable[str | None]) -> dict[str, BatchOutcome]:
        wanted = {i for i in batch_ids if i}
        missing = wanted - self._known.keys()
        if missing:
            found = self._store.outcomes(missing)
            self._known.update({i: found.get(i) for i in missing})
        return {i: outcome for i in wanted if (outcome := self._known[i]) is not None}

    def delivered(self, key: RowKey, state: StoredState) -> bool:
        """The destination holds the stored version: its batch was delivered and did not reject it."""
        outcome = self.get([state.batch]).get(state.batch or "")
        return outcome is not None and outcome.status == DONE and key not in outcome.rejected

    def exported_at(self, key: RowKey, state: StoredState) -> str | None:
        """When the stored version (or else an earlier one) last reached the destination."""
        outcome = self.get([state.batch]).get(state.batch or "")
        if outcome is not None and outcome.status == DONE and key not in outcome.rejected:
            return outcome.finished_at
        return state.exported_before


STATE_FIELDS = ("batch", "invalid", "deleted", "exported_before")  # what a row's export state is read from


def with_states(store: BatchStore, rows: list[FeedRow]) -> list[FeedRow]:
    """The rows with their export state (status, error, last export) read from their batches' records, which
    are read once for all of them."""
    outcomes = store.outcomes({row.batch for row in rows if row.batch})
    for row in rows:
        state = row_state(row.key, row.deleted, outcomes.get(row.batch or ""), row.invalid, row.exported_before)
        row.export_status, row.error, row.last_exported_at = state.status, state.error, state.exported_at
    return rows
