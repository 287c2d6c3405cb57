"""The products search index's store: the journal and the current snapshot's description in DynamoDB, the
snapshot itself in S3 (s3_snapshots.py: one partition key of DynamoDB reads at most 12 MB/s).

Journal writes keep journal.LANDING_BOUND_MS: a position is stamped when its item is built, once per attempt of
ours (a transaction retried after a conflict builds its items again), but botocore's retries, PynamoDB's retries of
unprocessed batch items and a paused process all land an item later than its stamp. So a write acknowledged more
than the bound after an item's stamp is written again at a fresh position (at most REWRITES times; then
JournalLateError): that copy is visible within the bound, and the first one, applied too or not, sets the same
values (live.py applies entries in position order). Reads of the journal are strongly consistent: visible means
acknowledged.
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist

from ..adapters.dynamo_models import SearchIndexModel as S
from ..adapters.dynamo_tables import Tables, bound
from ..domain.errors import CatalogSyncError
from ..domain.runs import iso, utcnow
from ..observability import logger
from .journal import LANDING_BOUND_MS
from .s3_snapshots import SnapshotObjects
from .store import Arriving, JournalRecord, SearchIndexStore, SearchSnapshot

JOURNAL_TTL_SECONDS = 7 * 86_400  # entries older than any snapshot's position are trimmed; TTL is the backstop
REWRITES = 2  # journal entries acknowledged late are written again at most this many times


class JournalLateError(CatalogSyncError):
    """Journal entries written, but each time acknowledged later than the landing bound: copies may miss them."""


class DynamoSearchIndexStore(SearchIndexStore):
    def __init__(self, snapshots: SnapshotObjects, feed: str = "products", clock: Callable[[], float] = time.time,
                 tables: Tables | None = None):
        self._snapshots = snapshots
        self._feed = feed
        self._s = (tables or bound()).search_index
        self._clock = clock
        self._writer = secrets.token_hex(4)
        self._sequence = 0
        self._last_ms = 0
        self._lock = threading.Lock()  # positions are taken by several threads (exporters, the fan-out's writes)

    @property
    def _journal_pk(self) -> str:
        return f"journal#{self._feed}"

    def _position(self) -> str:
        # Time first (readers look back a few seconds from the newest position they saw), then this writer's
        # sequence: its entries keep their order even within one millisecond.
        with self._lock:
            self._last_ms = max(int(self._clock() * 1000), self._last_ms)
            self._sequence += 1
            return f"{self._last_ms:013d}#{self._writer}#{self._sequence:010d}"

    def journal_item(self, entry: bytes) -> S:
        """An entry as an item at this store's next position, for a write that carries it (a batch's settlement)."""
        expires = datetime.fromtimestamp(self._clock() + JOURNAL_TTL_SECONDS, UTC)
        return self._s(self._journal_pk, self._position(), data=entry, expires=expires)

    def append(self, entries: list[bytes]) -> None:
        for _ in range(1 + REWRITES):
            items = [self.journal_item(entry) for entry in entries]
            if len(items) == 1:
                items[0].save()
            else:
                with self._s.batch_write() as batch:
                    for item in items:
                        batch.save(item)
            late = self.landed_late(items)
            if not late:
                return
            logger.warning("search journal entries acknowledged late: written again at fresh positions",
                           extra={"entries": len(late), "position": late[0].sk})
            entries = [item.data for item in late]
        raise JournalLateError(f"{len(entries)} search journal entries were acknowledged later than "
                               f"{LANDING_BOUND_MS} ms after their positions {1 + REWRITES} times")

    def landed_late(self, items: list[S]) -> list[S]:
        """Of journal items whose write was just acknowledged, those acknowledged later than the landing bound
        after their position's time."""
        now_ms = int(self._clock() * 1000)
        return [item for item in items if now_ms - int(item.sk[:13]) > LANDING_BOUND_MS]

    def written(self, items: list[S]) -> None:
        """After a write of journal items acknowledged elsewhere (a settlement's transaction): those acknowledged
        late are written again at fresh positions. Never raises: the write that carried them stands."""
        late = self.landed_late(items)
        if not late:
            return
        logger.warning("search journal entries acknowledged late in a transaction: written again",
                       extra={"entries": len(late), "position": late[0].sk})
        try:
            self.append([item.data for item in late])
        except Exception:  # the settlement stands; copies may miss these entries until a full resync rebuilds
            logger.exception("the search journal's late entries could not be written again")

    def journal(self, after: str | None = None) -> list[JournalRecord]:
        condition = S.sk > after if after else None
        return [JournalRecord(item.sk, item.data)
                for item in self._s.query(self._journal_pk, condition, consistent_read=True)]

    def journal_size(self, after: str | None = None) -> int:
        return self._s.count(self._journal_pk, S.sk > after if after else None)

    def position_now(self) -> str:
        return f"{int(self._clock() * 1000):013d}"

    def current(self) -> SearchSnapshot | None:
        described = self._described()
        # A snapshot of a version before S3 (chunks here, another format) is none: the next sync rebuilds it.
        return None if described is None or "chunks" in described else SearchSnapshot(**described)

    def _described(self) -> dict | None:
        try:
            return json.loads(self._s.get(f"current#{self._feed}", "snapshot", consistent_read=True).meta)
        except DoesNotExist:
            return None

    def read(self, snapshot: SearchSnapshot) -> Arriving:
        return self._snapshots.get(self._snapshots.key(self._feed, snapshot.snapshot_id), snapshot.size)

    def publish(self, data: bytes, position: str, rows: int) -> SearchSnapshot:
        previous = self._described()
        snapshot = SearchSnapshot(f"{int(self._clock() * 1000):013d}-{secrets.token_hex(3)}", len(data), position,
                                  rows, iso(utcnow()))
        self._snapshots.put(self._snapshots.key(self._feed, snapshot.snapshot_id), data)
        # The description last: readers never see a snapshot that is not all written.
        self._s(f"current#{self._feed}", "snapshot", meta=json.dumps(snapshot.__dict__)).save()
        if previous is not None and "chunks" in previous:  # written by a version before S3
            self._delete(self._s.query(self._chunks_pk(previous["snapshot_id"]), attributes_to_get=["pk", "sk"]))
        elif previous is not None:
            try:
                self._snapshots.delete(self._snapshots.key(self._feed, previous["snapshot_id"]))
            except Exception:  # the new snapshot stands: the old object only costs its storage
                logger.exception("the replaced search snapshot could not be deleted",
                                 extra={"snapshot_id": previous["snapshot_id"]})
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
