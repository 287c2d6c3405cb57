"""The OpenAPI paths of health, the settings, the lists a client picks from, this document (api/admin_routes.py)
and change events (api/events_routes.py)."""
from __future__ import annotations

from typing import Any

from ..domain.event_signatures import SIGNATURE_HEADER, TOLERANCE_SECONDS
from ..domain.events import MAX_BODY_BYTES
from .json_schema import ref
from .openapi_parts import ADMINS, TOO_LARGE, error, json, signed_in

ANY_ROLE = "Any signed-in role."


def admin_paths() -> dict[str, Any]:
    return {
        "/api/health": {"get": {"operationId": "health", "summary": "Liveness", "security": [],
                                "responses": {"200": json("Health", "the API answers")}}},
        "/api/settings": {"get": {
            "operationId": "getSettings", "summary": "The effective configuration (never a credential)",
            "description": ADMINS,
            "responses": signed_in("read settings", {"200": json("Settings", "the configuration")})}},
        "/api/meta": {"get": {
            "operationId": "getMeta", "summary": "The lists a client picks from: feeds, item statuses, product types, "
                                                 "visibilities, sort keys, run statuses, triggers and modes",
            "description": ANY_ROLE,
            "responses": signed_in("read the API description", {"200": json("Meta", "the lists")})}},
        "/api/openapi.json": {"get": {
            "operationId": "getOpenApi", "summary": "This document", "description": ANY_ROLE,
            "responses": signed_in("read the API description", {"200": json({"type": "object"}, "OpenAPI 3.1")})}},
    }


def event_paths() -> dict[str, Any]:
    return {
        "/api/events/products": {"post": {
            "operationId": "postProductEvents", "summary": "Products changed or were deleted in Magento",
            "description": f"Signed, not signed in: {SIGNATURE_HEADER}: t=<unix time in seconds>,v1=<hex "
                           "HMAC-SHA256 of \"<t>.<raw body>\", keyed with the events secret>. Accepted within "
                           f"{TOLERANCE_SECONDS} s of t, and once. The products sync within a minute (one debounced "
                           f"sync per burst). The body is at most {MAX_BODY_BYTES:,} bytes.",
            "security": [{"eventSignature": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ChangeEvent")}}},
            "responses": {"202": json("ChangeEventAccepted", "the products are marked for the next sync"),
                          "400": error("the body is not a valid change event (the message says why)"),
                          "401": error(f"{SIGNATURE_HEADER} is missing, malformed or wrong, more than "
                                       f"{TOLERANCE_SECONDS} s from its t, or was accepted already (a replay); the "
                                       "message says which"),
                          "413": error(TOO_LARGE),
                          "415": error("the body is not sent as application/json"),
                          "503": error("change events are not configured here, or the sync could not be "
                                       "scheduled")}}},
    }
