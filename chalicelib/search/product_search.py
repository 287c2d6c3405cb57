"""The ProductSearch port on the in-memory index: searches on this process's live copy, writes to the journal.

Writes and batch outcomes become journal entries (compact bytes, after the rows are written); every process's
copy replays them on its next search. After each sync the index's snapshot is built, folded or left (upkeep).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..domain.batches import BatchOutcome
from ..domain.batching import ExportBatch
from ..domain.feed import FeedRow, RowKey
from ..domain.runs import SyncRun
from ..observability import logger
from ..ports import FeedStore, ProductSearch, RunStore, SearchPage
from . import journal
from .index import ProductIndex
from .live import LiveIndex
from .query import parse_query, run_query
from .store import SearchIndexStore
from .upkeep import maintain_search_index


class IndexedProductSearch(ProductSearch):
    def __init__(self, store: SearchIndexStore):
        self.store = store
        self.live = LiveIndex(store)  # this process's copy, loaded on the first search

    def index(self) -> ProductIndex:
        """The index as of now (loaded the first time, then brought up to date from the journal)."""
        return self.live.current()

    def search(self, q: Any = None, status: Any = None, store_view: Any = None, type: Any = None,
               visibility: Any = None, sort: Any = "sku", order: Any = "asc", cursor: Any = None,
               limit: Any = 50) -> SearchPage:
        index = self.index()
        query = parse_query(index, q=q, status=status, store_view=store_view, type=type, visibility=visibility,
                            sort=sort, order=order, cursor=cursor, limit=limit)
        page = run_query(index, query)
        return SearchPage([index.display(row) for row in page.rows], page.total, page.next_cursor)

    def keys_of_product(self, product_id: int) -> list[RowKey]:
        index = self.index()
        return sorted({index.key(row) for row in index.rows_of_product(product_id)})

    def rows_written(self, rows: Sequence[FeedRow]) -> None:
        self._append(journal.rows_written(rows))

    def row_invalid(self, key: RowKey, fields: Mapping[str, Any]) -> None:
        self._append([journal.row_invalid(key, dict(fields))])

    def outcome_journal(self, batch: ExportBatch, outcome: BatchOutcome) -> list[bytes]:
        return [journal.encode(entry) for entry in journal.batch_outcome(batch, outcome)]

    def batch_outcome(self, batch: ExportBatch, outcome: BatchOutcome) -> None:
        entries = journal.batch_outcome(batch, outcome)
        try:
            self._append(entries)
        except Exception:  # the batch is settled; the index misses this change until a full resync rebuilds it
            logger.exception("the search index's journal missed a batch outcome", extra={"entries": len(entries)})

    def maintain(self, run: SyncRun, runs: RunStore, rows: FeedStore) -> str | None:
        return maintain_search_index(self.store, run, runs, rows)

    def _append(self, entries: Sequence[journal.Entry]) -> None:
        if entries:
            self.store.append([journal.encode(entry) for entry in entries])
