"""The products search index in DynamoDB: the current snapshot's description, its chunks, and the journal."""
from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist

from ..adapters.dynamo_models import SearchIndexModel as S
from ..adapters.dynamo_tables import Tables, bound
from ..domain.runs import iso, utcnow
from .store import JournalRecord, SearchIndexStore, SearchSnapshot, SnapshotError

CHUNK_BYTES = 350_000  # an item holds at most 400 KB
JOURNAL_TTL_SECONDS = 7 * 86_400  # entries older than any snapshot's position are trimmed; TTL is the backstop


class DynamoSearchIndexStore(SearchIndexStore):
    def __init__(self, feed: str = "products", clock: Callable[[], float] = time.time, tables: Tables | None = None):
        self._feed = feed
        self._s = (tables or bound()).search_index
        self._clock = clock
        self._writer = secrets.token_hex(4)
        self._sequence = 0
        self._last_ms = 0

    @property
    def _journal_pk(self) -> str:
        return f"journal#{self._feed}"

    def _position(self) -> str:
        # Time first (readers look back a few seconds from the newest position they saw), then this writer's
        # sequence: its entries keep their order even within one millisecond.
        self._last_ms = max(int(self._clock() * 1000), self._last_ms)
        self._sequence += 1
        return f"{self._last_ms:013d}#{self._writer}#{self._sequence:010d}"

    def append(self, entries: list[bytes]) -> None:
        expires = datetime.fromtimestamp(self._clock() + JOURNAL_TTL_SECONDS, UTC)
        items = [self._s(self._journal_pk, self._position(), data=entry, expires=expires) for entry in entries]
        if len(items) == 1:
            items[0].save()
            return
        with self._s.batch_write() as batch:
            for item in items:
                batch.save(item)

    def journal(self, after: str | None = None) -> list[JournalRecord]:
        condition = S.sk > after if after else None
        return [JournalRecord(item.sk, item.data) for item in self._s.query(self._journal_pk, condition)]

    def journal_size(self, after: str | None = None) -> int:
        return self._s.count(self._journal_pk, S.sk > after if after else None)

    def position_now(self) -> str:
        return f"{int(self._clock() * 1000):013d}"

    def current(self) -> SearchSnapshot | None:
        try:
            item = self._s.get(f"current#{self._feed}", "snapshot", consistent_read=True)
        except DoesNotExist:
            return None
        return SearchSnapshot(**json.loads(item.meta))

    def read(self, snapshot: SearchSnapshot) -> bytes:
        chunks = [item.data for item in self._s.query(self._chunks_pk(snapshot.snapshot_id), consistent_read=True)]
        if len(chunks) != snapshot.chunks:
            raise SnapshotError(f"snapshot {snapshot.snapshot_id} has {len(chunks)} of its {snapshot.chunks} chunks "
                                "(replaced meanwhile?)")
        return b"".join(chunks)

    def publish(self, data: bytes, position: str, rows: int) -> SearchSnapshot:
        previous = self.current()
        snapshot = SearchSnapshot(f"{int(self._clock() * 1000):013d}-{secrets.token_hex(3)}",
                                  max(1, -(-len(data) // CHUNK_BYTES)), position, rows, iso(utcnow()))
        with self._s.batch_write() as batch:
            for number in range(snapshot.chunks):
                chunk = data[number * CHUNK_BYTES:(number + 1) * CHUNK_BYTES]
                batch.save(self._s(self._chunks_pk(snapshot.snapshot_id), f"{number:05d}", data=chunk))
        # The description last: readers never see a snapshot whose chunks are not all written.
        self._s(f"current#{self._feed}", "snapshot", meta=json.dumps(snapshot.__dict__)).save()
        if previous is not None:
            self._delete(self._s.query(self._chunks_pk(previous.snapshot_id), attributes_to_get=["pk", "sk"]))
        return snapshot

    def trim(self, before: str) -> int:
        return self._delete(self._s.query(self._journal_pk, S.sk < before, attributes_to_get=["pk", "sk"]))

    def _chunks_pk(self, snapshot_id: str) -> str:
        return f"snapshot#{self._feed}#{snapshot_id}"

    def _delete(self, items) -> int:
        deleted = 0
        with self._s.batch_write() as batch:
            for item in items:
                batch.delete(item)
                deleted += 1
        return deleted
