"""Force sync through the API: a forced full resync at most once per cooldown window (a conditional write); a resync
of selected items (by ids) and a dry run rate-limited instead; never a run while one is in flight. The API opens
the run; the trigger queue's Lambda reindexes it, so the request returns at once with the run id (a dry run
answers with its summary)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ..domain.answers.force import DryRun, ForceSyncAccepted, RateLimit
from ..domain.client_input import clipped, quoted
from ..domain.cooldown import available_at, window_start
from ..domain.errors import CatalogSyncError, CooldownActiveError, InvalidRequestError, LockHeldError
from ..domain.feeds import FEEDS, feed_named
from ..domain.resync import (
    API_NAMES,
    MAX_BATCH_SIZE,
    MAX_IDS,
    MAX_THREADS,
    SKU,
    ResyncOptions,
    bounded,
    check,
    parse_ids,
)
from ..domain.runs import (
    FAILED,
    FORCE_MODES,
    FORCE_TRIGGER,
    FULL,
    IN_PROGRESS,
    STATUS_LABELS,
    SyncRun,
    iso,
    past_deadline,
)
from ..observability import logger
from ..settings import TRIGGER_QUEUE_URL
from .context import SyncContext
from .dry_run import dry_run
from .finish import recover_stale_run
from .sync import continue_sync, open_sync

_FIELDS = ("feed", "mode", "force", "ids", "id_type", "dry_run", "batch_size", "thread_count")
DRY_RUN_BUDGET_SECONDS = 20.0  # an API request must answer within 29 s: a dry run (by ids) reads at most this long
SELECTED, DRY_RUN = "selected", "dry-run"  # what the short rate limits are kept under (next to each feed's cooldown)


class ForceSyncUnavailableError(CatalogSyncError):
    """The forced run cannot be started (no trigger queue, or its message could not be sent)."""


class RateLimitedError(CatalogSyncError):
    """A resync of selected items, or a dry run, came sooner than its rate limit allows."""

    code = "rate_limited"

    def __init__(self, message: str, available_at: str):
        super().__init__(message)
        self.available_at = available_at


@dataclass(frozen=True)
class ForceRequest:
    """What a POST /api/sync asks for (the Force sync button: a forced full resync of products)."""

    feed: str = "products"
    mode: str = FULL
    options: ResyncOptions = field(default_factory=lambda: ResyncOptions(force=True))
    dry_run: bool = False


def parse_force_request(body: Any) -> ForceRequest:
    """The request in a body (None: the defaults), or InvalidRequestError naming what is wrong and what is valid."""
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
    flags = {name: body.get(name, default) for name, default in (("force", mode == FULL), ("dry_run", False))}
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise InvalidRequestError(f"{name} must be true or false; got {str(value)[:40]}")
    ids: tuple[str, ...] = ()
    id_type = body.get("id_type", SKU)
    if "ids" in body:
        if not isinstance(body["ids"], list):
            raise InvalidRequestError("ids must be a list of the items' ids, e.g. [\"MS-000001\", \"MS-000002\"]")
        ids = parse_ids(body["ids"], id_type, API_NAMES)
    elif "id_type" in body:
        raise InvalidRequestError("id_type applies to ids: give ids too")
    if flags["dry_run"] and not ids:
        raise InvalidRequestError(f"dry_run through the API takes ids (1 to {MAX_IDS:,}): a dry run of a whole feed "
                                  "reads every stored row and the whole catalog, longer than a request may wait; "
                                  f"run `catalog-sync resync --feed {feed} --dry-run` instead")
    sizes: dict[str, Any] = {name: bounded(body[name], name, maximum) for name, maximum in
                             (("batch_size", MAX_BATCH_SIZE), ("thread_count", MAX_THREADS)) if name in body}
    # By default a full resync is forced (the Force sync button); an explicit force with a mode that does not read
    # the source is refused by check().
    options = ResyncOptions(force=flags["force"], ids=ids, id_type=id_type, **sizes)
    check(mode, options, feed_named(feed).product_keyed, dry_run=flags["dry_run"], names=API_NAMES)
    return ForceRequest(feed, mode, options, flags["dry_run"])


def preview(ctx: SyncContext, request: ForceRequest) -> DryRun:
    """A dry run of the request (with ids): the summary of what its run would read and send, by feed. Raises
    RateLimitedError within the rate limit."""
    limit = _claim_rate_limit(ctx, request.feed, DRY_RUN)
    summary = dry_run(ctx, request.feed, request.mode, request.options, FORCE_TRIGGER,
                      budget_seconds=DRY_RUN_BUDGET_SECONDS)
    return {"dry_run": True, "feeds": {request.feed: summary}, "rate_limit": limit}


def force_sync(ctx: SyncContext, request: ForceRequest) -> ForceSyncAccepted:
    """Open a forced run and hand it to the trigger queue (a dry run is ``preview``'s).

    Raises LockHeldError while a run is in flight, CooldownActiveError during the cooldown (a full, no-reindex or
    failed resync), RateLimitedError within the rate limit (selected items), ForceSyncUnavailableError when the
    run cannot be handed on.
    """
    feed, options = request.feed, request.options
    limit: RateLimit | None = None
    if ctx.trigger is None:
        raise ForceSyncUnavailableError(f"force sync needs the trigger queue (set {TRIGGER_QUEUE_URL})")
    recover_stale_run(ctx, feed)
    now = ctx.clock()
    # Checked before the cooldown is claimed: a request refused for a run in flight must not use up the window.
    lock = ctx.control.locks.holder(feed)
    if lock is not None and not past_deadline(lock.expires_at, now):
        raise LockHeldError(lock.run_id, lock.expires_at)
    claimed_at = iso(now)
    if options.ids:
        limit = _claim_rate_limit(ctx, feed, SELECTED)
        key = _limit_key(feed, SELECTED)
    else:
        key = feed
        ctx.control.cooldowns.claim(feed, claimed_at, window_start(now, ctx.settings.cooldown_seconds))
    try:
        run = open_sync(ctx, feed, FORCE_TRIGGER, request.mode, options)
    except BaseException:  # a run started in between (or the store failed): the window is given back
        ctx.control.cooldowns.release(key, claimed_at)
        raise
    try:
        ctx.trigger.start_run(feed, run.run_id)
    except Exception as error:
        _abandon(ctx, run, key, claimed_at, error)
        raise ForceSyncUnavailableError("the sync could not be started: the trigger queue refused the message; "
                                        "try again") from error
    logger.info("force sync accepted", extra={"run_id": run.run_id, "mode": run.mode, "ids": len(options.ids)})
    accepted: ForceSyncAccepted = {
        "run_id": run.run_id, "feed": feed, "mode": run.mode, "trigger": FORCE_TRIGGER, "force": options.force,
        "status": STATUS_LABELS[IN_PROGRESS], "started_at": run.started_at,
        "cooldown_until": None if limit else available_at(claimed_at, ctx.settings.cooldown_seconds)}
    if limit:
        accepted["ids"], accepted["rate_limit"] = len(options.ids), limit
    return accepted


def _limit_key(feed: str, what: str) -> str:
    return f"{feed}#{what}"


def _claim_rate_limit(ctx: SyncContext, feed: str, what: str) -> RateLimit:
    """One resync of selected items (or one dry run) per SELECTED_RESYNC_SECONDS per feed, with a conditional write
    like the cooldown's; the answer says so."""
    seconds, now = ctx.settings.selected_resync_seconds, ctx.clock()
    described = "resync of selected items" if what == SELECTED else "dry run"
    note = (f"a {described} is not subject to the {ctx.settings.cooldown_seconds // 60}-minute force-sync cooldown; "
            f"it is limited to one per {seconds} s per feed")
    try:
        ctx.control.cooldowns.claim(_limit_key(feed, what), iso(now), window_start(now, seconds))
    except CooldownActiveError as cooling:
        until = available_at(cooling.last_forced_at, seconds) or iso(now)
        raise RateLimitedError(f"{note}: available again at {until}", until) from None
    return {"seconds": seconds, "available_at": iso(now + timedelta(seconds=seconds)), "note": note}


def _abandon(ctx: SyncContext, run: SyncRun, key: str, claimed_at: str, error: Exception) -> None:
    abandon_run(ctx, run, error)
    ctx.control.cooldowns.release(key, claimed_at)


def abandon_run(ctx: SyncContext, run: SyncRun, error: Exception) -> None:
    """A run the API opened could not be handed to the trigger queue: it fails, and the lock goes."""
    logger.exception("could not hand the opened run to the trigger queue", extra={"run_id": run.run_id})
    ctx.runs.finish(run.run_id, FAILED, f"the run could not be started: {type(error).__name__}", iso(ctx.clock()))
    ctx.control.locks.release(run.feed, run.run_id)


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

