"""The answers of the sync routes: a run (and its detail, its live progress, its freshness), the run history and a
feed's sync status (services/status.py, services/runs.py, domain/progress.py, domain/freshness.py build them)."""
from typing import Annotated, TypedDict

from ..feeds import FEEDS
from ..progress import PHASES
from ..resync import ID_TYPES, MAX_IDS
from ..runs import MODES, STATUS_LABELS, TRIGGERS
from . import Count, Json, OneOf, Time

Feed = Annotated[str, OneOf(tuple(FEEDS))]
RunStatus = Annotated[str, OneOf(tuple(STATUS_LABELS.values()))]


class Progress(TypedDict):
    phase: Annotated[str, OneOf(PHASES), "reading the catalog, or exporting the batches"]
    rows_seen: Count
    rows_changed: Count
    batches_done: Annotated[Count, "batches exported or failed so far"]
    batches_total: Annotated[Count | None, "known once the reindex has sent every batch"]
    rows_per_second: Annotated[float | None, Json(minimum=0)]
    eta_seconds: Annotated[Count | None, "time left of the phase: of the read while reindexing (when the whole "
                                         "catalog is read), of the export after"]
    rows_expected: Annotated[Count | None, "the rows a run reading the whole feed expects (the feed's rows at its "
                                           "last sync)"]
    updated_at: Time | None


class Freshness(TypedDict):
    items: Annotated[Count, "items measured (changed within a day of the run's start)"]
    p50_seconds: float
    p95_seconds: float
    max_seconds: float


class Run(TypedDict):
    run_id: str
    feed: Feed
    trigger: Annotated[str, OneOf(TRIGGERS)]
    mode: Annotated[str, OneOf(MODES)]
    status: RunStatus
    status_text: Annotated[str, "the status in words: 'Success — N rows failed, will retry' when batches failed for "
                                "now (the dead-letter queue's)"]
    started_at: Time
    finished_at: Time | None
    rows_seen: Count
    rows_changed: Count
    rows_new: Annotated[Count, "items read that no row held (or held deleted)"]
    rows_updated: Annotated[Count, "items read whose document changed"]
    rows_unchanged: Annotated[Count, "items read as the rows hold them"]
    rows_deleted: Count
    rows_exported: Count
    rows_failed: Count
    batches_total: Count | None
    batches_done: Count
    batches_failed: Count
    destination: str
    error: Annotated[str | None, "the error summary, failures grouped"]
    error_code: Annotated[str | None, "the run's own failure, by code (the source, an internal error)"]
    error_counts: Annotated[dict[str, Count], "rows failed per failure code"]
    rows_retrying: Annotated[Count, "rows of batches failed for now: the next sync resends them"]
    freshness: Annotated[Freshness | None, "from each item's change in the source (updated_at) to its export, "
                                           "within 10 %"]
    progress: Progress | None


class RowKey(TypedDict):
    id: Annotated[str, "the item's id: a SKU for the product feeds"]
    scope: Annotated[str, "where it applies: a store view for products"]
    message: str


class ErrorGroup(TypedDict):
    code: str
    count: Count
    message: str
    examples: Annotated[list[RowKey], Json(maxItems=3)]


class RunOptions(TypedDict):
    force: Annotated[bool, "every item read was sent, whatever the destination held"]
    cleanup: Annotated[bool, "the stored rows were rebuilt from scratch"]
    ids: Annotated[list[str], Json(maxItems=MAX_IDS), "a resync by ids: those asked for"]
    id_type: Annotated[str, OneOf(ID_TYPES)]
    batch_size: Count | None
    thread_count: Count | None
    continues: Annotated[str | None, "the interrupted full resync this run continues"]


class RunDetail(Run):
    """A run with its errors grouped by cause and the options it ran with."""

    export_disabled_reason: str | None
    deadline_at: Time
    sealed_at: Time | None
    errors: Annotated[list[ErrorGroup], "failed rows grouped by failure code, most frequent first"]
    options: RunOptions
    read_complete: Annotated[bool, "the read got to the end (else a full resync can be continued)"]
    unknown_ids: Annotated[list[str], "by ids: ids neither the source nor a row has"]


class RunPage(TypedDict):
    items: list[Run]
    next_cursor: str | None


class ProductsSynced(TypedDict):
    last_success_at: Time | None
    last_success_run_id: str | None
    products: Count
    rows: Annotated[Count, "product × store view"]


class Cooldown(TypedDict):
    seconds: Count
    last_forced_at: Time | None
    available: bool
    available_at: Annotated[Time | None, "when force sync is next available"]


class ExportState(TypedDict):
    enabled: bool
    destination: str
    reason: str | None


class SyncStatus(TypedDict):
    feed: Feed
    last_sync: Run | None
    products_synced: ProductsSynced
    cooldown: Cooldown
    export: ExportState

