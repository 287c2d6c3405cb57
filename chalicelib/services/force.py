"""Force sync: at most one per cooldown window (a conditional write), never while a run is in flight. The API
opens the run; the trigger queue's Lambda reindexes it, so the request returns at once with the run id."""
from __future__ import annotations

from typing import Any

from ..domain.client_input import clipped, quoted
from ..domain.cooldown import available_at, window_start
from ..domain.errors import CatalogSyncError, InvalidRequestError, LockHeldError
from ..domain.feeds import FEEDS
from ..domain.runs import FAILED, FORCE_MODES, FULL, IN_PROGRESS, STATUS_LABELS, SyncRun, iso, past_deadline
from ..observability import logger
from ..settings import TRIGGER_QUEUE_URL
from .context import SyncContext
from .finish import recover_stale_run
from .sync import continue_sync, open_sync

FORCE_TRIGGER = "force"
_FIELDS = ("feed", "mode")


class ForceSyncUnavailableError(CatalogSyncError):
    """The forced run cannot be started (no trigger queue, or its message could not be sent)."""


def parse_force_request(body: Any) -> tuple[str, str]:
    """(feed, mode) of a force-sync request body (None: the defaults), or InvalidRequestError naming what is wrong."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise InvalidRequestError('the body must be a JSON object, e.g. {"feed": "products", "mode": "full"}')
    unknown = sorted(set(body) - set(_FIELDS))
    if unknown:
        raise InvalidRequestError(f"unknown fields: {clipped(', '.join(unknown))}; valid fields: {', '.join(_FIELDS)}")
    feed, mode = body.get("feed", "products"), body.get("mode", FULL)
    if not isinstance(feed, str) or feed not in FEEDS:  # a list is no feed (and unhashable where FEEDS is a set)
        raise InvalidRequestError(f"unknown feed {quoted(feed)}; valid feeds: {', '.join(FEEDS)}")
    if not isinstance(mode, str) or mode not in FORCE_MODES:
        raise InvalidRequestError(f"unknown mode {quoted(mode)}; valid modes: {', '.join(FORCE_MODES)}")
    return feed, mode


def force_sync(ctx: SyncContext, feed: str, mode: str) -> dict[str, Any]:
    """Open a forced run and hand it to the trigger queue.

    Raises LockHeldError while a run is in flight, CooldownActiveError during the cooldown, and
    ForceSyncUnavailableError when the run cannot be handed on.
    """
    if ctx.trigger is None:
        raise ForceSyncUnavailableError(f"force sync needs the trigger queue (set {TRIGGER_QUEUE_URL})")
    recover_stale_run(ctx, feed)
    now = ctx.clock()
    # Checked before the cooldown is claimed: a request refused for a run in flight must not use up the window.
    lock = ctx.control.locks.holder(feed)
    if lock is not None and not past_deadline(lock.expires_at, now):
        raise LockHeldError(lock.run_id, lock.expires_at)
    claimed_at = iso(now)
    cooldown = ctx.settings.cooldown_seconds
    ctx.control.cooldowns.claim(feed, claimed_at, window_start(now, cooldown))  # of concurrent requests, one wins
    try:
        run = open_sync(ctx, feed, FORCE_TRIGGER, mode)
    except BaseException:  # a run started in between (or the store failed): the window is given back
        ctx.control.cooldowns.release(feed, claimed_at)
        raise
    try:
        ctx.trigger.start_run(feed, run.run_id)
    except Exception as error:
        _abandon(ctx, run, claimed_at, error)
        raise ForceSyncUnavailableError("the sync could not be started: the trigger queue refused the message; "
                                        "try again") from error
    logger.info("force sync accepted", extra={"run_id": run.run_id, "mode": mode})
    return {"run_id": run.run_id, "feed": feed, "mode": run.mode, "trigger": FORCE_TRIGGER,
            "status": STATUS_LABELS[IN_PROGRESS], "started_at": run.started_at,
            "cooldown_until": available_at(claimed_at, cooldown)}


def _abandon(ctx: SyncContext, run: SyncRun, claimed_at: str, error: Exception) -> None:
    logger.exception("could not hand the forced run to the trigger queue", extra={"run_id": run.run_id})
    ctx.runs.finish(run.run_id, FAILED, f"the run could not be started: {type(error).__name__}", iso(ctx.clock()))
    ctx.control.locks.release(run.feed, run.run_id)
    ctx.control.cooldowns.release(run.feed, claimed_at)


def run_forced_sync(ctx: SyncContext, run_id: str) -> SyncRun | None:
    """Reindex the forced run opened by the API; a redelivered message finds it claimed and does nothing."""
    run = ctx.runs.get(run_id)
    if run is None or run.status != IN_PROGRESS:
        logger.warning("forced run not found or already ended", extra={"run_id": run_id})
        return None
    if not ctx.runs.claim_reindex(run_id, iso(ctx.clock())):
        logger.info("forced run already reindexing (a redelivered message)", extra={"run_id": run_id})
        return None
    return continue_sync(ctx, run)
