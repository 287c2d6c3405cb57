"""The answers of force sync: a run started, or a dry run's summary (services/force.py, services/dry_run.py)."""
from typing import Annotated, Literal, NotRequired, TypedDict

from ..runs import BY_IDS, FORCE_MODES, FORCE_TRIGGER, IN_PROGRESS, MODES, STATUS_LABELS
from . import Count, OneOf, Time
from .runs import Feed

InProgress = Annotated[str, OneOf((STATUS_LABELS[IN_PROGRESS],))]


class RateLimit(TypedDict):
    seconds: Count
    available_at: Time
    note: str


class ForceSyncAccepted(TypedDict):
    run_id: str
    feed: Feed
    mode: Annotated[str, OneOf((*FORCE_MODES, BY_IDS))]
    trigger: Annotated[str, OneOf((FORCE_TRIGGER,))]
    force: bool
    status: InProgress
    started_at: Time
    cooldown_until: Annotated[Time | None, "null for a resync of selected items"]
    ids: NotRequired[Annotated[Count, "the ids asked for"]]
    rate_limit: NotRequired[RateLimit]


class DryRunRows(TypedDict):
    read: Count
    new: Count
    changed: Count
    unchanged: Count
    deleted: Count
    invalid: Count


class DryRunSend(TypedDict):
    items: Count
    deletions: Count
    batches: Count
    bytes: Count


class DryRunFeed(TypedDict):
    feed: Feed
    mode: Annotated[str, OneOf(MODES)]
    force: bool
    complete: Annotated[bool, "false: the read stopped early (its time budget, or the source failed: see error)"]
    error: str | None
    rows: DryRunRows
    send: DryRunSend
    unknown_ids: list[str]
    not_exported: Annotated[str | None, "why nothing would be sent"]


class DryRun(TypedDict):
    dry_run: Literal[True]
    feeds: dict[str, DryRunFeed]
    rate_limit: RateLimit
