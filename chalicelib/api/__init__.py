"""The HTTP API (a Chalice blueprint mounted at /api): requests to services, domain errors to HTTP answers.

Every route but health and change events needs a Cognito access token (api/auth.py); the OpenAPI document
(api/openapi.py) describes every route and answer, and the tests hold the answers to it.
"""
from . import (  # noqa: F401 - they register themselves
    admin_routes,
    answers,
    events_routes,
    feed_routes,
    product_routes,
    reconciliation_routes,
    sync_routes,
)
from .blueprint import api
from .cors import register_preflights
from .openapi import document

register_preflights(sorted({path.removeprefix("/api") for path in document()["paths"]}))

__all__ = ["api"]
