"""OpenAPI paths and schemas of the feeds' sync status and of who is signed in (api/feed_routes.py)."""
from __future__ import annotations

from typing import Any

from ..domain.access import ROLE_PERMISSIONS
from ..domain.batches import ATTENTION, AWAITING, SUBMITTED, WILL_RETRY
from ..domain.feeds import FEEDS
from ..domain.runs import STATUS_LABELS

Schema = dict[str, Any]
STRING, BOOLEAN = {"type": "string"}, {"type": "boolean"}
COUNT = {"type": "integer", "minimum": 0}
TIME = {"type": "string", "format": "date-time"}


def _null(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "properties": properties, "required": list(properties)}


def feed_schemas() -> dict[str, Schema]:
    items = _object({
        SUBMITTED: {**COUNT, "description": "sent, and the destination took them"},
        AWAITING: {**COUNT, "description": "on their way (in a batch not yet settled, or held)"},
        WILL_RETRY: {**COUNT, "description": "their batch failed; the next sync sends them again"},
        ATTENTION: {**COUNT, "description": "rejected, refused for good, or their source record is malformed: "
                                            "they stay failed until they change"},
    })
    status = _object({
        "feed": {"enum": list(FEEDS)}, "record": {**STRING, "description": "Adobe's record type"},
        "offered": {**BOOLEAN, "description": "the configured source reads this feed (the hourly sync syncs it)"},
        "source_records": {**COUNT, "description": "the items the feed holds, as of its last sync"},
        "items": items,
        "last_success_at": _null(TIME), "last_success_age_seconds": _null(COUNT),
        "last_success_run_id": _null(STRING),
        "last_run": _null(_object({"run_id": STRING, "status": {"enum": list(STATUS_LABELS.values())},
                                   "started_at": TIME, "finished_at": _null(TIME)})),
        "in_flight": _null({**STRING, "description": "the run holding the feed's lock"}),
        "schedule": _object({"every_hours": _null(COUNT),
                             "next_mode": _null({"enum": ["partial", "reconcile"]}),
                             "last_full_read_at": _null(TIME)}),
        "health": _object({
            "dirty_backlog": {**COUNT, "description": "items marked dirty by change events, not yet read"},
            "outbox_batches": {**COUNT, "description": "batches still to be sent (open, held or retryable)"},
            "outbox_rows": COUNT,
            "stale": {**BOOLEAN, "description": "no success for stale_after_seconds (or never)"},
            "stale_after_seconds": COUNT,
            "ok": {**BOOLEAN, "description": "not stale, nothing in the outbox, nothing requiring attention"}}),
        "export": _object({"enabled": BOOLEAN, "reason": _null(STRING)}),
    })
    me = _object({"username": _null(STRING), "client_id": STRING,
                  "roles": {"type": "array", "items": {"enum": sorted(ROLE_PERMISSIONS)}},
                  "permissions": {"type": "array", "items": STRING,
                                  "description": "what the roles allow, in words (the 403 answers use them)"}})
    return {"FeedStatus": status, "FeedsStatus": _object({"feeds": {"type": "array", "items": _ref("FeedStatus")},
                                                          "checked_at": TIME}),
            "Me": me}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def feed_paths(json: Any, error: Any, signed_in: Any, path: Any, operators: str, bad_request: str) -> dict[str, Any]:
    """The routes, with openapi.py's helpers for answers (``json``, ``error``, ``signed_in``, ``path``)."""
    return {
        "/api/feeds": {"get": {
            "operationId": "listFeeds", "summary": "Every feed's sync status: items by status, the last success "
                                                   "and its age, the schedule, health",
            "description": operators + " Item counts are read through the pending batches (the outbox and the "
                                       "attention list), never by scanning a feed.",
            "responses": signed_in("read the status", {"200": json(_ref("FeedsStatus"), "every feed, products "
                                                                                         "first"),
                                                       "400": error(bad_request)})}},
        "/api/feeds/{feed}": {"get": {
            "operationId": "getFeed", "summary": "One feed's sync status", "description": operators,
            "parameters": [path("feed", {"type": "string", "maxLength": 100}, "the feed (Adobe's names)")],
            "responses": signed_in("read the status", {"200": json(_ref("FeedStatus"), "the feed"),
                                                       "400": error(bad_request),
                                                       "404": error("no such feed (the message names the valid "
                                                                    "ones)")})}},
        "/api/me": {"get": {
            "operationId": "getMe", "summary": "Who is signed in: roles and what they allow",
            "description": operators,
            "responses": signed_in("read who they are", {"200": json(_ref("Me"), "the caller"),
                                                         "400": error(bad_request)})}},
    }
