"""A product's place among composites, for its detail: the parents a child belongs to (the products feed's
``parents``: configurables, bundles, grouped products) and a configurable's variants (the variants feed's rows,
each with the child's values of the configurable's options and its export state).

Cost: a child's parents are a few reads by key; a configurable's variants too: the rows table is keyed by the
child's SKU, and the configurable's products rows name its children (``members``), so no read scans a feed.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..domain.answers.products import OptionValue, Parent, Variants
from ..domain.feed import FeedRow, RowKey
from ..domain.feeds import FEEDS
from ..domain.feeds.products import PRODUCTS
from ..domain.feeds.variants import VARIANTS
from .context import SyncContext
from .outcomes import with_states

CONFIGURABLE = "configurable"
MAX_VARIANTS = 500  # a configurable with more lists the first ones (by SKU) and says how many there are


def _document(row: FeedRow | None) -> dict[str, Any]:
    try:
        found = json.loads(row.document) if row is not None and row.document else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _options(document: dict[str, Any]) -> list[OptionValue]:
    return [{"attribute_code": value.get("attributeCode"), "label": value.get("label"),
             "value_index": value.get("valueIndex")}
            for value in document.get("optionValues") or [] if isinstance(value, dict)]


def _variant_rows(ctx: SyncContext, keys: Iterable[RowKey]) -> dict[RowKey, FeedRow]:
    if VARIANTS not in FEEDS:
        return {}
    return {row.key: row for row in with_states(ctx.batches, ctx.rows(VARIANTS).get_rows(sorted(set(keys))))}


def parents_of(ctx: SyncContext, sku: str, rows: list[FeedRow]) -> list[Parent]:
    """The composites holding the product, as its live feed documents name them, with the parent's product id
    and, for a configurable, the variant's option values."""
    named: dict[str, str | None] = {}
    for row in rows:
        if row.sku != sku or row.deleted:
            continue
        for parent in _document(row).get("parents") or []:
            if isinstance(parent, dict) and isinstance(parent.get("sku"), str):
                named.setdefault(parent["sku"], parent.get("productType"))
    if not named:
        return []
    views = sorted({row.scope for row in rows})
    parent_rows = ctx.rows(PRODUCTS).get_rows([RowKey(parent, view) for parent in named for view in views],
                                              fields=("product_id", "name", "deleted"))
    ids = {row.id: row for row in parent_rows if row.product_id is not None}
    variants = _variant_rows(ctx, (RowKey(sku, parent) for parent, kind in named.items() if kind == CONFIGURABLE))
    found: list[Parent] = []
    for parent, kind in sorted(named.items()):
        variant = variants.get(RowKey(sku, parent))
        found.append({"sku": parent, "product_type": kind,
                      "product_id": ids[parent].product_id if parent in ids else None,
                      "name": ids[parent].name if parent in ids else None,
                      "options": _options(_document(variant)) if variant else [],
                      "variant_status": variant.export_status if variant else None})
    return found


def variants_of(ctx: SyncContext, sku: str, product_type: str | None, rows: list[FeedRow]) -> Variants | None:
    """A configurable's variants from the variants feed (None for any other product): the rows of its members (its
    children as the products feed last recorded them, in any of its store views), read by key."""
    if product_type != CONFIGURABLE or VARIANTS not in FEEDS:
        return None
    members = sorted({member for row in rows for member in row.extra.get("members") or [] if isinstance(member, str)})
    found = _variant_rows(ctx, (RowKey(member, sku) for member in members[:MAX_VARIANTS]))
    shown = sorted(found.values(), key=lambda row: row.id)
    return {"total": len(members) if len(members) > MAX_VARIANTS else len(shown), "items": [
        {"sku": row.id, "product_id": row.product_id, "options": _options(_document(row)),
         "export_status": row.export_status, "deleted": row.deleted} for row in shown]}
