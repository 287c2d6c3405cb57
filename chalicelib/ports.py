"""Ports: what the services need from the outside world, each with an in-memory fake in tests."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .domain.batches import BatchOutcome
from .domain.batching import ExportBatch
from .domain.budget import Deadline
from .domain.errors import Failure, UnknownFeedError
from .domain.events import DirtyEntry
from .domain.feed import FeedRow, RowKey, StoredState, StoreView
from .domain.feeds import SourceRecord
from .domain.holdings import HeldItem
from .domain.reconciliation_report import ReconciliationReport
from .domain.runs import SyncRun

# A source record of the products feed: one product in one store view. Keys: store_view_code, product_id, sku,
# name, type, status ("Enabled"/"Disabled"), visibility (label), attribute_set (name), price,
# quantity, salable_quantity, in_stock, url_key, description, short_description, weight,
# attributes ({code: [labels]}), categories, images, parents, created_at, updated_at (ISO, UTC); stock_id (the
# stock the view sells from) and members (a composite's member SKUs), kept on the row for the dashboard; and
# error: set by a source that found the record malformed (the row fails with it, the run goes on).
# The other feeds' records are described by their builders (chalicelib/domain/feeds/).
SourceProduct = Mapping[str, Any]


@dataclass(frozen=True)
class ReadPosition:
    """A place in a resumable read (``CatalogSource.read_resumable``): opaque to everyone but its source."""

    value: str


class CatalogSource(ABC):
    """Where catalog data comes from (Magento, or the generated sample catalog), feed by feed."""

    kind: str

    @abstractmethod
    def store_views(self) -> list[StoreView]:
        """The store views to sync."""

    @abstractmethod
    def feeds(self) -> tuple[str, ...]:
        """The feeds this source can read."""

    @abstractmethod
    def read(self, feed: str, changed_since: str | None) -> Iterator[SourceRecord]:
        """Every record of ``feed``, or (incremental feeds) those updated at or after ``changed_since``.

        Raises SourceError when the source cannot be read.
        """

    @abstractmethod
    def read_by_ids(self, feed: str, ids: Collection[str],
                    product_ids: Collection[int] = ()) -> Iterator[SourceRecord]:
        """The current records (in every scope) of the items with these ids (SKUs for the product feeds) or product ids.

        Items that no longer exist are simply absent. Raises SourceError when the source cannot be read.
        """

    def read_resumable(self, feed: str, start: str | None) -> Iterator[SourceRecord | ReadPosition]:
        """Every record of ``feed`` from position ``start`` (None: the beginning), with, between records, the
        positions a later read can resume from: every record before a position has been yielded.

        A source that cannot resume yields no position (and reads from the beginning whatever ``start`` is), so an
        interrupted resync of it starts its read over. Raises SourceError when the source cannot be read.
        """
        return iter(self.read(feed, None))

    def with_concurrency(self, threads: int) -> CatalogSource:
        """This source, reading with at most ``threads`` requests in flight (for one run); a source that reads one
        request at a time is itself."""
        return self

    def count(self, feed: str) -> int | None:
        """How many records a whole read of ``feed`` yields, where the source knows it cheaply (progress shows
        "of N"); None otherwise."""
        return None

    def require(self, feed: str) -> None:
        """Raise UnknownFeedError unless this source reads ``feed``."""
        if feed not in self.feeds():
            raise UnknownFeedError(f"the {self.kind} source does not read the {feed!r} feed; it reads "
                                   f"{', '.join(self.feeds())}")


CANNOT_READ_BACK = "destination.cannot_read_back"  # the failure code of holdings() where reads_back is False


class Destination(ABC):
    """Where feed batches go."""

    kind: str

    @abstractmethod
    def deliver(self, batch: ExportBatch, modified_at: str,
                deadline: Deadline | None = None) -> dict[RowKey, Failure]:
        """Deliver a batch; return the rows the destination rejected for good, with its reasons.

        ``modified_at`` is every item's ``modifiedAt``. Transient failures are retried until ``deadline``
        (None: the destination's own budget). Raises DestinationError when the whole batch failed; its
        ``retryable`` and ``next_sync`` say what happens next.
        """

    @abstractmethod
    def complete_run(self, run: SyncRun) -> None:
        """Called once when a run ends (e.g. to write its manifest)."""

    # Whether ``held`` and ``holdings`` can say what the destination holds (False: ``held`` answers None and
    # ``holdings`` raises DestinationError).
    reads_back: bool = False

    @abstractmethod
    def held(self, feed: str, key: RowKey) -> dict[str, Any] | None:
        """The item the destination holds for a row of ``feed``, as it last accepted it (``updatedAt``/``modifiedAt``
        included; a deletion as its minimal payload marked deleted); None when it holds none, or cannot say
        (``reads_back`` False).

        Raises DestinationError when the destination cannot be read.
        """

    @abstractmethod
    def holdings(self, feed: str) -> Iterator[HeldItem]:
        """Every item the destination holds of ``feed``, deletions included, read in bulk (a bounded number of
        requests per 1,000 items, never one per item), in the destination's order. Each is named by the feed's
        identity values (``Feed.identity_values`` of a row's key) and carries its content hash, the row's
        ``hash`` when they agree.

        Raises DestinationError when the destination cannot be read (after its retries), or cannot read back at
        all (``reads_back`` False: code ``destination.cannot_read_back``).
        """


class FeedStore(ABC):
    """The feed rows of one feed. Rows are written by syncs only (never by exporters: a row's export state is its
    batch's outcome, in the BatchStore)."""

    @abstractmethod
    def states(self, keys: Iterable[RowKey]) -> dict[RowKey, StoredState]: ...

    @abstractmethod
    def all_states(self) -> dict[RowKey, StoredState]: ...

    @abstractmethod
    def states_of_ids(self, ids: Iterable[str]) -> dict[RowKey, StoredState]:
        """The stored states of these items in every scope (a resync by ids: one query per id, never a scan)."""

    @abstractmethod
    def get_rows(self, keys: Iterable[RowKey], fields: Collection[str] | None = None) -> list[FeedRow]:
        """The rows with these keys (absent ones left out, in no set order); with ``fields``, only those
        FeedRow fields are read (the others keep their defaults)."""

    @abstractmethod
    def rows_of_id(self, item_id: str) -> list[FeedRow]:
        """Every row of this feed with this id, whatever its scope (a SKU's prices in every website and customer
        group, its stock in every stock): one Query, the table's hash key being the id."""

    @abstractmethod
    def iter_rows(self) -> Iterator[FeedRow]: ...

    def iter_states(self) -> Iterator[tuple[RowKey, StoredState]]:
        """Every row's key and stored state, streamed page by page (a reconciliation reads a whole feed so)."""
        return iter(self.all_states().items())

    @abstractmethod
    def put_rows(self, rows: Iterable[FeedRow]) -> None:
        """Write whole rows with batch writes."""

    @abstractmethod
    def record_invalid(self, key: RowKey, failure: Failure, run_id: str, fields: Mapping[str, Any]) -> None:
        """A source record could not be built: the row is failed with ``failure``; its last good document and its
        batch stay (``fields`` fill the dashboard columns of a row that has none)."""


@dataclass(frozen=True)
class Settlement:
    """What one delivery of a batch counts in its run: rows exported and failed, failures by code with a few
    example rows each, and whether the whole batch failed."""

    exported: int
    failed: int
    error_counts: Mapping[str, int] = field(default_factory=dict)
    error_examples: Mapping[str, list[dict[str, str]]] = field(default_factory=dict)
    batch_failed: bool = False
    retrying: int = 0  # rows failed for now (the next sync resends them)
    freshness: Mapping[str, int] = field(default_factory=dict)  # the exported items' lags by bucket


class BatchStore(ABC):
    """The batches of every run with their outcome records: the source of each row's export state, and the outbox
    (the batches whose rows are still to be sent) found without scanning the rows."""

    @abstractmethod
    def create(self, batches: Sequence[BatchOutcome]) -> None:
        """Record new batches (open, or held when nothing is exported) with the keys they carry; before the rows
        that name them are written and before their message is sent."""

    @abstractmethod
    def outcomes(self, batch_ids: Iterable[str]) -> dict[str, BatchOutcome]:
        """The records of these batches (absent ones left out)."""

    @abstractmethod
    def outbox(self, feed: str) -> list[BatchOutcome]:
        """The feed's batches whose rows are still to be sent: open or held (never delivered: a crash, or no
        destination then) or failed for now."""

    @abstractmethod
    def needing_attention(self, feed: str) -> list[BatchOutcome]:
        """The feed's batches with rows failed until they change: rejected rows, or a batch refused for good."""

    @abstractmethod
    def settle(self, outcome: BatchOutcome, counts: Settlement, journal: Sequence[bytes] = ()) -> bool:
        """Record how an open batch ended, add ``counts`` to its run and write ``journal`` (the products search's
        entries telling the outcome: ProductSearch.outcome_journal), all at once; False when it had already ended
        (a redelivered message): then nothing is written."""

    @abstractmethod
    def retire(self, batch_ids: Iterable[str], at: str) -> None:
        """These batches' failed or unsent rows went out again in later batches: they leave the outbox and the
        attention list (their records, and the state of any row still naming them, stand)."""

    @abstractmethod
    def note_error(self, batch_id: str, failure: Failure) -> None:
        """Keep the last failure of a batch that will be retried (the dead-letter handler reports it)."""

    @abstractmethod
    def last_error(self, batch_id: str) -> Failure | None: ...


@dataclass
class FeedState:
    """Per-feed control data: watermark, the last successful sync and the last full read of the source."""

    feed: str
    watermark: str | None = None
    last_success_run_id: str | None = None
    last_success_at: str | None = None
    rows_total: int = 0
    products_total: int = 0
    last_full_read_at: str | None = None


@dataclass(frozen=True, order=True)
class RunCursor:
    """Where a page of runs ends: the last run's start and id (runs sort by both)."""

    started_at: str
    run_id: str


@dataclass(frozen=True)
class Lock:
    feed: str
    run_id: str
    expires_at: str


class RunStore(ABC):
    """Sync runs and their batches."""

    @abstractmethod
    def create(self, run: SyncRun) -> None: ...

    @abstractmethod
    def get(self, run_id: str) -> SyncRun | None: ...

    @abstractmethod
    def latest(self, feed: str) -> SyncRun | None: ...

    @abstractmethod
    def list_runs(self, feed: str, limit: int,
                  after: RunCursor | None = None) -> tuple[list[SyncRun], RunCursor | None]:
        """Runs of ``feed``, newest first, from just after ``after``; and where the next page starts (None: no more)."""

    @abstractmethod
    def claim_reindex(self, run_id: str, at: str) -> bool:
        """Mark an opened run's reindex begun (its first progress); False if it already was (a redelivery)."""

    @abstractmethod
    def note_progress(self, run_id: str, rows_seen: int, rows_changed: int, at: str,
                      read_position: str | None = None) -> None:
        """Record the reindex's progress so far (the run's only writer while it reindexes), and the source position
        a resumed read would start from (None: unchanged)."""

    @abstractmethod
    def seal(self, run: SyncRun) -> SyncRun:
        """Store the reindex counters, its error examples, the batch total, where the read stands, the unknown ids
        and ``sealed_at``; return the run as it now stands."""

    @abstractmethod
    def finish(self, run_id: str, status: str, error: str | None, finished_at: str) -> bool:
        """Move an in-progress run to its end state; False if another writer did it first."""


class FeedLocks(ABC):
    """One lock per feed: a lease, so that a crashed run cannot hold it forever."""

    @abstractmethod
    def acquire(self, feed: str, run_id: str, now: str, expires_at: str) -> None:
        """Take the feed's lock, or raise LockHeldError naming the holder."""

    @abstractmethod
    def release(self, feed: str, run_id: str) -> None:
        """Release the lock if ``run_id`` still holds it."""

    @abstractmethod
    def holder(self, feed: str) -> Lock | None: ...


class FeedStates(ABC):
    """What a feed's runs leave behind: the watermark, the last success, the catalog's totals, the last full read."""

    @abstractmethod
    def get(self, feed: str) -> FeedState: ...

    @abstractmethod
    def record_catalog(self, feed: str, rows_total: int, products_total: int, absolute: bool) -> None:
        """Set (``absolute``) or add to the feed's row and product totals."""

    @abstractmethod
    def record_success(self, feed: str, run_id: str, at: str, watermark: str | None) -> None: ...

    @abstractmethod
    def record_full_read(self, feed: str, at: str) -> None:
        """Remember when a run last read the whole source (full resync or reconcile)."""


class Cooldowns(ABC):
    """The force-sync cooldown of each feed."""

    @abstractmethod
    def claim(self, feed: str, now: str, window_start: str) -> None:
        """Start the cooldown, or raise CooldownActiveError if a force sync ran after window_start."""

    @abstractmethod
    def started_at(self, feed: str) -> str | None: ...

    @abstractmethod
    def release(self, feed: str, claimed_at: str) -> None:
        """Give back the cooldown claimed at ``claimed_at`` (its sync could not start), if nobody claimed it since."""


class DirtySet(ABC):
    """Items that change events marked dirty, waiting for a sync to read them."""

    @abstractmethod
    def mark(self, feed: str, entries: Iterable[DirtyEntry]) -> None:
        """Mark items dirty; an entry already there takes the new ``marked_at`` and ``mark``."""

    @abstractmethod
    def entries(self, feed: str) -> list[DirtyEntry]:
        """Every dirty entry of the feed, as it stands now (strongly consistent)."""

    @abstractmethod
    def clear(self, feed: str, entries: Iterable[DirtyEntry]) -> int:
        """Remove the entries that were not marked again since they were read; return how many went."""


class SyncRequests(ABC):
    """The standing request for a debounced sync (one per burst of change events)."""

    @abstractmethod
    def request(self, feed: str, now: str, stale_before: str) -> bool:
        """Record that a sync was requested at ``now``; True only for the request that wins.

        A request is refused (False) while an earlier one made after ``stale_before`` still stands.
        """

    @abstractmethod
    def clear(self, feed: str) -> None:
        """Forget the standing sync request (its run is starting, or its message could not be sent)."""


@dataclass(frozen=True)
class Control:
    """The control items of every feed, by concern (one DynamoDB table holds them all)."""

    locks: FeedLocks
    feed_states: FeedStates
    cooldowns: Cooldowns
    dirty: DirtySet
    requests: SyncRequests


class ReconciliationStore(ABC):
    """Reconciliation reports of each feed, kept with history (they expire after ``KEPT_DAYS``)."""

    @abstractmethod
    def save(self, report: ReconciliationReport) -> None:
        """Write the report whole (a new one, or one whose actions were taken)."""

    @abstractmethod
    def get(self, feed: str, report_id: str) -> ReconciliationReport | None: ...

    @abstractmethod
    def latest(self, feed: str, limit: int) -> list[ReconciliationReport]:
        """The feed's newest reports first."""


class EventReplayGuard(ABC):
    """Each change event's signature is accepted once, for as long as it is fresh (domain/event_signatures.py)."""

    @abstractmethod
    def first_use(self, signature: str, expires_at: int) -> bool:
        """Record ``signature`` until ``expires_at`` (unix seconds); False if it was recorded already (a replay).

        Of concurrent deliveries of one signature, exactly one gets True.
        """

    @abstractmethod
    def forget(self, signature: str) -> None:
        """Drop the record: the event could not be acted on, and its sender may deliver it again."""


class SyncTrigger(ABC):
    """The queue that starts a sync after a delay (change events debounce through it)."""

    @abstractmethod
    def request(self, feed: str, requested_at: str, delay_seconds: int) -> None:
        """Send one message that starts a sync of ``feed`` after ``delay_seconds``.

        Raises CatalogSyncError when the message cannot be sent.
        """

    @abstractmethod
    def start_run(self, feed: str, run_id: str) -> None:
        """Send one message that runs the opened run ``run_id`` (a forced sync) at once.

        Raises CatalogSyncError when the message cannot be sent.
        """

    @abstractmethod
    def start_reconciliation(self, feed: str, report_id: str) -> None:
        """Send one message that runs the reconciliation whose running report ``report_id`` the API wrote.

        Raises CatalogSyncError when the message cannot be sent.
        """


class BatchQueue(ABC):
    """The export queue."""

    @abstractmethod
    def send(self, messages: list[str]) -> int:
        """Send messages with batch calls; return the number sent."""


@dataclass(frozen=True)
class SearchPage:
    """A page of a products search: each row's columns as the search holds them (``sku`` and
    ``store_view_code`` name the row), the number of rows matching, and the cursor of the next page."""

    rows: list[dict[str, Any]]
    total: int
    next_cursor: str | None


class ProductSearch(ABC):
    """Searching the products feed's rows as a person types (part of an id, SKU or name), filtered by export
    state and facets, in a chosen order, page by page; kept current by every write of rows and every batch's
    outcome."""

    @abstractmethod
    def search(self, q: Any = None, status: Any = None, store_view: Any = None, type: Any = None,
               visibility: Any = None, sort: Any = "sku", order: Any = "asc", cursor: Any = None,
               limit: Any = 50) -> SearchPage:
        """One page of the rows matching; raises InvalidQueryError naming a parameter it cannot use.

        ``q`` matches whatever its case, accents, HTML entities or runs of spaces; ``cursor`` is the previous
        page's ``next_cursor`` (with the same other parameters).
        """

    @abstractmethod
    def keys_of_product(self, product_id: int) -> list[RowKey]:
        """The rows of one product (every store view, any SKU it had)."""

    @abstractmethod
    def rows_written(self, rows: Sequence[FeedRow]) -> None:
        """Rows were written whole (a reindex); told after the write, before a message carries them."""

    @abstractmethod
    def row_invalid(self, key: RowKey, fields: Mapping[str, Any]) -> None:
        """A source record could not be built: its row failed (``fields``: what the record had)."""

    @abstractmethod
    def outcome_journal(self, batch: ExportBatch, outcome: BatchOutcome) -> list[bytes]:
        """What tells the search how a batch ended, for the batch store to write with the batch's settlement
        (BatchStore.settle's ``journal``: no request of its own, and exactly when the outcome is recorded): each
        row it carried (``batch``, as sent) takes the outcome only while it is still the version sent."""

    @abstractmethod
    def batch_outcome(self, batch: ExportBatch, outcome: BatchOutcome) -> None:
        """A batch was settled without its ``outcome_journal``: tell the search on its own. Reads no row; never
        raises (the batch is settled whatever the search makes of it)."""

    @abstractmethod
    def maintain(self, run: SyncRun, runs: RunStore, rows: FeedStore) -> str | None:
        """After a run of the products feed: fold the writes into the search's stored form once they have grown,
        or build it from ``rows`` (a scan: a first build, or a full resync). Returns what was done (None:
        nothing); never raises: the run stands."""
