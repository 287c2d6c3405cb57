"""Catalog reconciliation: what the feed rows say the destination should hold, against what it holds.

The source side is every row of a feed (its key, content hash, whether it is a deletion); the destination side is
its bulk read (``HeldItem``: identity values, content hash, deleted). Both are named by the feed's identity
values. The rows are indexed once (identity → 16-byte digest and a flag: some 150 bytes a row), then the
destination's items stream past the index, so memory grows with the feed's rows only, never with the items read.

- missing: a live row the destination does not hold, or holds as a deletion;
- stale: held live, but with another content hash;
- orphaned: held live while the source has no row for it, or only its deletion;
- pending: rows of batches still to be sent (the outbox) are not counted against the destination.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .feed import RowKey
from .feeds import Feed
from .holdings import HeldItem

if TYPE_CHECKING:  # answers/reconciliation.py takes this module's words
    from .answers.reconciliation import ReconciledItem

MISSING, STALE, ORPHANED = "missing", "stale", "orphaned"
KINDS = (MISSING, STALE, ORPHANED)
EXAMPLES = 10  # items shown per kind
ACTION_LIMIT = 500  # items kept per kind for the report's actions ("resend these", "delete these")
_SEPARATOR = "\x1f"  # between identity values (a unit separator: in no SKU, code or id)
_LIVE, _DELETED = b"\x00", b"\x01"


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One feed row as reconciliation needs it."""

    key: RowKey
    hash: str
    deleted: bool


@dataclass
class Discrepancies:
    """Items of one kind: how many, and the first ones (``ACTION_LIMIT``) with their row keys when known."""

    count: int = 0
    items: list[ReconciledItem] = field(default_factory=list)

    def add(self, identity: tuple[str, ...], key: RowKey | None) -> None:
        self.count += 1
        if len(self.items) < ACTION_LIMIT:
            self.items.append({"identity": list(identity), "id": key.id if key else None,
                               "scope": key.scope if key else None})


@dataclass
class Comparison:
    """The outcome of comparing a feed's rows with the destination's holdings."""

    source_rows: int = 0  # live rows
    source_deletions: int = 0
    held: int = 0  # items the destination listed (deletions included)
    in_sync: int = 0
    pending: int = 0  # rows still to be sent (their batch is in the outbox): not counted as a difference
    found: dict[str, Discrepancies] = field(default_factory=lambda: {kind: Discrepancies() for kind in KINDS})

    @property
    def clean(self) -> bool:
        return not any(d.count for d in self.found.values())


def _text(identity: Iterable[str]) -> str:
    return _SEPARATOR.join(identity)


class SourceIndex:
    """The feed rows by identity: a digest and a deletion flag each; the row key only where the identity is not
    the key itself (an identity hashed from it, as variants')."""

    def __init__(self, identity_of: Callable[[RowKey], tuple[str, ...]], identity_is_key: bool):
        self._identity_of = identity_of
        self._identity_is_key = identity_is_key
        self._entries: dict[str, bytes] = {}
        self._keys: dict[str, RowKey] = {}

    @classmethod
    def for_feed(cls, feed: Feed) -> SourceIndex:
        return cls(feed.identity_values, feed.identity_of is None)

    def add(self, entry: SourceEntry) -> None:
        identity = _text(self._identity_of(entry.key))
        try:
            digest = bytes.fromhex(entry.hash)
        except ValueError:  # no hash (a row that never had a valid document): differs from anything held
            digest = b""
        self._entries[identity] = digest + (_DELETED if entry.deleted else _LIVE)
        if not self._identity_is_key:
            self._keys[identity] = entry.key

    def __len__(self) -> int:
        return len(self._entries)

    def pop(self, identity: str) -> bytes | None:
        return self._entries.pop(identity, None)

    def key_of(self, identity: str) -> RowKey | None:
        if self._identity_is_key:
            parts = identity.split(_SEPARATOR)
            return RowKey(parts[0], parts[1]) if len(parts) == 2 else None
        return self._keys.get(identity)

    def remaining(self) -> Iterable[tuple[str, bytes]]:
        return sorted(self._entries.items())

    @property
    def identity_is_key(self) -> bool:
        return self._identity_is_key

    def counts(self) -> tuple[int, int]:
        """(live rows, deletions) indexed."""
        deleted = sum(1 for value in self._entries.values() if value[-1:] == _DELETED)
        return len(self._entries) - deleted, deleted


def compare(index: SourceIndex, holdings: Iterable[HeldItem], pending: Collection[RowKey] = ()) -> Comparison:
    """Compare the indexed rows with the destination's items (each read once, in any order). Consumes ``index``."""
    result = Comparison()
    result.source_rows, result.source_deletions = index.counts()
    for item in holdings:
        result.held += 1
        identity = _text(item.identity)
        value = index.pop(identity)
        key = index.key_of(identity)
        if value is None or value[-1:] == _DELETED:
            if not item.deleted:
                result.found[ORPHANED].add(tuple(item.identity), key)
            else:
                result.in_sync += 1
            continue
        if item.deleted:
            _differs(result, MISSING, tuple(item.identity), key, pending)
        elif value[:-1].hex() == item.hash:
            result.in_sync += 1
        else:
            _differs(result, STALE, tuple(item.identity), key, pending)
    for identity, value in index.remaining():
        if value[-1:] == _LIVE:
            _differs(result, MISSING, tuple(identity.split(_SEPARATOR)), index.key_of(identity), pending)
    return result


def _differs(result: Comparison, kind: str, identity: tuple[str, ...], key: RowKey | None,
             pending: Collection[RowKey]) -> None:
    if key is not None and key in pending:
        result.pending += 1
    else:
        result.found[kind].add(identity, key)
