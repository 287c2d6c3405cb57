"""HTTP admin endpoints under /__ingest (local only, no key): settings, faults, rejections, what was received.

    GET    /__ingest                      urls, key header and key, reject mode, rejections, faults, counts; "feeds":
                                          per feed its ingest and listing URLs, identity fields, items held
    DELETE /__ingest                      reset: items, counts, deliveries, rejections, faults; reject_mode "200"
    POST   /__ingest/settings             {"reject_mode": "200" | "400", "api_key", "key_header"}
    GET    /__ingest/faults               fault settings and queue
    POST   /__ingest/faults               {"latency": s, "too_large_bytes": n | null,
                                           "throttle": {"count", "retry_after", "feed"?}, "fail": {"count", "status",
                                           "retry_after", "feed"?}, "drop": {"count", "after_storing", "feed"?}}
    POST   /__ingest/faults/reset
    GET    /__ingest/rejections?feed=     [{"feed", <identity fields>, "reason"}] (every feed's without feed=)
    POST   /__ingest/reject               {"feed"? (products), <the feed's identity fields>, "reason"?}
    POST   /__ingest/unreject             {"feed"? (products), <the feed's identity fields>}
    GET    /__ingest/deliveries?limit=n   {"count", "deliveries": [the last n, oldest first]}; DELETE clears
    GET    /__ingest/items?feed=&<identity fields>&batchId=&deleted=true|false&limit=n
                                          {"count", "items": [{..., "receiveCount"}]} (count before the limit;
                                          feed defaults to products)
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from .answers import Answer, answer, message
from .feeds import PRODUCTS, UnknownFeedError, identity_fields

if TYPE_CHECKING:
    from .service import IngestionService

SETTINGS = ("reject_mode", "api_key", "key_header")


def handle(service: IngestionService, method: str, path: str, query: Mapping[str, str], body: bytes) -> Answer:
    try:
        payload = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        return message(400, "the body is not JSON")
    if not isinstance(payload, dict):
        return message(400, "the body is not a JSON object")
    try:
        return _route(service, method, path[len("/__ingest"):].strip("/"), query, payload)
    except UnknownFeedError as error:
        return message(400, str(error))
    except (KeyError, TypeError, ValueError) as error:
        return message(400, f"{type(error).__name__}: {error}")


def _limit(query: Mapping[str, str]) -> int | None:
    return int(query["limit"]) if query.get("limit") else None


def _flag(text: str | None) -> bool | None:
    if not text:
        return None
    if text.lower() not in ("true", "false"):
        raise ValueError("deleted is true or false")
    return text.lower() == "true"


def _route(service: IngestionService, method: str, path: str, query: Mapping[str, str],
           payload: dict[str, Any]) -> Answer:
    if path == "":
        if method == "DELETE":
            service.reset()
        if method in ("GET", "DELETE"):
            return answer(200, service.info())
    if path == "settings" and method == "POST":
        unknown = set(payload) - set(SETTINGS)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}: the settings are {', '.join(SETTINGS)}")
        for key in SETTINGS:
            if key in payload:
                setattr(service, key, payload[key])
        return answer(200, service.info())
    if path in ("faults", "faults/reset") and method in ("GET", "POST"):
        if path == "faults/reset" and method == "POST":
            service.faults.reset()
        elif method == "POST":
            service.faults.update(payload)
        return answer(200, service.faults.state())
    if path == "rejections" and method == "GET":
        feed = query.get("feed")
        return answer(200, [entry for entry in service.rejections if feed is None or entry["feed"] == feed])
    if path in ("reject", "unreject") and method == "POST":
        feed = payload.get("feed") or PRODUCTS
        identity = [payload[name] for name in identity_fields(feed)]
        if path == "reject":
            service.reject(*identity, feed=feed, **({"reason": payload["reason"]} if payload.get("reason") else {}))
        else:
            service.unreject(*identity, feed=feed)
        return answer(200, service.rejections)
    if path == "deliveries" and method in ("GET", "DELETE"):
        if method == "DELETE":
            service.clear_deliveries()
        deliveries = service.deliveries
        limit = _limit(query)
        shown = deliveries[-limit:] if limit else deliveries
        return answer(200, {"count": len(deliveries), "deliveries": [d._asdict() for d in shown]})
    if path == "items" and method == "GET":
        feed = query.get("feed") or PRODUCTS
        wanted = {name: query[name] for name in identity_fields(feed) if query.get(name)}
        items = service.items(feed, deleted=_flag(query.get("deleted")), batch_id=query.get("batchId") or None,
                              with_count=True, **wanted)
        limit = _limit(query)
        return answer(200, {"count": len(items), "items": items[:limit] if limit else items})
    return message(404, f"no admin endpoint {method} /__ingest/{path}")
