"""Control items in DynamoDB: the feed lock lease, the force-sync cooldown, feed state, sync requests
and the dirty products of change events."""
from __future__ import annotations

import time
from collections.abc import Iterable

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from ..domain.errors import CooldownActiveError, LockHeldError
from ..domain.events import DirtyEntry
from ..ports import ControlStore, FeedState, Lock
from .dynamo_models import ControlModel as C

TRANSACTION_ITEMS = 100  # DynamoDB's limit per TransactWriteItems
_CONFLICT_RETRIES = 5


def _lost_condition(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def _get(pk: str) -> C | None:
    try:
        return C.get(pk, consistent_read=True)
    except DoesNotExist:
        return None


def _dirty_prefix(feed: str) -> str:
    return f"dirty#{feed}#"


def _dirty_pk(feed: str, entry: DirtyEntry) -> str:
    if entry.sku is not None:
        return f"{_dirty_prefix(feed)}sku#{entry.sku}"
    return f"{_dirty_prefix(feed)}id#{entry.product_id}"


def _dirty_entry(item: C) -> DirtyEntry:
    product_id = int(item.product_id) if item.product_id is not None else None
    return DirtyEntry(item.sku, product_id, item.marked_at or "", item.mark or "")


class DynamoControlStore(ControlStore):
    def __init__(self, connection: Connection | None = None):
        self._connection = connection

    def _transactions(self) -> Connection:
        if self._connection is None:
            self._connection = Connection()
        return self._connection

    def acquire_lock(self, feed: str, run_id: str, now: str, expires_at: str) -> None:
        try:
            # Conditional put: free, or its lease ran out (a crashed run cannot hold it forever).
            C(f"lock#{feed}", run_id=run_id, acquired_at=now, expires_at=expires_at).save(
                condition=C.pk.does_not_exist() | (C.expires_at <= now))
        except PutError as error:
            if not _lost_condition(error):
                raise
            holder = self.lock(feed)
            raise LockHeldError(holder.run_id if holder else None, holder.expires_at if holder else None) from None

    def release_lock(self, feed: str, run_id: str) -> None:
        try:
            C(f"lock#{feed}").delete(condition=C.run_id == run_id)
        except Exception as error:  # DeleteError: the lock already belongs to someone else, or is gone
            if not _lost_condition(error):
                raise

    def lock(self, feed: str) -> Lock | None:
        item = _get(f"lock#{feed}")
        return Lock(feed, item.run_id, item.expires_at) if item else None

    def feed_state(self, feed: str) -> FeedState:
        item = _get(f"feed#{feed}")
        if item is None:
            return FeedState(feed)
        return FeedState(feed, item.watermark, item.last_success_run_id, item.last_success_at,
                         int(item.rows_total or 0), int(item.products_total or 0), item.last_full_read_at)

    def record_catalog(self, feed: str, rows_total: int, products_total: int, absolute: bool) -> None:
        if absolute:
            actions = [C.rows_total.set(rows_total), C.products_total.set(products_total)]
        else:
            actions = [C.rows_total.add(rows_total), C.products_total.add(products_total)]
        C(f"feed#{feed}").update(actions=actions)

    def record_success(self, feed: str, run_id: str, at: str, watermark: str | None) -> None:
        actions = [C.last_success_run_id.set(run_id), C.last_success_at.set(at)]
        if watermark:
            actions.append(C.watermark.set(watermark))
        C(f"feed#{feed}").update(actions=actions)

    def claim_cooldown(self, feed: str, now: str, window_start: str) -> None:
        try:
            # Conditional write: of any number of concurrent force syncs, one wins the window.
            C(f"cooldown#{feed}").update(
                actions=[C.last_forced_at.set(now)],
                condition=C.last_forced_at.does_not_exist() | (C.last_forced_at <= window_start))
        except UpdateError as error:
            if not _lost_condition(error):
                raise
            raise CooldownActiveError(self.cooldown_started_at(feed) or now) from None

    def cooldown_started_at(self, feed: str) -> str | None:
        item = _get(f"cooldown#{feed}")
        return item.last_forced_at if item else None

    def release_cooldown(self, feed: str, claimed_at: str) -> None:
        try:
            # Only the claim it made: a later force sync's cooldown stays.
            C(f"cooldown#{feed}").delete(condition=C.last_forced_at == claimed_at)
        except Exception as error:  # DeleteError
            if not _lost_condition(error):
                raise

    def record_full_read(self, feed: str, at: str) -> None:
        C(f"feed#{feed}").update(actions=[C.last_full_read_at.set(at)])

    def mark_dirty(self, feed: str, entries: Iterable[DirtyEntry]) -> None:
        # Unconditional puts in batch writes: marking again only moves the mark forward, which is
        # what keeps a run that read the older mark from clearing the entry.
        items = {_dirty_pk(feed, entry): entry for entry in entries}  # a batch may not name a key twice
        with C.batch_write() as batch:
            for pk, entry in items.items():
                batch.save(C(pk, sku=entry.sku, product_id=entry.product_id, marked_at=entry.marked_at,
                             mark=entry.mark))

    def dirty(self, feed: str) -> list[DirtyEntry]:
        # A scan is the dirty set: besides it the control table holds a few items per feed, and a
        # scan, unlike an index query, reads consistently (an entry marked just before is seen).
        return [_dirty_entry(item)
                for item in C.scan(C.pk.startswith(_dirty_prefix(feed)), consistent_read=True)]

    def clear_dirty(self, feed: str, entries: Iterable[DirtyEntry]) -> int:
        """Conditional deletes in transactions of 100; an entry marked again cancels its transaction,
        which is retried without it."""
        wanted = list({_dirty_pk(feed, entry): entry for entry in entries}.items())
        cleared = 0
        for start in range(0, len(wanted), TRANSACTION_ITEMS):
            chunk = wanted[start:start + TRANSACTION_ITEMS]
            for attempt in range(_CONFLICT_RETRIES + 1):
                if not chunk:
                    break
                try:
                    with TransactWrite(connection=self._transactions()) as transaction:
                        for pk, entry in chunk:
                            transaction.delete(C(pk), condition=(C.marked_at == entry.marked_at)
                                               & (C.mark == entry.mark))
                    cleared += len(chunk)
                    break
                except TransactWriteError as error:
                    reasons = error.cancellation_reasons
                    if not reasons or attempt == _CONFLICT_RETRIES:
                        raise
                    marked_again = {i for i, r in enumerate(reasons) if r and r.code == "ConditionalCheckFailed"}
                    chunk = [item for i, item in enumerate(chunk) if i not in marked_again]
                    if not marked_again:  # a concurrent write to the same items: back off and retry
                        time.sleep(0.05 * 2 ** attempt)
        return cleared

    def request_sync(self, feed: str, now: str, stale_before: str) -> bool:
        try:
            # Conditional write: of a burst of events, only the first requests the sync.
            C(f"request#{feed}").update(
                actions=[C.requested_at.set(now)],
                condition=C.requested_at.does_not_exist() | (C.requested_at <= stale_before))
        except UpdateError as error:
            if not _lost_condition(error):
                raise
            return False
        return True

    def clear_sync_request(self, feed: str) -> None:
        C(f"request#{feed}").delete()
