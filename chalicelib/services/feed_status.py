"""Every feed's sync status, as Adobe's Data Feed Sync Status page shows it: source records, items by status
(submitted, failed and will retry, failed and requires attention, awaiting submission), the last success and its
age, the schedule, and health (products marked dirty by change events, the outbox, a stale last success).

Cost: bounded by what is pending, never by the catalog. The items not yet submitted are found through the batches
that still hold them — the outbox (open, held and retryable-failed batches) and the attention list (rejected
rows, batches refused for good) — and the rows still naming those batches (one BatchGetItem per 100 keys): the
same read a failed-only sync makes. The products feed counts through its search index instead, which also knows
the rows whose source record is malformed. Every other item the feed holds is submitted.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from ..domain.answers.feeds import COUNTED as COUNTED_ITEMS
from ..domain.answers.feeds import FeedsStatus, FeedStatus
from ..domain.batches import ATTENTION, AWAITING, NOT_EXPORTED, SUBMITTED, WILL_RETRY, BatchOutcome, row_state
from ..domain.feed import RowKey
from ..domain.feeds import FEEDS
from ..domain.feeds.products import PRODUCTS
from ..domain.runs import STATUS_LABELS, iso, parse_iso, reconcile_due
from ..observability import logger
from ..settings import SYNC_SCHEDULE_HOURS
from .context import SyncContext
from .outcomes import STATE_FIELDS

# What the page counts, in Adobe's words and its page's order; a feed with export disabled counts its rows as not
# exported (not shown).
COUNTED = tuple(COUNTED_ITEMS)  # submitted, failed_will_retry, failed_requires_attention, awaiting_submission
# A last success older than this is stale: what the CloudWatch alarm watches (no success for 2 hours, that is two
# scheduled syncs missed).
STALE_AFTER_SCHEDULES = 2


def stale_after_seconds() -> int:
    return STALE_AFTER_SCHEDULES * SYNC_SCHEDULE_HOURS * 3600


def _pending_items(ctx: SyncContext, feed: str) -> tuple[Counter[str], int, int]:
    """Items not (yet) submitted, by status, through the batches that hold them; and the outbox's batches and rows."""
    outbox = ctx.batches.outbox(feed)
    batches: dict[str, BatchOutcome] = {b.batch_id: b for b in (*outbox, *ctx.batches.needing_attention(feed))}
    keys: set[RowKey] = {key for outcome in batches.values() for key in outcome.keys}
    counts: Counter[str] = Counter()
    for row in ctx.rows(feed).get_rows(sorted(keys), fields=STATE_FIELDS):
        outcome = batches.get(row.batch or "")
        if outcome is None and row.invalid is None:
            continue  # moved on to a newer batch: counted (or submitted) there
        state = row_state(row.key, row.deleted, outcome, row.invalid)
        counts[state.status] += 1
    return counts, len(outbox), sum(len(outcome.keys) for outcome in outbox)


def _products_items(ctx: SyncContext) -> Counter[str] | None:
    """The products feed's items by status from its search index (None without one, or when it cannot be read:
    the batches count them then)."""
    if ctx.product_search is None:
        return None
    try:
        return Counter({status: ctx.product_search.search(status=status, limit=1).total
                        for status in (*COUNTED, NOT_EXPORTED)})
    except Exception:  # the page still answers, counted through the batches
        logger.exception("the products search index could not count the feed's items")
        return None


def _age(since: str | None, now: datetime) -> int | None:
    return None if since is None else max(0, int((now - parse_iso(since)).total_seconds()))


def feed_status(ctx: SyncContext, feed: str) -> FeedStatus:
    now = ctx.clock()
    state = ctx.control.feed_states.get(feed)
    offered = feed in ctx.source.feeds()
    pending, outbox_batches, outbox_rows = _pending_items(ctx, feed)
    indexed = _products_items(ctx) if feed == PRODUCTS else None
    counts = indexed if indexed is not None else pending
    enabled = ctx.export_disabled_reason is None
    items = {status: counts.get(status, 0) for status in (AWAITING, WILL_RETRY, ATTENTION)}
    if indexed is not None:
        items[SUBMITTED] = indexed.get(SUBMITTED, 0)
    else:  # what the feed holds and no pending batch does
        items[SUBMITTED] = max(0, state.rows_total - sum(items.values())) if enabled else 0
    age = _age(state.last_success_at, now)
    last = ctx.runs.latest(feed)
    lock = ctx.control.locks.holder(feed)
    dirty = len(ctx.control.dirty.entries(feed))
    stale = offered and (age is None or age > stale_after_seconds())
    return {
        "feed": feed, "record": FEEDS[feed].record, "offered": offered,
        "source_records": state.rows_total,
        "items": {status: items[status] for status in COUNTED},
        "last_success_at": state.last_success_at, "last_success_age_seconds": age,
        "last_success_run_id": state.last_success_run_id,
        "last_run": None if last is None else {"run_id": last.run_id, "status": STATUS_LABELS[last.status],
                                               "started_at": last.started_at, "finished_at": last.finished_at},
        "in_flight": lock.run_id if lock is not None else None,
        "schedule": {"every_hours": SYNC_SCHEDULE_HOURS if offered else None,
                     "next_mode": ("reconcile" if reconcile_due(state.last_full_read_at,
                                                                ctx.settings.reconcile_interval_seconds, now)
                                   else "partial") if offered else None,
                     "last_full_read_at": state.last_full_read_at},
        "health": {"dirty_backlog": dirty, "outbox_batches": outbox_batches, "outbox_rows": outbox_rows,
                   "stale": stale, "stale_after_seconds": stale_after_seconds(),
                   "ok": not stale and outbox_batches == 0 and items[ATTENTION] == 0},
        "export": {"enabled": enabled, "reason": ctx.export_disabled_reason},
    }


def feeds_status(ctx: SyncContext) -> FeedsStatus:
    """Every feed, in the order the hourly sync runs them (products first)."""
    return {"feeds": [feed_status(ctx, feed) for feed in FEEDS], "checked_at": iso(ctx.clock())}
