"""Change events: mark products dirty and request one debounced sync; the trigger message starts it."""
from __future__ import annotations

import secrets

from ..domain import trigger_message
from ..domain.answers.admin import ChangeEventAccepted
from ..domain.errors import CatalogSyncError, LockHeldError
from ..domain.events import ALREADY_SCHEDULED, SCHEDULED, ChangeEvent, request_window_start
from ..domain.runs import PARTIAL, SyncRun, iso
from ..observability import logger
from ..ports import SyncTrigger
from .context import SyncContext
from .force import run_forced_sync
from .reconciliation import run_requested_reconciliation
from .sync import start_sync

EVENTS_TRIGGER = "events"


class SyncRequestError(CatalogSyncError):
    """The products are marked dirty, but the sync that reads them could not be requested."""


def accept_change_event(ctx: SyncContext, trigger: SyncTrigger, event: ChangeEvent) -> ChangeEventAccepted:
    """Mark the event's products dirty, then request a sync unless one is already requested."""
    now = ctx.clock()
    at = iso(now)
    # The mark is unique to this event: a run clears an entry only if no event marked it since its read.
    entries = event.dirty_entries(at, secrets.token_hex(8))
    ctx.control.dirty.mark(event.feed, entries)
    debounce = ctx.settings.event_debounce_seconds
    won = ctx.control.requests.request(event.feed, at, request_window_start(now, debounce))
    if won:
        try:
            trigger.request(event.feed, at, debounce)
        except Exception as error:  # the details go to the log, not to the sender
            # Withdraw the request, or every event until it goes stale would count on a message never sent.
            ctx.control.requests.clear(event.feed)
            logger.exception("could not request the sync", extra={"feed": event.feed})
            raise SyncRequestError("the products are marked dirty but the sync could not be scheduled; "
                                   "the next hourly sync reads them, or send the event again") from error
    sync = SCHEDULED if won else ALREADY_SCHEDULED
    logger.info("change event accepted", extra={"feed": event.feed, "accepted": len(entries), "sync": sync})
    return {"accepted": len(entries), "sync": sync}


def run_requested_sync(ctx: SyncContext, body: str) -> SyncRun | None:
    """A trigger message's sync: a forced run the API opened, or the debounced partial sync of change events,
    which reads the dirty products.

    While another run holds the lock the partial sync is skipped: the dirty products wait for the next sync.
    """
    message = trigger_message.decode(body)
    if message is not None and message.run_id is not None:
        return run_forced_sync(ctx, message.run_id)
    if message is not None and message.reconciliation is not None and message.feed is not None:
        run_requested_reconciliation(ctx, message.feed, message.reconciliation)
        return None
    feed = message.feed if message is not None else None
    if feed is None:
        # Retrying cannot fix a message we cannot read: log it and let it go.
        logger.error("malformed sync request dropped", extra={"body": body[:500]})
        return None
    # Cleared first: an event arriving from now on requests a sync of its own.
    ctx.control.requests.clear(feed)
    try:
        return start_sync(ctx, feed, trigger=EVENTS_TRIGGER, mode=PARTIAL)
    except LockHeldError as error:
        logger.warning("event sync skipped: a run is in flight; the dirty products wait for the next sync",
                       extra={"reason": str(error), "holder": error.run_id})
        return None
