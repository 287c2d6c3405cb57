"""Adobe's feeds beyond products, as the destinations see them: identity, how a row key names an item, and rows
of each to deliver. A feed not defined in the app yet is registered as a stub for the test (a real definition,
once registered, is used instead: these tests hold for it too)."""
from __future__ import annotations

import hashlib
from typing import Any

import pytest

from chalicelib.domain.batching import BatchRow, ExportBatch
from chalicelib.domain.feed import RowKey, canonical, content_hash
from chalicelib.domain.feeds import FEEDS, Feed


def _variant_id(key: RowKey) -> tuple[str, ...]:
    # Adobe's ProductVariant id: md5 of configurable/<parentSku>/<productSku> (the key: child sku in parent sku)
    return (hashlib.md5(f"configurable/{key.scope}/{key.id}".encode()).hexdigest(),)


# feed → (identity, identity_of): the keys' layout is DESIGN-FEEDS's table
STUBS = {
    "productAttributes": (("attributeCode", "storeViewCode"), None),
    "categories": (("categoryId", "storeViewCode"), None),
    "variants": (("id",), _variant_id),
    "prices": (("sku", "websiteCode", "customerGroupCode"), lambda key: (key.id, *key.scope.split("/", 1))),
    "inventoryStockStatus": (("stockId", "sku"), lambda key: (key.scope, key.id)),
}
# A row key of each feed, and another.
KEYS = {
    "products": (RowKey("SKU-1", "default"), RowKey("SKU-1", "french")),
    "productAttributes": (RowKey("color", "default"), RowKey("size", "default")),
    "categories": (RowKey("12", "default"), RowKey("12", "french")),
    "variants": (RowKey("CHILD-1", "PARENT-1"), RowKey("CHILD-2", "PARENT-1")),
    "prices": (RowKey("SKU-1", "base/0"), RowKey("SKU-1", "base/1")),
    "inventoryStockStatus": (RowKey("SKU-1", "1"), RowKey("SKU-1", "2")),
}
ALL_FEEDS = tuple(KEYS)


def register(monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """Adobe's six feeds registered for a test (stubs for those the app does not define yet); their names (the
    ``every_feed`` fixture)."""
    for name, (identity, identity_of) in STUBS.items():
        if name not in FEEDS:
            monkeypatch.setitem(FEEDS, name, Feed(
                name=name, record="Stub", identity=identity, batch_size=100, incremental=False,
                build=_unbuildable, key_of=_unbuildable, deletion=lambda row, scopes: {}, identity_of=identity_of))
    return ALL_FEEDS


def _unbuildable(*args: Any) -> Any:
    raise AssertionError("a stub feed builds no rows")


def document_of(feed: str, key: RowKey, deleted: bool = False, **fields: Any) -> dict[str, Any]:
    """A document of the feed for the key: its identity fields and a few more (or a minimal deletion)."""
    definition = FEEDS[feed]
    identity = dict(zip(definition.identity, definition.identity_values(key), strict=True))
    if deleted:
        return {**identity, "deleted": True}
    extra = {"products": {"name": f"Product {key.id}", "price": 12.5}, "prices": {"regular": 12.5}}.get(feed, {})
    return {**identity, **extra, "deleted": False, **fields}


def batch_of(feed: str, documents: dict[RowKey, dict[str, Any]], run: tuple[str, str], batch_no: int = 1,
             last_modified: str | None = "2026-11-20 10:00:00") -> ExportBatch:
    """One batch of these documents, as the exporter gets it from its message."""
    rows = [BatchRow(key, content_hash(canonical(document)), last_modified, document)
            for key, document in documents.items()]
    return ExportBatch(feed, run[0], batch_no, rows, run[1])
