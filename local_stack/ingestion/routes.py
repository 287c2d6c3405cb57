"""The public API: POST a batch to the ingest path, GET /v1/items to read back what is held."""
from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .answers import DROPPED, Answer, answer, message
from .documents import BadBodyError, decode_body, identity, problem
from .faults import FAULT_MESSAGES, Fault

if TYPE_CHECKING:
    from .service import IngestionService

BATCH_HEADER = "X-Catalog-Sync-Batch"
QUERY_PATH = "/v1/items"


def dispatch(service: IngestionService, method: str, path: str, query: Mapping[str, str],
             headers: Mapping[str, str], body: bytes) -> Answer:
    """The answer to one request outside the admin."""
    if path == service.path:
        if method == "POST":
            return deliver(service, headers, body)
        return message(405, f"{path} takes POST", {"Allow": "POST"})
    if path == QUERY_PATH:
        if method == "GET":
            return refusal(service, headers) or held(service, query)
        return message(405, f"{path} takes GET", {"Allow": "GET"})
    return message(404, f"no endpoint {method} {path}")


def refusal(service: IngestionService, headers: Mapping[str, str]) -> Answer | None:
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


def deliver(service: IngestionService, headers: Mapping[str, str], body: bytes) -> Answer:
    """One batch: faults first (as a gateway in front would give them), then the key, the body, the items."""
    received = Received(service.now(), headers.get(BATCH_HEADER), len(body))
    faults = service.faults
    if faults.latency:
        time.sleep(faults.latency)
    fault = faults.take()
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

    __slots__ = ("accepted", "at", "batch_id", "compressed_bytes", "errors", "items", "raw_bytes")

    def __init__(self, at: str, batch_id: str | None, compressed_bytes: int):
        self.at, self.batch_id, self.compressed_bytes = at, batch_id, compressed_bytes
        self.raw_bytes: int | None = None
        self.items: int | None = None
        self.accepted, self.errors = 0, 0


def _ingest(service: IngestionService, headers: Mapping[str, str], body: bytes, received: Received) -> Answer:
    try:
        payload, received.raw_bytes = decode_body(body, headers.get("Content-Encoding"))
    except BadBodyError as error:
        return answer(400, {"message": str(error), "errors": []})
    items: list[Any] = payload["items"]
    received.items = len(items)
    if received.batch_id is None and isinstance(payload.get("batchId"), str):
        received.batch_id = payload["batchId"]
    good, errors = [], []
    for item in items:
        reason = problem(item) or service.rejection(*identity(item))
        if reason is None:
            good.append(item)
        else:
            sku, view = identity(item)
            errors.append({"sku": sku, "storeViewCode": view, "reason": reason})
    received.errors = len(errors)
    if errors and service.reject_mode == "400":
        return answer(400, {"message": f"{len(errors)} of {len(items)} items are invalid: nothing was stored",
                            "errors": errors})
    service.holdings.keep(good, received.at, received.batch_id)
    received.accepted = len(good)
    return answer(200, {"accepted": len(good), "errors": errors})


def held(service: IngestionService, query: Mapping[str, str]) -> Answer:
    """One row (sku and storeViewCode) or every store view of a sku (sku alone)."""
    sku, view = query.get("sku"), query.get("storeViewCode")
    if not sku:
        return message(400, "the query needs sku (and storeViewCode for one row)")
    if not view:
        return answer(200, {"items": [row.view() for row in service.holdings.of_sku(sku)]})
    row = service.holdings.get(sku, view)
    if row is None:
        return message(404, f"no item for sku {sku!r} in store view {view!r}")
    return answer(200, row.view())
