"""Where the products search index lives (the package's own port): a snapshot and the journal since."""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass

from ..domain.errors import CatalogSyncError


class SnapshotError(CatalogSyncError):
    """A snapshot that cannot be read: gone (replaced meanwhile), damaged, or not a snapshot of this version."""


@dataclass(frozen=True)
class SearchSnapshot:
    """The products search index's current snapshot: it folds in the journal up to ``position``."""

    snapshot_id: str
    size: int  # bytes
    position: str
    rows: int
    created_at: str


class Arriving:
    """A snapshot's bytes as they arrive, part by part in any order: a slice waits for the parts it covers, and
    raises SnapshotError if one of them failed."""

    def __init__(self, size: int, part_bytes: int):
        self._data = bytearray(size)
        self._view = memoryview(self._data)
        self.part_bytes = part_bytes
        self._arrived = [threading.Event() for _ in range(self.parts)]
        self._error: SnapshotError | None = None

    @property
    def parts(self) -> int:
        return max(1, -(-len(self._data) // self.part_bytes))

    def span(self, part: int) -> tuple[int, int]:
        """The bytes [start, end) of a part."""
        return part * self.part_bytes, min(len(self._data), (part + 1) * self.part_bytes)

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, index: slice) -> memoryview:
        start, stop, _ = index.indices(len(self._data))
        if start < stop:
            for part in range(start // self.part_bytes, (stop - 1) // self.part_bytes + 1):
                self._arrived[part].wait()
                if self._error is not None:
                    raise self._error
        return self._view[start:stop]

    def arrive(self, part: int, data: bytes) -> None:
        start, end = self.span(part)
        if len(data) != end - start:
            self.fail(SnapshotError(f"part {part} of the snapshot has {len(data)} bytes, expected {end - start}"))
            return
        self._view[start:end] = data
        self._arrived[part].set()

    def fail(self, error: SnapshotError) -> None:
        self._error = error
        for arrived in self._arrived:
            arrived.set()


@dataclass(frozen=True)
class JournalRecord:
    """One journal entry at its position: sortable, starting with the write time (13 digits of epoch ms)."""

    position: str
    data: bytes


class SearchIndexStore(ABC):
    """Where the products search index lives: a snapshot (compacted) and the journal of the feed row writes since,
    which the API replays on top of it."""

    @abstractmethod
    def append(self, entries: list[bytes]) -> None:
        """Add journal entries, each at a position after the ones this store instance added before."""

    @abstractmethod
    def journal(self, after: str | None = None) -> list[JournalRecord]:
        """The entries after position ``after`` (None: all), oldest first."""

    @abstractmethod
    def journal_size(self, after: str | None = None) -> int:
        """How many entries lie after ``after``."""

    @abstractmethod
    def position_now(self) -> str:
        """A position for the present: every entry appended from now on comes after it."""

    @abstractmethod
    def current(self) -> SearchSnapshot | None:
        """The current snapshot, or None before the first is published (strongly consistent)."""

    @abstractmethod
    def read(self, snapshot: SearchSnapshot) -> bytes | Arriving:
        """A snapshot's bytes, possibly still arriving; raises SnapshotError (maybe only when a slice of them is
        read) when it is gone (replaced since: read ``current`` again)."""

    @abstractmethod
    def publish(self, data: bytes, position: str, rows: int) -> SearchSnapshot:
        """Store a snapshot and make it current (the one it replaces is removed); return it."""

    @abstractmethod
    def trim(self, before: str) -> int:
        """Remove the journal entries before position ``before``; return how many."""
