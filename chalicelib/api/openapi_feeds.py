"""The OpenAPI paths of the feeds' sync status and of who is signed in (api/feed_routes.py)."""
from __future__ import annotations

from typing import Any

from .openapi_parts import BAD_REQUEST, OPERATORS, error, json, path, signed_in


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
