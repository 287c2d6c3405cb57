"""The dirty items of change events and the standing sync request, in the control table."""
from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from ..domain.events import DirtyEntry
from ..ports import DirtySet, SyncRequests
from .dynamo_conflicts import CONDITION_FAILED, lost_condition_in, retry_conflicts
from .dynamo_control import ControlTable, lost_condition
from .dynamo_models import ControlModel as C
from .dynamo_tables import Tables, bound

TRANSACTION_ITEMS = 100  # DynamoDB's limit per TransactWriteItems
_CONFLICT_ATTEMPTS = 6


def _prefix(feed: str) -> str:
    return f"dirty#{feed}#"


def _pk(feed: str, entry: DirtyEntry) -> str:
    if entry.sku is not None:
        return f"{_prefix(feed)}sku#{entry.sku}"
    return f"{_prefix(feed)}id#{entry.product_id}"


def _entry(item: C) -> DirtyEntry:
    product_id = int(item.product_id) if item.product_id is not None else None
    return DirtyEntry(item.sku, product_id, item.marked_at or "", item.mark or "")


class DynamoDirtySet(ControlTable, DirtySet):
    """One item per dirty product: a burst of events writes many small items (batch writes), never one contended
    item, and a run deletes each entry it read only while its mark is unchanged."""

    def __init__(self, tables: Tables | None = None):
        self._tables = tables or bound()
        super().__init__(self._tables)
        self._connection: Connection | None = None

    def _transactions(self) -> Connection:
        if self._connection is None:
            self._connection = self._tables.connection()
        return self._connection

    def mark(self, feed: str, entries: Iterable[DirtyEntry]) -> None:
        # Unconditional puts in batch writes: marking again only moves the mark forward, which is
        # what keeps a run that read the older mark from clearing the entry.
        items = {_pk(feed, entry): entry for entry in entries}  # a batch may not name a key twice
        with self._c.batch_write() as batch:
            for pk, entry in items.items():
                batch.save(self._c(pk, sku=entry.sku, product_id=entry.product_id, marked_at=entry.marked_at,
                             mark=entry.mark))

    def entries(self, feed: str) -> list[DirtyEntry]:
        # A scan is the dirty set: besides it the control table holds a few items per feed, and a
        # scan, unlike an index query, reads consistently (an entry marked just before is seen).
        return [_entry(item) for item in self._c.scan(C.pk.startswith(_prefix(feed)), consistent_read=True)]

    def clear(self, feed: str, entries: Iterable[DirtyEntry]) -> int:
        """Conditional deletes in transactions of 100; an entry marked again cancels its transaction,
        which is retried without it."""
        wanted = list({_pk(feed, entry): entry for entry in entries}.items())
        cleared = 0
        for start in range(0, len(wanted), TRANSACTION_ITEMS):
            chunk = wanted[start:start + TRANSACTION_ITEMS]
            cleared += retry_conflicts(partial(self._delete_unchanged, chunk), _CONFLICT_ATTEMPTS)
        return cleared

    def _delete_unchanged(self, chunk: list[tuple[str, DirtyEntry]]) -> int:
        """Delete the entries whose mark is unchanged, in one transaction; one marked again since cancels it, which
        goes again at once without it (``chunk`` loses it: a retry after a conflict, raised, starts from what is
        left)."""
        while chunk:
            try:
                with TransactWrite(connection=self._transactions()) as transaction:
                    for pk, entry in chunk:
                        transaction.delete(self._c(pk),
                                           condition=(C.marked_at == entry.marked_at) & (C.mark == entry.mark))
                return len(chunk)
            except TransactWriteError as error:
                if not lost_condition_in(error):
                    raise
                reasons = error.cancellation_reasons or []
                marked_again = {i for i, r in enumerate(reasons) if r and r.code == CONDITION_FAILED}
                chunk[:] = [item for i, item in enumerate(chunk) if i not in marked_again]
        return 0


class DynamoSyncRequests(ControlTable, SyncRequests):
    def request(self, feed: str, now: str, stale_before: str) -> bool:
        try:
            # Conditional write: of a burst of events, only the first requests the sync.
            self._c(f"request#{feed}").update(
                actions=[C.requested_at.set(now)],
                condition=C.requested_at.does_not_exist() | (C.requested_at <= stale_before))
        except UpdateError as error:
            if not lost_condition(error):
                raise
            return False
        return True

    def clear(self, feed: str) -> None:
        self._c(f"request#{feed}").delete()
