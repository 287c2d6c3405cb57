"""Products: search the synced rows across store views, and one product's detail with a discrepancy check.

A search runs on the ProductSearch port: it finds the page's rows, their columns and the total without reading
the feed rows table; then the export state of just the page's rows is read — the batch each names (one
BatchGetItem of four attributes) and those batches' outcome records (one more) — so that the state and error
shown are as they stand now.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..domain.answers.products import Difference, Product, ProductDetail, ProductPage, ProductStoreView
from ..domain.errors import CatalogSyncError, DestinationError, InvalidQueryError, InvalidRecordError
from ..domain.feed import TRANSPORT_FIELDS, FeedRow, RowKey
from ..domain.feeds.products import PRODUCTS, build_row
from ..observability import logger
from ..ports import ProductSearch
from .context import SyncContext
from .outcomes import STATE_FIELDS, with_states
from .product_relations import parents_of, variants_of
from .shelf import Shelf, prices_and_stock, shelf_columns

__all__ = ["InvalidQueryError", "product_detail", "search_products"]

ITEM_FIELDS = tuple(Product.__annotations__)  # a page's columns, in their order
LIVE_FIELDS = ("export_status", "error", "last_exported_at")  # the export state: read live for the page shown
# When a version was made, not what it holds: never a difference.
IGNORED_FIELDS = frozenset(TRANSPORT_FIELDS)


class SearchUnavailableError(CatalogSyncError):
    """The context has no products search (a setup without one): products cannot be searched."""


def _search(ctx: SyncContext) -> ProductSearch:
    if ctx.product_search is None:
        raise SearchUnavailableError("the products search index is not configured")
    return ctx.product_search


def search_products(ctx: SyncContext, q: Any = None, status: Any = None, store_view: Any = None, type: Any = None,
                    visibility: Any = None, sort: Any = "sku", order: Any = "asc", cursor: Any = None,
                    limit: Any = 50) -> ProductPage:
    """A page of feed rows matching the search, in the chosen order; raises InvalidQueryError for a bad parameter."""
    page = _search(ctx).search(q=q, status=status, store_view=store_view, type=type, visibility=visibility,
                               sort=sort, order=order, cursor=cursor, limit=limit)
    keys = [RowKey(row["sku"], row["store_view_code"]) for row in page.rows]
    live = {row.key: row for row in with_states(ctx.batches, ctx.rows(PRODUCTS).get_rows(
        keys, fields=(*STATE_FIELDS, "extra")))}
    shelf = shelf_columns(ctx, ((key, row.extra) for key, row in live.items()))
    return {"items": [_item(row, live.get(key), shelf.get(key)) for row, key in zip(page.rows, keys, strict=True)],
            "next_cursor": page.next_cursor, "total": page.total}


def _item(shown: dict[str, Any], live: FeedRow | None, shelf: Shelf | None) -> Product:
    """The index's columns, with the export state as the table holds it now (the index's if the row is gone), and
    the price and salable quantity from the prices and stock feeds (``shelf``)."""
    shown["error"] = None
    if live is not None:
        shown.update((name, getattr(live, name)) for name in LIVE_FIELDS)
    shown.update(price_from=False, currency=None)
    if shelf is not None:
        if shelf["price"] is not None:
            shown["price"], shown["price_from"] = shelf["price"], shelf["price_from"]
        shown["currency"] = shelf["currency"]
        shown["salable_quantity"] = shelf.get("salable_quantity", shown["salable_quantity"])
    return {"product_id": shown["product_id"], "name": shown["name"], "type": shown["type"],
            "last_exported_at": shown["last_exported_at"], "last_modified": shown["last_modified"],
            "attribute_set": shown["attribute_set"], "sku": shown["sku"], "price": shown["price"],
            "price_from": shown["price_from"], "currency": shown["currency"], "quantity": shown["quantity"],
            "salable_quantity": shown["salable_quantity"], "visibility": shown["visibility"],
            "store_view_code": shown["store_view_code"], "export_status": shown["export_status"],
            "error": shown["error"]}


def product_detail(ctx: SyncContext, product_id: int) -> ProductDetail | None:
    """Every store view of a product as the feed, the source and the destination hold it; None if the feed has
    no row of it. A source or destination that cannot be read is named in ``source_error`` / ``destination_error``."""
    if not isinstance(product_id, int) or isinstance(product_id, bool) or product_id < 1:
        raise InvalidQueryError(f"product_id must be a positive whole number; got {product_id!r}")
    rows = with_states(ctx.batches, ctx.rows(PRODUCTS).get_rows(_search(ctx).keys_of_product(product_id)))
    if not rows:
        return None
    # A product whose SKU changed has rows under both: the live ones' SKU is the product's.
    live_skus = Counter(row.sku for row in rows if not row.deleted)
    sku = live_skus.most_common(1)[0][0] if live_skus else rows[0].sku
    feed = {row.store_view_code: row for row in rows if row.sku == sku}
    source, source_error = _source_documents(ctx, product_id)
    views = sorted(set(feed) | set(source or {}))
    held, destination_error = _destination_documents(ctx, sku, views)
    store_views: list[ProductStoreView] = []
    for view in views:
        row = feed.get(view)
        document = json.loads(row.document) if row is not None and row.document else None
        from_source = (source or {}).get(view)
        from_destination = (held or {}).get(view)
        sides = {"feed": document}
        if source is not None and not (from_source is None and document is not None and document.get("deleted")):
            sides["source"] = from_source  # a deleted row the source no longer has: they agree
        if held is not None:
            sides["destination"] = from_destination
        store_views.append({
            "store_view_code": view, "document": document,
            "export_status": row.export_status if row else None, "error": row.error if row else None,
            "last_exported_at": row.last_exported_at if row else None, "hash": row.hash if row else None,
            "batch": row.batch if row else None,
            "source": from_source, "destination": from_destination, "differences": differences(sides),
        })
    live = [row for row in feed.values() if not row.deleted] or list(feed.values())
    shelf = prices_and_stock(ctx, sku, feed.values())
    return {"product_id": product_id, "sku": sku, "name": live[0].name if live else None,
            "type": live[0].type if live else None, "store_views": store_views, "source_error": source_error,
            "destination_error": destination_error, "parents": parents_of(ctx, sku, list(feed.values())),
            "variants": variants_of(ctx, sku, live[0].type if live else None, live),
            "prices": shelf["prices"], "stock": shelf["stock"]}


def differences(sides: Mapping[str, Mapping[str, Any] | None]) -> list[Difference]:
    """The top-level fields whose values differ between the documents compared (a side holding no document
    compares as an empty one); timestamps are ignored."""
    documents = {side: document or {} for side, document in sides.items()}
    fields = sorted(set().union(*documents.values()) - IGNORED_FIELDS) if documents else []
    found: list[Difference] = []
    for name in fields:
        values = [document.get(name) for document in documents.values()]
        if any(value != values[0] for value in values[1:]):
            side = {side: documents[side].get(name) if side in documents else None
                    for side in ("feed", "source", "destination")}
            found.append({"field": name, "feed": side["feed"], "source": side["source"],
                          "destination": side["destination"]})
    return found


def _source_documents(ctx: SyncContext, product_id: int) -> tuple[dict[str, dict[str, Any]] | None, str | None]:
    """The product's documents per store view, built from the source as a sync would build them now."""
    try:
        views = {view.code: view for view in ctx.source.store_views()}
        records = [record for record in ctx.source.read_by_ids(PRODUCTS, [], [product_id])
                   if record.get("product_id") == product_id]
    except Exception as error:  # the detail still answers with the feed and the destination
        if not isinstance(error, CatalogSyncError):
            logger.exception("the source could not be read for a product's detail")
        return None, f"the source could not be read: {error}"
    documents: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for record in records:
        try:
            documents[str(record.get("store_view_code"))] = json.loads(build_row(record, views).document)
        except InvalidRecordError as error:
            problems.append(f"store view {record.get('store_view_code')}: {error}")
    return documents, ("the source's record is invalid: " + "; ".join(problems)) if problems else None


def _destination_documents(ctx: SyncContext, sku: str,
                           views: list[str]) -> tuple[dict[str, dict[str, Any]] | None, str | None]:
    """What the destination holds per store view; None (and why) when it cannot say."""
    destination = ctx.destination
    if destination is None:
        return None, f"not read: {ctx.export_disabled_reason}"
    if not destination.reads_back:
        return None, f"the {destination.kind} destination cannot say what it holds for a row (it keeps batches)"
    held = {}
    for view in views:
        try:
            document = destination.held(PRODUCTS, RowKey(sku, view))
        except DestinationError as error:  # one failure is enough: the others would likely fail the same way
            return None, f"the destination could not be read: {error}"
        if document is not None:
            held[view] = document
    return held, None
