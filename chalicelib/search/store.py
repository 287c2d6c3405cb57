"""Where the products search index lives (the package's own port): a snapshot in chunks and the journal since."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from ..domain.errors import CatalogSyncError


class SnapshotError(CatalogSyncError):
    """A snapshot that cannot be read: missing chunks, or not a snapshot."""


@dataclass(frozen=True)
class SearchSnapshot:
    """The products search index's current snapshot: it folds in the journal up to ``position``."""

    snapshot_id: str
    chunks: int
    position: str
    rows: int
    created_at: str


@dataclass(frozen=True)
class JournalRecord:
    """One journal entry at its position: sortable, starting with the write time (13 digits of epoch ms)."""

    position: str
    data: bytes


class SearchIndexStore(ABC):
    """Where the products search index lives: a snapshot (compacted, in chunks) and the journal of the
    feed row writes since, which the API replays on top of it."""

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
    def read(self, snapshot: SearchSnapshot) -> bytes:
        """A snapshot's bytes; raises SnapshotError when it is gone (replaced since: read ``current`` again)."""

    @abstractmethod
    def publish(self, data: bytes, position: str, rows: int) -> SearchSnapshot:
        """Store a snapshot and make it current (the one it replaces is removed); return it."""

    @abstractmethod
    def trim(self, before: str) -> int:
        """Remove the journal entries before position ``before``; return how many."""
