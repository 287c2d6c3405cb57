"""The OpenAPI paths of the sync routes (status, runs, force sync: api/sync_routes.py), the feeds' status and who is
signed in (api/feed_routes.py) and the products routes (api/product_routes.py); their answers' schemas are made of
chalicelib/domain/answers."""
from __future__ import annotations

from typing import Any

from ..domain.batches import ITEM_STATUSES
from ..domain.feeds import FEEDS
from ..domain.vocabulary import PRODUCT_SORTS, SORT_ORDERS
from ..services.runs import DEFAULT_LIMIT, MAX_LIMIT
from .json_schema import ref
from .openapi_parts import (
    ADMINS,
    BAD_REQUEST,
    LOCATION,
    OPERATORS,
    SIGN_IN_UNAVAILABLE,
    TOO_LARGE,
    error,
    json,
    path,
    query,
    signed_in,
)

SEARCH_UNAVAILABLE = SIGN_IN_UNAVAILABLE + "; or this setup has no products search index"


def sync_paths() -> dict[str, Any]:
    cursor = query("cursor", {"type": "string", "maxLength": 1024}, "next_cursor of the previous page")
    feed = query("feed", {"enum": list(FEEDS), "default": "products"}, "the feed (Adobe's names)")
    return {
        "/api/sync/status": {"get": {
            "operationId": "getSyncStatus", "summary": "The last sync of a feed, its live progress, items synced, "
                                                       "the force-sync cooldown and export", "description": OPERATORS,
            "parameters": [feed],
            "responses": signed_in("read the status", {"200": json("SyncStatus", "the status"),
                                                       "400": error(BAD_REQUEST)})}},
        "/api/sync/runs": {"get": {
            "operationId": "listSyncRuns", "summary": "A feed's run history, newest first", "description": OPERATORS,
            "parameters": [feed, cursor, query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                   "default": DEFAULT_LIMIT}, "runs per page")],
            "responses": signed_in("read runs", {"200": json("RunPage", "a page of runs"),
                                                 "400": error(BAD_REQUEST)})}},
        "/api/sync/runs/{run_id}": {"get": {
            "operationId": "getSyncRun", "summary": "One run with its errors grouped by cause",
            "description": OPERATORS,
            "parameters": [path("run_id", {"type": "string", "minLength": 1, "maxLength": 100}, "the run's id")],
            "responses": signed_in("read runs", {"200": json("RunDetail", "the run"),
                                                 "404": error("no such run")})}},
        "/api/sync": {"post": {
            "operationId": "forceSync", "summary": "Force a resync (the whole catalog by default), resync selected "
                                                   "items, or preview one (dry run)",
            "description": OPERATORS + " One force sync per cooldown window, enforced with a conditional write. A "
                                       "resync of selected items (ids) is not subject to the cooldown but to a "
                                       "rate limit (one per SELECTED_RESYNC_SECONDS per feed), as is a dry run.",
            "requestBody": {"required": False, "content": {"application/json": {"schema": ref("ForceSyncRequest")}}},
            "responses": signed_in("force a sync", {
                "200": json("DryRun", "a dry run's summary: what the run would read and send"),
                "202": json("ForceSyncAccepted", "the run is started", {"Location": LOCATION}),
                "400": error(BAD_REQUEST),
                "409": json("RunInFlight", "a run is in flight (its id is given)"),
                "413": error(TOO_LARGE),
                "429": json("CoolingDown", "the cooldown is on (or the rate limit of selected items and dry runs)", {
                    "Retry-After": {"schema": {"type": "string", "pattern": "^[0-9]+$"},
                                    "description": "seconds until force sync is available"}}),
            })}},
    }


def product_paths() -> dict[str, Any]:
    return {
        "/api/products": {"get": {
            "operationId": "searchProducts", "summary": "Search and filter the synced products (every store view)",
            "description": ADMINS,
            "parameters": [
                query("q", {"type": "string", "maxLength": 200}, "matches ID, SKU or name (case-insensitive, partial)"),
                query("status", {"enum": list(ITEM_STATUSES)}, "export status"),
                query("store_view", {"type": "string", "maxLength": 100}, "store view code"),
                query("type", {"type": "string", "maxLength": 100}, "product type, e.g. simple, configurable"),
                query("visibility", {"type": "string", "maxLength": 100}, "e.g. Catalog, Search"),
                query("sort", {"enum": list(PRODUCT_SORTS), "default": "sku"}, "sort key"),
                query("order", {"enum": list(SORT_ORDERS), "default": "asc"}, "sort order"),
                query("cursor", {"type": "string", "maxLength": 1000}, "next_cursor of the previous page"),
                query("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "items per page"),
            ],
            "responses": signed_in("read products", {"200": json("ProductPage", "a page of products"),
                                                     "400": error(BAD_REQUEST)}, SEARCH_UNAVAILABLE)}},
        "/api/products/{product_id}": {"get": {
            "operationId": "getProduct", "summary": "One product in every store view, with a discrepancy check",
            "description": ADMINS,
            "parameters": [path("product_id", {"type": "integer", "minimum": 1}, "the product's id (entity_id)")],
            "responses": signed_in("read products", {"200": json("ProductDetail", "the product"),
                                                     "400": error(BAD_REQUEST),
                                                     "404": error("no synced product has this id")},
                                   SEARCH_UNAVAILABLE)}},
    }


def feed_paths() -> dict[str, Any]:
    return {
        "/api/feeds": {"get": {
            "operationId": "listFeeds", "summary": "Every feed's sync status: items by status, the last success "
                                                   "and its age, the schedule, health",
            "description": OPERATORS + " Item counts are read through the pending batches (the outbox and the "
                                       "attention list), never by scanning a feed.",
            "responses": signed_in("read the status", {"200": json("FeedsStatus", "every feed, products first"),
                                                       "400": error(BAD_REQUEST)})}},
        "/api/feeds/{feed}": {"get": {
            "operationId": "getFeed", "summary": "One feed's sync status", "description": OPERATORS,
            "parameters": [path("feed", {"type": "string", "maxLength": 100}, "the feed (Adobe's names)")],
            "responses": signed_in("read the status", {"200": json("FeedStatus", "the feed"),
                                                       "400": error(BAD_REQUEST),
                                                       "404": error("no such feed (the message names the valid "
                                                                    "ones)")})}},
        "/api/me": {"get": {
            "operationId": "getMe", "summary": "Who is signed in: roles and what they allow",
            "description": OPERATORS,
            "responses": signed_in("read who they are", {"200": json("Me", "the caller"),
                                                         "400": error(BAD_REQUEST)})}},
    }
