"""Control items in DynamoDB: the feed lock lease, the force-sync cooldown and feed state."""
from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from ..domain.errors import CooldownActiveError, LockHeldError
from ..ports import ControlStore, FeedState, Lock
from .dynamo_models import ControlModel as C


def _lost_condition(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def _get(pk: str) -> C | None:
    try:
        return C.get(pk, consistent_read=True)
    except DoesNotExist:
        return None


class DynamoControlStore(ControlStore):
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
                         int(item.rows_total or 0), int(item.products_total or 0))

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
