"""What a destination holds of a feed, as its bulk read lists it: each item's identity, content hash and state.

A reconciliation compares these with the feed rows: the same identity with the same hash is in sync (a row's
``hash`` and a held item's are both ``feed.item_hash`` of the document without its timestamps).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class HeldItem:
    """One item a destination holds (a deletion included, as it keeps deletions flagged)."""

    identity: tuple[str, ...]  # the feed's identity values (``Feed.identity_values`` of a row's key), as text
    hash: str  # ``feed.item_hash`` of the item as the destination received it
    modified_at: str | None  # the item's ``modifiedAt``: when the run that sent this version started
    deleted: bool
    document: dict[str, Any] | None = None  # the item as received, when the read asked for documents
