"""The public API: POST a batch of a feed to its ingest path; reading back what is held is reads.py."""
from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from email.message import Message
from typing import TYPE_CHECKING, Any

from . import reads
from .answers import DROPPED, Answer, answer, message
from .documents import BadBodyError, decode_body
from .faults import FAULT_MESSAGES, Fault
from .feeds import IDENTITIES, UnknownFeedError, given, key_of, problem
from .reads import QUERY_PATH

if TYPE_CHECKING:
    from .service import IngestionService

BATCH_HEADER = "X-Catalog-Sync-Batch"

Headers = Mapping[str, str] | Message  # a dict in tests, the request's own headers in the server


def dispatch(service: IngestionService, method: str, path: str, query: Mapping[str, str],
             headers: Headers, body: bytes) -> Answer:
    """The answer to one request outside the admin."""
    feed = service.feed_of_path(path)
    if feed is not None:
        if feed not in IDENTITIES:
            return message(404, str(UnknownFeedError(feed)))
        if method != "POST":
            return message(405, f"{path} takes POST", {"Allow": "POST"})
        return deliver(service, feed, headers, body)
    listed = reads.listed_feed(path)
    if path == QUERY_PATH or listed is not None:
        if listed is not None and listed not in IDENTITIES:
            return message(404, str(UnknownFeedError(listed)))
        if method != "GET":
            return message(405, f"{path} takes GET", {"Allow": "GET"})
        return refusal(service, headers) or reads.answer_read(service, path, query)
    return message(404, f"no endpoint {method} {path}")


def refusal(service: IngestionService, headers: Headers) -> Answer | None:
    """401 without a key, 403 with a wrong one, None with the right one."""
    key = headers.get(service.key_header)
    if not key:
        return message(401, f"missing API key: send it in the {service.key_header} header")
    if not hmac.compare_digest(key.encode(), service.api_key.encode()):
        return message(403, "the API key is not valid")
    return None


def _fault_answer(fault: Fault) -> Answer:
    headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
    return message(fault.status, FAULT_MESSAGES.get(fault.status, "Error"), headers)


def deliver(service: IngestionService, feed: str, headers: Headers, body: bytes) -> Answer:
    """One batch of a feed: faults first (as a gateway in front would give them), then the key, the body, the
    items."""
    received = Received(service.now(), feed, headers.get(BATCH_HEADER), len(body))
    faults = service.faults
    if faults.latency:
        time.sleep(faults.latency)
    fault = faults.take(feed)
    if fault is not None and not fault.after_storing:
        service.log_delivery(received, None if fault.kind == "drop" else fault.status)
        return DROPPED if fault.kind == "drop" else _fault_answer(fault)
    if faults.too_large(len(body)):
        service.log_delivery(received, 413)
        return message(413, f"the request body is {len(body)} bytes, over the limit of {faults.too_large_bytes}")
    result = refusal(service, headers) or _ingest(service, headers, body, received)
    if fault is not None:  # a drop after storing: the batch is held, the client never hears so
        service.log_delivery(received, None)
        return DROPPED
    service.log_delivery(received, result.status)
    return result


class Received:
    """What the delivery log notes of a batch, filled in as the batch is read."""

    __slots__ = ("accepted", "at", "batch_id", "compressed_bytes", "errors", "feed", "items", "raw_bytes")

    def __init__(self, at: str, feed: str, batch_id: str | None, compressed_bytes: int):
        self.at, self.feed, self.batch_id, self.compressed_bytes = at, feed, batch_id, compressed_bytes
        self.raw_bytes: int | None = None
        self.items: int | None = None
        self.accepted, self.errors = 0, 0


def _ingest(service: IngestionService, headers: Headers, body: bytes, received: Received) -> Answer:
    feed = received.feed
    try:
        payload, received.raw_bytes = decode_body(body, headers.get("Content-Encoding"))
    except BadBodyError as error:
        return answer(400, {"message": str(error), "errors": []})
    if payload.get("feed", feed) != feed:
        shown = repr(payload["feed"])[:100]
        return answer(400, {"message": f"the body's feed {shown} is not this path's feed {feed!r}", "errors": []})
    items: list[Any] = payload["items"]
    received.items = len(items)
    if received.batch_id is None and isinstance(payload.get("batchId"), str):
        received.batch_id = payload["batchId"]
    good, errors = [], []
    for item in items:
        reason = problem(feed, item) or service.rejection(feed, key_of(feed, item))
        if reason is None:
            good.append(item)
        else:
            errors.append({**given(feed, item), "reason": reason})
    received.errors = len(errors)
    if errors and service.reject_mode == "400":
        return answer(400, {"message": f"{len(errors)} of {len(items)} items are invalid: nothing was stored",
                            "errors": errors})
    service.holdings.of(feed).keep(good, received.at, received.batch_id)
    received.accepted = len(good)
    return answer(200, {"accepted": len(good), "errors": errors})
