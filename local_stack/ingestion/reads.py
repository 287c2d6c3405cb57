"""Reading back what the service holds: one item (GET /v1/items), or a whole feed in pages with a cursor
(GET /v1/feeds/{feed}/items). The key is checked before these are called (routes.py)."""
from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from .answers import Answer, answer, message
from .feeds import PRODUCTS, UnknownFeedError, identity_fields

if TYPE_CHECKING:
    from .holdings import FeedHoldings, Held
    from .service import IngestionService

QUERY_PATH = "/v1/items"
LISTING_PREFIX, LISTING_SUFFIX = "/v1/feeds/", "/items"
DEFAULT_LIMIT = 1000  # items per page of a listing
MAX_LIMIT = 5000  # items per page without documents
MAX_LIMIT_WITH_DOCUMENTS = 1000
MAX_MATCHES = 1000  # items of one GET /v1/items that names the first identity fields only
LISTING_PARAMETERS = ("cursor", "limit", "include", "deleted")
CURSOR_VERSION = 1


class BadQueryError(ValueError):
    """The query cannot be answered as asked: a 400 with this message."""


def listed_feed(path: str) -> str | None:
    """The feed of a listing path (/v1/feeds/{feed}/items), None for any other path."""
    if path.startswith(LISTING_PREFIX) and path.endswith(LISTING_SUFFIX):
        feed = path[len(LISTING_PREFIX):-len(LISTING_SUFFIX)]
        if feed and "/" not in feed:
            return feed
    return None


def answer_read(service: IngestionService, path: str, query: Mapping[str, str]) -> Answer:
    try:
        feed = listed_feed(path)
        if feed is not None:
            return _listing(service, feed, query)
        return _item(service, query)
    except BadQueryError as error:
        return message(400, str(error))


def _item(service: IngestionService, query: Mapping[str, str]) -> Answer:
    """One item (every identity field given), or the items whose identity starts with the fields given (the
    first ones: products' sku alone gives every store view)."""
    feed = query.get("feed") or PRODUCTS
    try:
        fields = identity_fields(feed)
    except UnknownFeedError as error:
        raise BadQueryError(str(error)) from None
    unknown = sorted(set(query) - {"feed", *fields})
    if unknown:
        raise BadQueryError(f"unknown parameters {', '.join(unknown)}: a {feed} item is named by "
                            f"{', '.join(fields)} (and feed)")
    given = [query.get(name) for name in fields]
    count = next((n for n, value in enumerate(given) if not value), len(fields))
    if count == 0 or any(given[count:]):
        raise BadQueryError(f"name the {feed} item by {', '.join(fields)}" + (
            f", or list those starting with the first fields given ({fields[0]} first)" if len(fields) > 1 else ""))
    holdings = service.holdings.of(feed)
    key = tuple(str(value) for value in given[:count])
    if count == len(fields):
        held = holdings.get(key)
        if held is None:
            shown = ", ".join(f"{name} {value!r}" for name, value in zip(fields, key, strict=True))
            return message(404, f"no {feed} item with {shown}")
        return answer(200, held.view(feed))
    found = holdings.starting(key, MAX_MATCHES + 1)
    return answer(200, {"feed": feed, "items": [held.view(feed) for held in found[:MAX_MATCHES]],
                        "truncated": len(found) > MAX_MATCHES})


def _number(text: str | None, name: str, default: int, most: int) -> int:
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= 9) or not 1 <= int(text) <= most:
        raise BadQueryError(f"{name} is a whole number from 1 to {most}; got {text[:40]!r}")
    return int(text)


def _flag(text: str | None) -> bool | None:
    if not text:
        return None
    if text not in ("true", "false"):
        raise BadQueryError(f"deleted is true or false; got {text[:40]!r}")
    return text == "true"


def encode_cursor(feed: str, after: tuple[str, ...]) -> str:
    """Where the next page starts: after this identity (opaque to clients; it never expires)."""
    text = orjson.dumps({"v": CURSOR_VERSION, "feed": feed, "after": list(after)})
    return base64.urlsafe_b64encode(text).rstrip(b"=").decode()


def decode_cursor(text: str, feed: str) -> tuple[str, ...]:
    fields = identity_fields(feed)
    try:
        state = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):  # orjson's JSONDecodeError is a ValueError
        raise BadQueryError("the cursor is not one this service gave: pass nextCursor as it came") from None
    if not isinstance(state, dict) or state.get("v") != CURSOR_VERSION:
        raise BadQueryError("the cursor is not one this service gave: pass nextCursor as it came")
    if state.get("feed") != feed:
        raise BadQueryError(f"the cursor is of another feed's listing ({str(state.get('feed'))[:40]!r}), not {feed}'s")
    after = state.get("after")
    if not isinstance(after, list) or len(after) != len(fields) or not all(isinstance(value, str) for value in after):
        raise BadQueryError("the cursor is not one this service gave: pass nextCursor as it came")
    return tuple(after)


def _listing(service: IngestionService, feed: str, query: Mapping[str, str]) -> Answer:
    """A page of the feed's items in identity order, after the cursor's item."""
    unknown = sorted(set(query) - set(LISTING_PARAMETERS))
    if unknown:
        raise BadQueryError(f"unknown parameters {', '.join(unknown)}: a listing takes {', '.join(LISTING_PARAMETERS)}")
    include = query.get("include") or ""
    if include not in ("", "document"):
        raise BadQueryError(f"include is document (or absent); got {include[:40]!r}")
    most = MAX_LIMIT_WITH_DOCUMENTS if include else MAX_LIMIT
    limit = _number(query.get("limit"), "limit" + (" with include=document" if include else ""), DEFAULT_LIMIT, most)
    deleted = _flag(query.get("deleted"))
    after = decode_cursor(query["cursor"], feed) if query.get("cursor") else None
    holdings = service.holdings.of(feed)
    found, more = holdings.page(after, limit, deleted)
    fields = identity_fields(feed)
    items = [_shown(held, fields, bool(include)) for held in found]
    return answer(200, {"feed": feed, "identity": list(fields), "total": _total(holdings, deleted),
                        "items": items, "nextCursor": encode_cursor(feed, found[-1].key) if more else None})


def _shown(held: Held, fields: tuple[str, ...], document: bool) -> dict[str, Any]:
    shown = held.summary(fields)
    if document:
        shown.update(receivedAt=held.received_at, batchId=held.batch_id, document=orjson.loads(held.document))
    return shown


def _total(holdings: FeedHoldings, deleted: bool | None) -> int:
    """How many items the whole listing gives now (it may change while it is read)."""
    every, flagged = len(holdings), holdings.deleted
    return every if deleted is None else flagged if deleted else every - flagged
