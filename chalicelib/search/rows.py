"""What the search index holds of a feed row: its key, search text, facets, export state and times."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from ..domain.batches import ATTENTION, AWAITING, DELETED, NOT_EXPORTED, SUBMITTED, WILL_RETRY
from ..domain.feed import FeedRow
from .text import fold

# Export states as one byte each (0: unknown).
STATUSES = (AWAITING, SUBMITTED, ATTENTION, DELETED, NOT_EXPORTED, WILL_RETRY)
STATUS_CODES = {status: code for code, status in enumerate(STATUSES, 1)}
NO_TIME = -1  # a row never modified / never exported sorts first in ascending order

# Separators of the index's text; the indexed values never contain them (control characters become spaces).
FIELD, KEY_END, TEXT_END = "\x1f", "\x1d", "\x1e"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def search_text(product_id: int | None, sku: str, name: str | None) -> str:
    """What a search matches: product id, SKU and name, folded as a person types (text.fold)."""
    pid = "" if product_id is None else str(product_id)
    return f"{pid}{FIELD}{fold(sku)}{FIELD}{fold(name or '')}"


def name_of(text: str) -> str:
    return text.split(FIELD, 2)[2]


def product_id_of(text: str) -> str:
    return text.split(FIELD, 1)[0]


def millis(text: str | None) -> int:
    """An ISO 8601 time (or Magento's ``YYYY-MM-DD HH:MM:SS``, UTC) in epoch ms; NO_TIME when absent or unreadable."""
    if not text:
        return NO_TIME
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return NO_TIME
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0, round(moment.timestamp() * 1000))


def iso_millis(ms: int) -> str | None:
    """Epoch ms as the feed rows write times (``2026-11-22T10:00:00.000Z``); None for NO_TIME."""
    if ms == NO_TIME:
        return None
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def hash32(row_hash: str | None) -> int:
    """The first 32 bits of a row's hash: enough to tell whether a mark applies to the version indexed."""
    try:
        return int(row_hash[:8], 16) if row_hash else 0
    except ValueError:
        return 0


@dataclass(slots=True)
class IndexRow:
    """A row as the index holds it: what a search matches, filters and sorts on, and the columns a page shows
    (all but the export state, which a page reads from the table)."""

    sku: str
    store_view_code: str
    text: str  # search_text(...)
    name: str | None
    type: str | None
    visibility: str | None
    attribute_set: str | None
    price: float | None
    quantity: float | None
    salable_quantity: float | None
    status: int  # STATUS_CODES
    hash32: int
    last_modified: int  # epoch ms or NO_TIME
    last_exported: int


def index_row(row: FeedRow) -> IndexRow:
    return IndexRow(row.sku, row.store_view_code, search_text(row.product_id, row.sku, row.name), row.name,
                    row.type, row.visibility, row.attribute_set, row.price, row.quantity, row.salable_quantity,
                    STATUS_CODES.get(row.export_status or "", 0), hash32(row.hash), millis(row.last_modified),
                    millis(row.last_exported_at or row.exported_before))
