"""A feed is data: its name, identity, how its documents are built and deleted, and its batch size."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..feed import FeedRow, RowKey, StoreView, canonical, content_hash

# A source record: one item as the source read it (a plain mapping the feed's builder understands). A record
# that carries ``error`` was found malformed by the source: its row fails with that reason, the run goes on.
SourceRecord = Mapping[str, Any]
Scopes = Mapping[str, StoreView]  # the store views by code, as builders need them


@dataclass(frozen=True)
class Feed:
    """One kind of entity exported (Adobe's feeds: ``et_schema.xml`` + ``DataExporter``)."""

    name: str  # Adobe's `--feed` name
    record: str  # Adobe's record type
    identity: tuple[str, ...]  # the document fields that identify an item, as Adobe's
    batch_size: int  # items per export batch (Adobe's default)
    # The source can read only the items changed since a watermark; the others are read whole every run
    # (and send only what changed).
    incremental: bool
    build: Callable[[SourceRecord, Scopes], FeedRow]  # raises InvalidRecordError
    key_of: Callable[[SourceRecord], RowKey]  # the identity of any record, a malformed one included
    deletion: Callable[[FeedRow, Scopes], dict[str, Any]]  # Adobe's minimal payload of an item that left the source
    # What a failed row's dashboard columns keep from a malformed record (products: name, type...).
    columns_of_invalid: Callable[[SourceRecord], dict[str, Any]] = lambda record: {}
    # Its items are products' (or their variants, prices, stock): a resync by ids may name them by product id.
    product_keyed: bool = False
    # The identity fields' values of a row key, in ``identity``'s order, as text: how a destination is asked for
    # the item. None: the key's id and scope are the two fields, as for items per store view (``identity`` ends in
    # storeViewCode); any other identity must say (variants: the id hashed from both SKUs).
    identity_of: Callable[[RowKey], tuple[str, ...]] | None = None

    def __post_init__(self) -> None:
        if self.identity_of is None and not _per_store_view(self.identity):
            raise ValueError(f"feed {self.name}: identity {self.identity} is not (<id>, storeViewCode): "
                             "give identity_of, the identity values of a RowKey")

    def identity_values(self, key: RowKey) -> tuple[str, ...]:
        """The values of ``identity`` for the item with this key (what a destination names it by)."""
        return self.identity_of(key) if self.identity_of is not None else (key.id, key.scope)

    def deletion_row(self, row: FeedRow, scopes: Scopes) -> FeedRow:
        """The row that tells the destination the item left the source: its columns, the minimal payload."""
        text = canonical(self.deletion(row, scopes))
        return replace(row, document=text.decode(), hash=content_hash(text), deleted=True, invalid=None,
                       export_status=None, error=None, last_exported_at=None, extra={})


def _per_store_view(identity: tuple[str, ...]) -> bool:
    return len(identity) == 2 and identity[1] == "storeViewCode"
