"""Batches and their outcome records in DynamoDB (the runs table, ``batch#NNNNN`` items beside each run).

A batch is created open (or held) with the keys it carries and in the outbox index; it is settled once, in one
transaction with its run's counters (and the products search journal's entries telling the outcome), so a
redelivered message counts once. Records live as long as rows may name
them: only a batch no row names (it resent what the destination held) or a retired one expires.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..domain.batches import OPEN, BatchOutcome, split_batch_id
from ..domain.errors import Failure
from ..domain.feed import RowKey
from ..ports import BatchStore, Settlement
from .dynamo_conflicts import lost_condition_in, retry_conflicts
from .dynamo_models import ExportBatchModel as B
from .dynamo_models import SyncRunModel as R
from .dynamo_runs import RUN_ITEM, count_actions, example_actions, freshness_actions
from .dynamo_tables import Tables, bound

EXPIRES_AFTER = timedelta(days=90)


def _item_key(batch_id: str) -> tuple[str, str]:
    run_id, number = split_batch_id(batch_id)
    return run_id, f"batch#{number:05d}"


def _batch_id(item: B) -> str:
    return f"{item.run_id}/{item.item.split('#', 1)[1]}"


def _outcome(item: B) -> BatchOutcome:
    keys = tuple(RowKey(i, scope) for i, scope in json.loads(item.keys or "[]"))
    rejected = {RowKey(i, scope): Failure(code, message)
                for i, scope, code, message in json.loads(item.rejected or "[]")}
    failure = Failure(item.failure_code, item.failure_message or "") if item.failure_code else None
    return BatchOutcome(_batch_id(item), item.batch_feed or "", item.status or OPEN, keys, item.finished_at, rejected,
                        failure, bool(item.retryable))


class JournalItems(Protocol):
    """Where journal entries written with a settlement go (the products search index's store)."""

    def journal_item(self, entry: bytes) -> Model:
        """The entry as an item at the journal's next position."""


class DynamoBatchStore(BatchStore):
    """``journal``: the products search index's journal, which a settlement's entries join in the settlement's own
    transaction (the outcome reaches the index exactly when it is recorded, at no request of its own)."""

    def __init__(self, tables: Tables | None = None, journal: JournalItems | None = None):
        self._tables = tables or bound()
        self._b, self._r = self._tables.batches, self._tables.runs
        self._connection: Connection | None = None
        self._journal = journal

    def _transactions(self) -> Connection:
        if self._connection is None:
            self._connection = self._tables.connection()
        return self._connection

    @staticmethod
    def record_item(outcome: BatchOutcome, model: type[B] = B) -> B:
        """A new batch's record as it is stored (``model``: the record's table)."""
        item = model(*_item_key(outcome.batch_id), batch_feed=outcome.feed, status=outcome.status,
                 keys=json.dumps([[key.id, key.scope] for key in outcome.keys], ensure_ascii=False),
                 outbox=outcome.feed if outcome.in_outbox else None)
        if outcome.failure is not None:
            item.failure_code, item.failure_message = outcome.failure.code, outcome.failure.message[:1000]
        if not outcome.named:
            item.expires = datetime.now(UTC) + EXPIRES_AFTER
        return item

    def create(self, batches: Sequence[BatchOutcome]) -> None:
        with self._b.batch_write() as writes:
            for outcome in batches:
                writes.save(self.record_item(outcome, self._b))

    def outcomes(self, batch_ids: Iterable[str]) -> dict[str, BatchOutcome]:
        wanted = list(dict.fromkeys(_item_key(i) for i in batch_ids))
        if not wanted:
            return {}
        return {outcome.batch_id: outcome for outcome in map(_outcome, self._b.batch_get(wanted))}

    def outbox(self, feed: str) -> list[BatchOutcome]:
        return self._listed(self._b.outbox_index.query(feed))

    def needing_attention(self, feed: str) -> list[BatchOutcome]:
        return self._listed(self._b.attention_index.query(feed))

    def _listed(self, items: Iterable[B]) -> list[BatchOutcome]:
        found = self.outcomes(_batch_id(item) for item in items)
        return [found[i] for i in sorted(found)]

    def settle(self, outcome: BatchOutcome, counts: Settlement, journal: Sequence[bytes] = ()) -> bool:
        if journal and self._journal is None:
            raise ValueError("journal entries given to a batch store that has no journal")
        run_id, item_key = _item_key(outcome.batch_id)
        failure = outcome.failure
        actions: list[Action] = [B.status.set(outcome.status)]
        if outcome.finished_at is not None:
            actions.append(B.finished_at.set(outcome.finished_at))
        if outcome.rejected:
            actions.append(B.rejected.set(json.dumps([[key.id, key.scope, f.code, f.message[:300]]
                                                      for key, f in outcome.rejected.items()], ensure_ascii=False)))
        if failure is not None:
            actions += [B.failure_code.set(failure.code), B.failure_message.set(failure.message[:1000]),
                        B.retryable.set(outcome.retryable)]
        actions.append(B.outbox.set(outcome.feed) if outcome.in_outbox else B.outbox.remove())
        if outcome.needs_attention:
            actions.append(B.attention.set(outcome.feed))
        run_actions = [R.batches_failed.add(1) if counts.batch_failed else R.batches_done.add(1),
                       R.rows_exported.add(counts.exported), R.rows_failed.add(counts.failed),
                       *count_actions(counts.error_counts), *example_actions(counts.error_examples),
                       *freshness_actions(counts.freshness)]
        if counts.retrying:
            run_actions.append(R.rows_retrying.add(counts.retrying))

        def settle_once() -> bool:
            try:
                with TransactWrite(connection=self._transactions()) as transaction:
                    # Settled once: a redelivered message fails this condition and counts nothing.
                    transaction.update(self._b(run_id, item_key), actions=actions,
                                       condition=B.status.does_not_exist() | (B.status == OPEN))
                    transaction.update(self._r(run_id, RUN_ITEM), actions=run_actions, condition=R.run_id.exists())
                    for entry in journal:
                        transaction.save(self._journal.journal_item(entry))  # type: ignore[union-attr]
                return True
            except TransactWriteError as error:
                if lost_condition_in(error):
                    return False  # settled before (a redelivery), or its run is gone
                raise

        return retry_conflicts(settle_once)

    def retire(self, batch_ids: Iterable[str], at: str) -> None:
        for batch_id in dict.fromkeys(batch_ids):
            self._b(*_item_key(batch_id)).update(actions=[B.outbox.remove(), B.attention.remove(),
                                                    B.expires.set(datetime.now(UTC) + EXPIRES_AFTER)])

    def note_error(self, batch_id: str, failure: Failure) -> None:
        self._b(*_item_key(batch_id)).update(actions=[B.last_error_code.set(failure.code),
                                                B.last_error.set(failure.message[:1000])])

    def last_error(self, batch_id: str) -> Failure | None:
        try:
            item = self._b.get(*_item_key(batch_id), consistent_read=True)
        except DoesNotExist:
            return None
        return Failure(item.last_error_code or "export.failed", item.last_error) if item.last_error else None

