"""The feed rows, with every write also added to the products search index's journal, after the rows.

Every path that changes a row goes through the FeedStore port (the sync's writes, invalid records, the
exporters' marks), so the index learns of each change without the services knowing of it. A row is journaled
before the message that carries it is sent, so a mark never reaches the index before the version it marks.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from ..domain.feed import DELETED, EXPORTED, FAILED, FeedRow, RowKey, StoredState
from ..domain.search import journal
from ..domain.search.rows import NO_TIME, millis
from ..observability import logger
from ..ports import ExportMark, FeedStore, SearchIndexStore


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

    def failed_rows(self) -> Iterator[FeedRow]:
        return self.rows.failed_rows()

    def outbox(self) -> list[RowKey]:
        return self.rows.outbox()

    def put_rows(self, rows: Iterable[FeedRow]) -> None:
        written = list(rows)
        self.rows.put_rows(written)
        self._tell(journal.rows_written(written))

    def record_invalid(self, key: RowKey, reason: str, run_id: str, fields: Mapping[str, Any]) -> None:
        self.rows.record_invalid(key, reason, run_id, fields)
        self._tell([journal.row_invalid(key, dict(fields))])

    def mark_exported(self, marks: list[ExportMark], at: str) -> int:
        marked = self.rows.mark_exported(marks, at)
        # Every mark is told, applied or not: the index applies it only to the version it names, as the store did.
        entries = []
        for status, deleted in ((EXPORTED, False), (DELETED, True)):
            entries += journal.rows_marked(status, millis(at), ((m.key, m.hash) for m in marks if m.deleted == deleted))
        self._tell(entries)
        return marked

    def mark_failed(self, marks: list[ExportMark], reasons: Mapping[RowKey, str], retryable: bool) -> int:
        marked = self.rows.mark_failed(marks, reasons, retryable)
        self._tell(journal.rows_marked(FAILED, NO_TIME, ((m.key, m.hash) for m in marks)))
        return marked

    def _tell(self, entries: list[journal.Entry]) -> None:
        if not entries:
            return
        try:
            self._index.append([journal.encode(entry) for entry in entries])
        except Exception:  # the rows are written; the index misses this change until a full resync rebuilds it
            logger.exception("the search index's journal missed a write", extra={"entries": len(entries)})
