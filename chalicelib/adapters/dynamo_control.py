"""Control items in DynamoDB, one small store per concern: feed locks, feed states, force-sync cooldowns (and in
dynamo_dirty.py the dirty items and sync requests of change events). They share one table."""
from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.update import Action

from ..domain.errors import CooldownActiveError, LockHeldError
from ..ports import Control, Cooldowns, FeedLocks, FeedState, FeedStates, Lock
from .dynamo_models import ControlModel as C
from .dynamo_tables import Tables, bound


def lost_condition(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


class ControlTable:
    """A store on the control table: ``tables`` binds it (default: the default tables)."""

    def __init__(self, tables: Tables | None = None):
        self._c = (tables or bound()).control

    def _get(self, pk: str) -> C | None:
        try:
            return self._c.get(pk, consistent_read=True)
        except DoesNotExist:
            return None


class DynamoFeedLocks(ControlTable, FeedLocks):
    def acquire(self, feed: str, run_id: str, now: str, expires_at: str) -> None:
        for _ in range(3):
            try:
                # Conditional put: free, or its lease ran out (a crashed run cannot hold it forever).
                self._c(f"lock#{feed}", run_id=run_id, acquired_at=now, expires_at=expires_at).save(
                    condition=C.pk.does_not_exist() | (C.expires_at <= now))
                return
            except PutError as error:
                if not lost_condition(error):
                    raise
            holder = self.holder(feed)
            if holder is not None:
                raise LockHeldError(holder.run_id, holder.expires_at) from None
            # Released between the put and the read (a run that had just ended, e.g. the one a CLI waited for
            # until it read Success, before its finisher let go of the lock): free now, so try again.
        raise LockHeldError(None, None)

    def release(self, feed: str, run_id: str) -> None:
        try:
            self._c(f"lock#{feed}").delete(condition=C.run_id == run_id)
        except Exception as error:  # DeleteError: the lock already belongs to someone else, or is gone
            if not lost_condition(error):
                raise

    def holder(self, feed: str) -> Lock | None:
        item = self._get(f"lock#{feed}")
        return Lock(feed, item.run_id, item.expires_at) if item else None


class DynamoFeedStates(ControlTable, FeedStates):
    def get(self, feed: str) -> FeedState:
        item = self._get(f"feed#{feed}")
        if item is None:
            return FeedState(feed)
        return FeedState(feed, item.watermark, item.last_success_run_id, item.last_success_at,
                         int(item.rows_total or 0), int(item.products_total or 0), item.last_full_read_at)

    def record_catalog(self, feed: str, rows_total: int, products_total: int, absolute: bool) -> None:
        actions: list[Action]
        if absolute:
            actions = [C.rows_total.set(rows_total), C.products_total.set(products_total)]
        else:
            actions = [C.rows_total.add(rows_total), C.products_total.add(products_total)]
        self._c(f"feed#{feed}").update(actions=actions)

    def record_success(self, feed: str, run_id: str, at: str, watermark: str | None) -> None:
        actions: list[Action] = [C.last_success_run_id.set(run_id), C.last_success_at.set(at)]
        if watermark:
            actions.append(C.watermark.set(watermark))
        self._c(f"feed#{feed}").update(actions=actions)

    def record_full_read(self, feed: str, at: str) -> None:
        self._c(f"feed#{feed}").update(actions=[C.last_full_read_at.set(at)])


class DynamoCooldowns(ControlTable, Cooldowns):
    def claim(self, feed: str, now: str, window_start: str) -> None:
        try:
            # Conditional write: of any number of concurrent force syncs, one wins the window.
            self._c(f"cooldown#{feed}").update(
                actions=[C.last_forced_at.set(now)],
                condition=C.last_forced_at.does_not_exist() | (C.last_forced_at <= window_start))
        except UpdateError as error:
            if not lost_condition(error):
                raise
            raise CooldownActiveError(self.started_at(feed) or now) from None

    def started_at(self, feed: str) -> str | None:
        item = self._get(f"cooldown#{feed}")
        return item.last_forced_at if item else None

    def release(self, feed: str, claimed_at: str) -> None:
        try:
            # Only the claim it made: a later force sync's cooldown stays.
            self._c(f"cooldown#{feed}").delete(condition=C.last_forced_at == claimed_at)
        except Exception as error:  # DeleteError
            if not lost_condition(error):
                raise


def dynamo_control(tables: Tables | None = None) -> Control:
    """Every control store, on the control table of ``tables``."""
    from .dynamo_dirty import DynamoDirtySet, DynamoSyncRequests

    return Control(DynamoFeedLocks(tables), DynamoFeedStates(tables), DynamoCooldowns(tables), DynamoDirtySet(tables),
                   DynamoSyncRequests(tables))
