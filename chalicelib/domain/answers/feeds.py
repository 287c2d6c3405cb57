"""The answers of the feeds routes (every feed's sync status: services/feed_status.py) and of who is signed in."""
from typing import Annotated, TypedDict

from ..access import ROLE_PERMISSIONS
from ..batches import ATTENTION, AWAITING, SUBMITTED, WILL_RETRY
from ..runs import PARTIAL, RECONCILE
from . import Count, Keys, OneOf, Time
from .runs import Feed, RunStatus

# The item counts a feed's status gives, in the order shown, each with what it counts.
COUNTED = {
    SUBMITTED: "sent, and the destination took them",
    WILL_RETRY: "their batch failed; the next sync sends them again",
    ATTENTION: "rejected, refused for good, or their source record is malformed: they stay failed until they change",
    AWAITING: "on their way (in a batch not yet settled, or held)",
}


class LastRun(TypedDict):
    run_id: str
    status: RunStatus
    started_at: Time
    finished_at: Time | None


class FeedSchedule(TypedDict):
    every_hours: Count | None
    next_mode: Annotated[str, OneOf((PARTIAL, RECONCILE))] | None
    last_full_read_at: Time | None


class FeedHealth(TypedDict):
    dirty_backlog: Annotated[Count, "items marked dirty by change events, not yet read"]
    outbox_batches: Annotated[Count, "batches still to be sent (open, held or retryable)"]
    outbox_rows: Count
    stale: Annotated[bool, "no success for stale_after_seconds (or never)"]
    stale_after_seconds: Count
    ok: Annotated[bool, "not stale, nothing in the outbox, nothing requiring attention"]


class ExportEnabled(TypedDict):
    enabled: bool
    reason: str | None


class FeedStatus(TypedDict):
    feed: Feed
    record: Annotated[str, "Adobe's record type"]
    offered: Annotated[bool, "the configured source reads this feed (the hourly sync syncs it)"]
    source_records: Annotated[Count, "the items the feed holds, as of its last sync"]
    items: Annotated[dict[str, Count], Keys.of(COUNTED)]
    last_success_at: Time | None
    last_success_age_seconds: Count | None
    last_success_run_id: str | None
    last_run: LastRun | None
    in_flight: Annotated[str | None, "the run holding the feed's lock"]
    schedule: FeedSchedule
    health: FeedHealth
    export: ExportEnabled


class FeedsStatus(TypedDict):
    feeds: list[FeedStatus]
    checked_at: Time


class Me(TypedDict):
    username: str | None
    client_id: str
    roles: list[Annotated[str, OneOf(tuple(sorted(ROLE_PERMISSIONS)))]]
    permissions: Annotated[list[str], "what the roles allow, in words (the 403 answers use them)"]
