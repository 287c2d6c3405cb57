"""The products feed's rows, with every write also told to the products search, after the rows are written.

Every path that writes a row goes through the FeedStore port (the sync's writes, invalid records), so the search
learns of each without the services knowing of it. A row is told before the message that carries it is sent, so
its batch's outcome (ProductSearch.batch_outcome) never reaches the search before the version it names.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

from ..domain.errors import Failure
from ..domain.feed import FeedRow, RowKey, StoredState
from ..observability import logger
from ..ports import FeedStore, ProductSearch


class JournaledFeedStore(FeedStore):
    def __init__(self, rows: FeedStore, search: ProductSearch):
        self.rows = rows
        self._search = search

    def states(self, keys: Iterable[RowKey]) -> dict[RowKey, StoredState]:
        return self.rows.states(keys)

    def all_states(self) -> dict[RowKey, StoredState]:
        return self.rows.all_states()

    def states_of_ids(self, ids: Iterable[str]) -> dict[RowKey, StoredState]:
        return self.rows.states_of_ids(ids)

    def get_rows(self, keys: Iterable[RowKey], fields: Collection[str] | None = None) -> list[FeedRow]:
        return self.rows.get_rows(keys, fields)

    def iter_states(self) -> Iterator[tuple[RowKey, StoredState]]:
        return self.rows.iter_states()

    def rows_of_id(self, item_id: str) -> list[FeedRow]:
        return self.rows.rows_of_id(item_id)

    def iter_rows(self) -> Iterator[FeedRow]:
        return self.rows.iter_rows()

    def put_rows(self, rows: Iterable[FeedRow]) -> None:
        written = list(rows)
        self.rows.put_rows(written)
        if written:
            self._tell(lambda: self._search.rows_written(written), len(written))

    def record_invalid(self, key: RowKey, failure: Failure, run_id: str, fields: Mapping[str, Any]) -> None:
        self.rows.record_invalid(key, failure, run_id, fields)
        self._tell(lambda: self._search.row_invalid(key, fields), 1)

    @staticmethod
    def _tell(tell: Callable[[], None], rows: int) -> None:
        try:
            tell()
        except Exception:  # the rows are written; the search misses this change until a full resync rebuilds it
            logger.exception("the search index's journal missed a write", extra={"rows": rows})
