"""What every use case runs against: the settings, the ports and a clock."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.runs import utcnow
from ..ports import (
    BatchQueue,
    BatchStore,
    CatalogSource,
    Control,
    Destination,
    FeedStore,
    ProductSearch,
    ReconciliationStore,
    RunStore,
    SyncTrigger,
)
from ..settings import Settings


@dataclass
class SyncContext:
    settings: Settings
    source: CatalogSource
    destination: Destination | None
    feed_rows: Callable[[str], FeedStore]  # the rows of a feed, by feed name: use ``rows(feed)``
    runs: RunStore
    control: Control
    queue: BatchQueue
    batches: BatchStore
    clock: Callable[[], datetime] = field(default=utcnow)
    trigger: SyncTrigger | None = None  # debounced sync requests (change events); None where none is set up
    product_search: ProductSearch | None = None  # the products search; None: not kept (some tests)
    reconciliations: ReconciliationStore | None = None  # reconciliation reports; None: not kept (some tests)

    def rows(self, feed: str) -> FeedStore:
        """The feed rows store of ``feed``."""
        return self.feed_rows(feed)

    @property
    def export_disabled_reason(self) -> str | None:
        if self.destination is None:
            return self.settings.export_disabled_reason or "no SaaS destination configured"
        return None
