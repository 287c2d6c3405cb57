"""The API's OpenAPI 3.1 document (served at GET /api/openapi.json); the tests hold every answer to it.

Its answers' schemas are not written here: each is a definition in chalicelib/domain/answers (a TypedDict the code
building the answer returns, so mypy checks the one against the other), turned into JSON Schema by json_schema.py.
The paths are in openapi_admin.py, openapi_sync.py and openapi_reconciliation.py; the request
bodies and the lists of GET /api/meta in openapi_requests.py.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from ..domain.answers import admin, errors, feeds, force, products, reconciliation, runs
from ..domain.event_signatures import SIGNATURE_HEADER
from . import openapi_reconciliation
from .json_schema import components
from .openapi_admin import admin_paths, event_paths
from .openapi_parts import with_internal_errors
from .openapi_requests import change_event, force_sync_request, meta
from .openapi_sync import feed_paths, product_paths, sync_paths

# The answers the document names (a $ref); every other definition they hold is written inline.
ANSWERS: tuple[type, ...] = (
    runs.Progress, runs.Run, runs.RunDetail, runs.RowKey, runs.SyncStatus, runs.RunPage, runs.Freshness,
    force.ForceSyncAccepted, force.RateLimit, force.DryRunFeed, force.DryRun,
    errors.Error, errors.RunInFlight, errors.CoolingDown, errors.ActionConflict,
    admin.Settings, admin.ChangeEventAccepted, admin.Health,
    products.Product, products.ProductPage, products.Difference, products.ProductStoreView, products.ProductDetail,
    products.ProductPrice, products.ProductStock,
    feeds.FeedStatus, feeds.FeedsStatus, feeds.Me,
    reconciliation.ReconciledItem, reconciliation.ReconciliationSummary, reconciliation.ReconciliationReport,
    reconciliation.Reconciliation, reconciliation.RepairAccepted, reconciliation.Alert, reconciliation.Alerts,
)


@cache
def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Catalog Sync API", "version": "1.0.0",
                 "description": "Syncs a Magento 2 catalog to SaaS services and shows where every product stands. "
                                "Sign in with the Cognito user pool and send the access token as a bearer token."},
        "servers": [{"url": "/"}],
        "security": [{"cognito": []}],
        "paths": with_internal_errors({**admin_paths(), **event_paths(), **sync_paths(), **product_paths(),
                                       **feed_paths(), **openapi_reconciliation.paths()}),
        "components": {
            "securitySchemes": {
                "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                            "description": "a Cognito access token: group admins (every route) or operators, or "
                                           "a machine client with the force-sync scope (status, runs, force sync)"},
                "eventSignature": {"type": "apiKey", "in": "header", "name": SIGNATURE_HEADER},
            },
            "schemas": {**components(ANSWERS), "ForceSyncRequest": force_sync_request(),
                        "ChangeEvent": change_event(), "Meta": meta()},
        },
    }
