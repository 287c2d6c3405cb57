"""The feed rows, with every write also added to the products search index's journal, after the rows.

Every path that writes a row goes through the FeedStore port (the sync's writes, invalid records), so the index
learns of each without the services knowing of it. A row is journaled before the message that carries it is sent,
so its batch's outcome (services/search_index.journal_outcome) never reaches the index before the version.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from ..domain.errors import Failure
from ..domain.feed import FeedRow, RowKey, StoredState
from ..domain.search import journal
from ..observability import logger
from ..ports import FeedStore, SearchIndexStore


class JournaledFeedStore(FeedStore):
    def __init__(self, rows: FeedStore, index: SearchIndexStore):
        self.rows = rows
        self._index = index

    def states(self, keys: Iterable[RowKey]) -> dict[RowKey, StoredState]:
        return self.rows.states(keys)

    def all_states(self) -> dict[RowKey, StoredState]:
        return self.rows.all_states()

    def get_rows(self, keys: Iterable[RowKey], fields: Collection[str] | None = None) -> list[FeedRow]:
        return self.rows.get_rows(keys, fields)

    def iter_rows(self) -> Iterator[FeedRow]:
        return self.rows.iter_rows()

    def put_rows(self, rows: Iterable[FeedRow]) -> None:
        written = list(rows)
        self.rows.put_rows(written)
        self._tell(journal.rows_written(written))

    def record_invalid(self, key: RowKey, failure: Failure, run_id: str, fields: Mapping[str, Any]) -> None:
        self.rows.record_invalid(key, failure, run_id, fields)
        self._tell([journal.row_invalid(key, dict(fields))])

    def _tell(self, entries: list[journal.Entry]) -> None:
        if not entries:
            return
        try:
            self._index.append([journal.encode(entry) for entry in entries])
        except Exception:  # the rows are written; the index misses this change until a full resync rebuilds it
            logger.exception("the search index's journal missed a write", extra={"entries": len(entries)})
