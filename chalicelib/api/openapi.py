"""The API's OpenAPI 3.1 document (served at GET /api/openapi.json); the tests hold every answer to it."""
from __future__ import annotations

from functools import cache
from typing import Any

from ..domain.batches import ITEM_STATUSES
from ..domain.event_signatures import SIGNATURE_HEADER, TOLERANCE_SECONDS
from ..domain.events import LISTS, MAX_BODY_BYTES, MAX_ENTRIES, MAX_SKU_LENGTH
from ..domain.feeds import FEEDS
from ..domain.vocabulary import PRODUCT_SORTS, SORT_ORDERS, vocabulary
from ..services.runs import DEFAULT_LIMIT, MAX_LIMIT
from . import openapi_reconciliation as reconciliation
from .openapi_feeds import feed_paths, feed_schemas
from .schemas import product_schemas
from .sync_schemas import BOOLEAN, COUNT, STRING, run_schemas, sync_schemas
from .sync_schemas import null as _null
from .sync_schemas import object_of as _object
from .sync_schemas import ref as _ref

Schema = dict[str, Any]
EXPORT_STATES = list(ITEM_STATUSES)


def _other_schemas() -> dict[str, Schema]:
    credentials = {"credentials_configured": _null(BOOLEAN),
                   "credentials_from": _null({"enum": ["environment", "secret"]})}
    settings = _object({
        "feed": {"enum": list(FEEDS)},
        "schedule": _object({"every_hours": COUNT, "mode": {"const": "partial"}, "reconcile_interval_seconds": COUNT,
                             "source_overlap_seconds": COUNT, "freshness_threshold_minutes": COUNT}),
        "cooldown_seconds": COUNT, "run_deadline_seconds": COUNT,
        "batch": _object({"max_rows": COUNT, "max_bytes": COUNT}),
        "source": _object({"kind": {"enum": ["magento", "sample"]}, "endpoint_host": _null(STRING),
                           "auth": _null({"enum": ["token", "oauth1"]}),
                           "store_views": {"type": "array", "items": STRING},
                           "page_size": COUNT, "concurrency": COUNT, "sample_products": COUNT, **credentials},
                          optional=("page_size", "concurrency", "sample_products")),
        "destination": _object({"kind": {"enum": ["http", "s3-hub", "none"]}, "endpoint_host": _null(STRING),
                                "bucket": _null(STRING), **credentials}),
        "export": _object({"enabled": BOOLEAN, "reason": _null(STRING)}),
        "change_events": _object({"enabled": BOOLEAN, "secret_configured": BOOLEAN, "debounce_seconds": COUNT}),
        "sign_in": _object({"user_pool_id": _null(STRING), "force_sync_scope": STRING, "cors_origin": _null(STRING)}),
    })
    skus = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": MAX_SKU_LENGTH}}
    event = {"type": "object", "additionalProperties": False, "minProperties": 1,
             "description": f"at least one non-empty list, at most {MAX_ENTRIES} entries in all",
             "properties": {"feed": {"enum": list(FEEDS)}, LISTS[0]: skus,
                            LISTS[1]: {"type": "array", "items": {"type": "integer", "minimum": 1}}, LISTS[2]: skus}}
    return {"Settings": settings, "ChangeEvent": event,
            "ChangeEventAccepted": _object({"accepted": COUNT, "sync": {"enum": ["scheduled", "already scheduled"]}}),
            "Health": _object({"status": {"const": "ok"}}),
            "Meta": _object({name: {"type": "array", "items": {"enum": words}, "minItems": len(words),
                                    "uniqueItems": True} for name, words in vocabulary().items()})}


