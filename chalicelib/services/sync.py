"""Starting a sync of one feed: take the lock, create the run, reindex, fan out batches, seal."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..domain.batches import BatchOutcome
from ..domain.errors import CatalogSyncError, LockHeldError
from ..domain.events import DirtyEntry
from ..domain.feeds import FEEDS, Feed, feed_named
from ..domain.feeds.products import PRODUCTS
from ..domain.resync import API_NAMES, ResyncOptions, check
from ..domain.runs import (
    BY_IDS,
    FAILED_ONLY,
    FULL,
    MODES,
    NO_REINDEX,
    PARTIAL,
    RECONCILE,
    REPAIR,
    SyncRun,
    iso,
    reconcile_due,
    start_run,
)
from ..observability import logger
from ..ports import FeedState
from .context import SyncContext
from .fanout import Fanout, retire
from .finish import finish_if_complete, recover_stale_run
from .reindex import Catalog, reindex, resend_failed, resubmit
from .repair import repair


def start_sync(ctx: SyncContext, feed: str = "products", trigger: str = "schedule", mode: str = PARTIAL,
               options: ResyncOptions | None = None) -> SyncRun:
    """Run the synchronous part of a sync; the exporters finish it. Raises LockHeldError if one is running."""
    return continue_sync(ctx, open_sync(ctx, feed, trigger, mode, options))


def open_sync(ctx: SyncContext, feed: str, trigger: str, mode: str, options: ResyncOptions | None = None,
              repair_of: str | None = None) -> SyncRun:
    """Take the lock and create the run (in progress); continue_sync does the rest, here or in another Lambda.

    With ``options.ids`` the run reads those items only (mode ids). Raises InvalidRequestError for options that
    cannot go together (the CLI and the API check them first, in their own words). ``repair_of`` names the
    reconciliation's action a run of mode repair carries out.
    """
    definition = feed_named(feed)
    options = options or ResyncOptions()
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; valid modes: {', '.join(MODES)}")
    check(mode, options, definition.product_keyed, names=API_NAMES)
    if options.ids:
        mode = BY_IDS
    recover_stale_run(ctx, feed)
    state = ctx.control.feed_states.get(feed)
    if mode in (PARTIAL, RECONCILE) and (state.watermark is None or not definition.incremental):
        # nothing was ever read (the first sync reads and sends the whole feed), or the source cannot read only
        # what changed: the whole feed is read, and only what changed is sent
        mode = FULL if state.watermark is None else RECONCILE
    run = start_run(feed, trigger, mode, ctx.clock(), ctx.settings.run_deadline_seconds, options)
    run.destination = ctx.destination.kind if ctx.destination else "none"
    run.export_disabled_reason = ctx.export_disabled_reason
    run.repair_of = repair_of
    ctx.control.locks.acquire(feed, run.run_id, run.started_at, run.deadline_at)
    ctx.runs.create(run)
    logger.info("run started", extra={"run_id": run.run_id, "feed": feed, "trigger": trigger, "mode": mode})
    return run


def continue_sync(ctx: SyncContext, run: SyncRun) -> SyncRun:
    """Reindex (or resubmit), fan out the batches and seal the opened run.

    Ctrl-C (KeyboardInterrupt) ends the read: what was built is written, the run is sealed failed (a full resync
    can be continued from its read position), and the interrupt goes on to the caller.
    """
    feed, mode = feed_named(run.feed), run.mode
    if run.options.thread_count:
        ctx = replace(ctx, source=ctx.source.with_concurrency(run.options.thread_count))
    state = ctx.control.feed_states.get(feed.name)
    fanout = Fanout(ctx, feed, run)
    catalog: Catalog | None = None
    dirty: list[DirtyEntry] = []
    retired: list[BatchOutcome] = []
    interrupted = False
    try:
        # Read before the reindex: afterwards the outbox would also list this run's batches.
        leftovers = ctx.batches.outbox(feed.name) if fanout.enabled and mode not in (FAILED_ONLY, REPAIR) else []
        if mode == NO_REINDEX:
            resubmit(ctx, fanout, run)
        elif mode == FAILED_ONLY:
            retired += resend_failed(ctx, fanout, run)
        elif mode == REPAIR:
            repair(ctx, feed, fanout, run)
        else:
            _check_source(ctx, feed)
            # Read before the source: items marked dirty after this wait for the next run. A run that reads only
            # some items (by ids, or a read resumed part-way) leaves them for the next one.
            if mode != BY_IDS and run.options.resume_from is None:
                dirty = ctx.control.dirty.entries(feed.name)
            catalog = reindex(ctx, feed, run, state, fanout, dirty)
        retired += fanout.resend(leftovers)
        fanout.close()
        retire(ctx, retired)
    except CatalogSyncError as error:
        run.error, run.error_code = str(error), error.code
        fanout.salvage()
    except KeyboardInterrupt:
        run.error, run.error_code = "interrupted (Ctrl-C) before the read finished", INTERRUPTED
        fanout.salvage()
        interrupted = True
    except Exception as error:  # a bug or an AWS outage: the run must still end, with the reason
        logger.exception("run failed", extra={"run_id": run.run_id})
        run.error, run.error_code = f"internal error: {type(error).__name__}: {error}", "internal"
        fanout.salvage()
    run.batches_total = fanout.batches_sent
    run.sealed_at = iso(ctx.clock())
    sealed = ctx.runs.seal(run)
    if catalog is not None and run.error is None:
        ctx.control.feed_states.record_catalog(feed.name, *catalog)
        if catalog[2] and run.source_read_at:
            ctx.control.feed_states.record_full_read(feed.name, run.source_read_at)
        _clear_dirty(ctx, run, dirty)
    finish_if_complete(ctx, sealed)
    if interrupted:  # whoever pressed Ctrl-C wants the prompt back, not a rebuilt search index
        raise KeyboardInterrupt
    if ctx.product_search is not None and sealed.feed == PRODUCTS:  # fold the run's writes into the search
        ctx.product_search.maintain(sealed, ctx.runs, ctx.rows(PRODUCTS))
    return sealed


def _check_source(ctx: SyncContext, feed: Feed) -> None:
    if feed.name not in ctx.source.feeds():
        raise SourceUnavailableError(f"the {ctx.source.kind} source cannot read the {feed.name} feed; it reads "
                                     f"{', '.join(ctx.source.feeds())}")


INTERRUPTED = "run.interrupted"


class SourceUnavailableError(CatalogSyncError):
    """The configured source does not offer the feed (e.g. the sample catalog offers products only)."""

    code = "source.feed_unavailable"


def _clear_dirty(ctx: SyncContext, run: SyncRun, dirty: list[DirtyEntry]) -> None:
    """Once the rows are written (pending in the outbox, which retries them) the entries read can go."""
    if not dirty:
        return
    try:
        cleared = ctx.control.dirty.clear(run.feed, dirty)
    except Exception:  # they stay dirty: the next run reads those products again, nothing is lost
        logger.exception("could not clear the dirty products", extra={"run_id": run.run_id})
        return
    logger.info("dirty products read", extra={"run_id": run.run_id, "dirty": len(dirty), "cleared": cleared})


def scheduled_mode(state: FeedState, reconcile_interval_seconds: int, now: datetime) -> str:
    """Partial, or a reconcile when the source was not read whole for the reconcile interval.

    ``updated_at`` misses stock and mass attribute changes (and deletions): a regular full read finds them.
    """
    return RECONCILE if reconcile_due(state.last_full_read_at, reconcile_interval_seconds, now) else PARTIAL


def scheduled_sync(ctx: SyncContext, feed: str = "products") -> SyncRun | None:
    """The hourly sync of one feed (partial, or a reconcile when due); skipped (and logged) while another run holds
    the feed's lock."""
    mode = scheduled_mode(ctx.control.feed_states.get(feed), ctx.settings.reconcile_interval_seconds, ctx.clock())
    try:
        return start_sync(ctx, feed, trigger="schedule", mode=mode)
    except LockHeldError as error:
        logger.warning("scheduled sync skipped", extra={"feed": feed, "reason": str(error), "holder": error.run_id})
        return None


def scheduled_syncs(ctx: SyncContext) -> list[SyncRun]:
    """The hourly sync of every feed the source offers, products first: a feed that fails fails its own run only."""
    runs = []
    for feed in FEEDS:
        if feed not in ctx.source.feeds():
            continue
        try:
            run = scheduled_sync(ctx, feed)
        except Exception:  # never stops the other feeds (the run itself records what failed, when it started)
            logger.exception("scheduled sync failed to start", extra={"feed": feed})
            continue
        if run is not None:
            runs.append(run)
    return runs