def _json(schema: Schema, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return _json(_ref("Error"), description, headers)


SIGN_IN_UNAVAILABLE = "tokens cannot be checked now (sign-in not configured, or the pool's keys unreadable)"
SEARCH_UNAVAILABLE = SIGN_IN_UNAVAILABLE + "; or this setup has no products search index"


def _signed_in(permission: str, answers: dict[str, Any], unavailable: str = SIGN_IN_UNAVAILABLE) -> dict[str, Any]:
    """The answers of a route behind sign-in: its own, and 401 / 403 / 503."""
    return {**answers,
            "401": _error("no access token, or one that is not valid (expired, another pool or app client, an ID "
                          "token...)", {"WWW-Authenticate": {"schema": STRING}}),
            "403": _error(f"the caller's role may not {permission}"),
            "503": _error(unavailable)}


def _query(name: str, schema: Schema, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path(name: str, schema: Schema, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


ADMINS, OPERATORS = "Admins only.", "Admins and operators (or a machine client with the force-sync scope)."
BAD_REQUEST = "a parameter or the body is not valid; the message names it and what it accepts"
TOO_LARGE = "the body is larger than the route accepts"
INTERNAL = ("something unexpected went wrong on the server's side (never the client's input); the message gives "
            "the request id under which it is logged")


def _sync_paths() -> dict[str, Any]:
    cursor = _query("cursor", {"type": "string", "maxLength": 1024}, "next_cursor of the previous page")
    feed = _query("feed", {"enum": list(FEEDS), "default": "products"}, "the feed (Adobe's names)")
    return {
        "/api/sync/status": {"get": {
            "operationId": "getSyncStatus", "summary": "The last sync of a feed, its live progress, items synced, "
                                                       "the force-sync cooldown and export", "description": OPERATORS,
            "parameters": [feed],
            "responses": _signed_in("read the status", {"200": _json(_ref("SyncStatus"), "the status"),
                                                        "400": _error(BAD_REQUEST)})}},
        "/api/sync/runs": {"get": {
            "operationId": "listSyncRuns", "summary": "A feed's run history, newest first", "description": OPERATORS,
            "parameters": [feed, cursor, _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                    "default": DEFAULT_LIMIT}, "runs per page")],
            "responses": _signed_in("read runs", {"200": _json(_ref("RunPage"), "a page of runs"),
                                                  "400": _error(BAD_REQUEST)})}},
        "/api/sync/runs/{run_id}": {"get": {
            "operationId": "getSyncRun", "summary": "One run with its errors grouped by cause",
            "description": OPERATORS,
            "parameters": [_path("run_id", {"type": "string", "minLength": 1, "maxLength": 100}, "the run's id")],
            "responses": _signed_in("read runs", {"200": _json(_ref("RunDetail"), "the run"),
                                                  "404": _error("no such run")})}},
        "/api/sync": {"post": {
            "operationId": "forceSync", "summary": "Force a resync (the whole catalog by default), resync selected "
                                                   "items, or preview one (dry run)",
            "description": OPERATORS + " One force sync per cooldown window, enforced with a conditional write. A "
                                       "resync of selected items (ids) is not subject to the cooldown but to a "
                                       "rate limit (one per SELECTED_RESYNC_SECONDS per feed), as is a dry run.",
            "requestBody": {"required": False, "content": {"application/json": {"schema": _ref("ForceSyncRequest")}}},
            "responses": _signed_in("force a sync", {
                "200": _json(_ref("DryRun"), "a dry run's summary: what the run would read and send"),
                "202": _json(_ref("ForceSyncAccepted"), "the run is started",
                             {"Location": {"schema": STRING, "description": "the run's detail"}}),
                "400": _error(BAD_REQUEST),
                "409": _json(_ref("RunInFlight"), "a run is in flight (its id is given)"),
                "413": _error(TOO_LARGE),
                "429": _json(_ref("CoolingDown"), "the cooldown is on (or the rate limit of selected items and dry "
                                                  "runs)", {
                    "Retry-After": {"schema": {"type": "string", "pattern": "^[0-9]+$"},
                                    "description": "seconds until force sync is available"}}),
            })}},
    }


def _product_paths() -> dict[str, Any]:
    return {
        "/api/products": {"get": {
            "operationId": "searchProducts", "summary": "Search and filter the synced products (every store view)",
            "description": ADMINS,
            "parameters": [
                _query("q", {"type": "string", "maxLength": 200},
                       "matches ID, SKU or name (case-insensitive, partial)"),
                _query("status", {"enum": EXPORT_STATES}, "export status"),
                _query("store_view", {"type": "string", "maxLength": 100}, "store view code"),
                _query("type", {"type": "string", "maxLength": 100}, "product type, e.g. simple, configurable"),
                _query("visibility", {"type": "string", "maxLength": 100}, "e.g. Catalog, Search"),
                _query("sort", {"enum": list(PRODUCT_SORTS), "default": "sku"}, "sort key"),
                _query("order", {"enum": list(SORT_ORDERS), "default": "asc"}, "sort order"),
                _query("cursor", {"type": "string", "maxLength": 1000}, "next_cursor of the previous page"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "items per page"),
            ],
            "responses": _signed_in("read products", {"200": _json(_ref("ProductPage"), "a page of products"),
                                                      "400": _error(BAD_REQUEST)}, SEARCH_UNAVAILABLE)}},
        "/api/products/{product_id}": {"get": {
            "operationId": "getProduct", "summary": "One product in every store view, with a discrepancy check",
            "description": ADMINS,
            "parameters": [_path("product_id", {"type": "integer", "minimum": 1}, "the product's id (entity_id)")],
            "responses": _signed_in("read products", {"200": _json(_ref("ProductDetail"), "the product"),
                                                      "400": _error(BAD_REQUEST),
                                                      "404": _error("no synced product has this id")},
                                    SEARCH_UNAVAILABLE)}},
    }


def _other_paths() -> dict[str, Any]:
    return {
        "/api/health": {"get": {"operationId": "health", "summary": "Liveness", "security": [],
                                "responses": {"200": _json(_ref("Health"), "the API answers")}}},
        "/api/settings": {"get": {
            "operationId": "getSettings", "summary": "The effective configuration (never a credential)",
            "description": ADMINS,
            "responses": _signed_in("read settings", {"200": _json(_ref("Settings"), "the configuration")})}},
        "/api/meta": {"get": {
            "operationId": "getMeta", "summary": "The lists a client picks from: feeds, item statuses, product types, "
                                                 "visibilities, sort keys, run statuses, triggers and modes",
            "description": "Any signed-in role.",
            "responses": _signed_in("read the API description", {"200": _json(_ref("Meta"), "the lists")})}},
        "/api/openapi.json": {"get": {
            "operationId": "getOpenApi", "summary": "This document", "description": "Any signed-in role.",
            "responses": _signed_in("read the API description", {"200": _json({"type": "object"}, "OpenAPI 3.1")})}},
        "/api/events/products": {"post": {
            "operationId": "postProductEvents", "summary": "Products changed or were deleted in Magento",
            "description": f"Signed, not signed in: {SIGNATURE_HEADER}: t=<unix time in seconds>,v1=<hex "
                           "HMAC-SHA256 of \"<t>.<raw body>\", keyed with the events secret>. Accepted within "
                           f"{TOLERANCE_SECONDS} s of t, and once. The products sync within a minute (one debounced "
                           f"sync per burst). The body is at most {MAX_BODY_BYTES:,} bytes.",
            "security": [{"eventSignature": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ChangeEvent")}}},
            "responses": {"202": _json(_ref("ChangeEventAccepted"), "the products are marked for the next sync"),
                          "400": _error("the body is not a valid change event (the message says why)"),
                          "401": _error(f"{SIGNATURE_HEADER} is missing, malformed or wrong, more than "
                                        f"{TOLERANCE_SECONDS} s from its t, or was accepted already (a replay); the "
                                        "message says which"),
                          "413": _error(TOO_LARGE),
                          "415": _error("the body is not sent as application/json"),
                          "503": _error("change events are not configured here, or the sync could not be "
                                        "scheduled")}}},
    }


def _with_internal_errors(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation may answer the last resort's 500 (api/answers.py), which says no more than this."""
    for operations in paths.values():
        for operation in operations.values():
            operation["responses"]["500"] = _error(INTERNAL)
    return paths


@cache
def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Catalog Sync API", "version": "1.0.0",
                 "description": "Syncs a Magento 2 catalog to SaaS services and shows where every product stands. "
                                "Sign in with the Cognito user pool and send the access token as a bearer token."},
        "servers": [{"url": "/"}],
        "security": [{"cognito": []}],
        "paths": _with_internal_errors({**_other_paths(), **_sync_paths(), **_product_paths(),
                                        **feed_paths(_json, _error, _signed_in, _path, OPERATORS, BAD_REQUEST),
                                        **reconciliation.paths(_signed_in, _json, _error, BAD_REQUEST)}),
        "components": {
            "securitySchemes": {
                "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                            "description": "a Cognito access token: group admins (every route) or operators, or "
                                           "a machine client with the force-sync scope (status, runs, force sync)"},
                "eventSignature": {"type": "apiKey", "in": "header", "name": SIGNATURE_HEADER},
            },
            "schemas": {**run_schemas(), **sync_schemas(), **_other_schemas(), **product_schemas(EXPORT_STATES),
                        **feed_schemas(), **reconciliation.schemas()},
        },
    }
