"""One REST request, start to end: faults, route, store, authentication, input, handler, contract, encoding."""
from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from . import (  # noqa: F401  (the route modules register)
    catalog_routes,
    category_routes,
    composite_routes,
    fields,
    inventory_routes,
    layout,
    price_routes,
)
from .criteria import Criteria
from .errors import INTERNAL, MAX_PAGE_SIZE, MagentoError, ResponseContractError, no_route, required
from .faults import HTML_PAGES, Fault
from .routes import CRITERIA_REQUIRED, ROUTES, Call

try:
    import orjson

    def encode(body: Any) -> bytes:
        return orjson.dumps(body)
except ImportError:  # pragma: no cover - orjson is a runtime dependency of the project
    import json

    def encode(body: Any) -> bytes:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

if TYPE_CHECKING:
    from .simulator import MagentoSimulator

log = logging.getLogger(__name__)
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


def error_response(error: MagentoError) -> Response:
    return Response(error.status, encode(error.body()))


def _fault_response(fault: Fault) -> Response:
    if fault.kind == "drop":
        return Response(0, b"", drop=True)
    headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
    if fault.html:
        return Response(fault.status, HTML_PAGES.get(fault.status, HTML_PAGES[500]).encode(), HTML, headers)
    report = secrets.token_hex(16)
    return Response(fault.status, encode({"message": INTERNAL, "parameters": [f"webapi-{report}"]}), JSON, headers)


def _store(code: str) -> layout.StoreView:
    if code == layout.ALL_STORES_CODE:
        return layout.ADMIN_STORE
    store = layout.STORE_BY_CODE.get(code)
    if store is None or store.id == 0:
        # Magento's PathProcessor keeps an unknown store code in the path, which then matches no route.
        raise no_route()
    return store


def _criteria(sim: MagentoSimulator, operation_id: str, raw: Mapping[str, Any] | None) -> Criteria:
    if raw is None and operation_id in CRITERIA_REQUIRED:
        raise required("searchCriteria")
    criteria = Criteria.parse(raw)
    if raw is not None and sim.input_limits:
        if criteria.page_size is not None and criteria.page_size > sim.max_page_size:
            raise MagentoError(400, MAX_PAGE_SIZE, {"max": sim.max_page_size})
        if criteria.page_size is None:
            criteria = Criteria(criteria.groups, criteria.sorts, sim.default_page_size, criteria.current_page)
    return criteria


def _without_malformed(sim: MagentoSimulator, body: Any) -> Any:
    """The body minus products made malformed on purpose (they break the contract by design)."""
    broken = sim.catalog.malformed
    if not broken:
        return body

    def clean(items: list) -> list:
        return [i for i in items if not (isinstance(i, dict) and i.get("id") in broken)]
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return {**body, "items": clean(body["items"])}
    if isinstance(body, dict) and body.get("id") in broken:
        return None
    return clean(body) if isinstance(body, list) else body


def dispatch(sim: MagentoSimulator, method: str, target: str, headers: Mapping[str, str],
             body: bytes | None) -> Response:
    """The answer to one request under /rest (``target`` is the path with its query string)."""
    split = urlsplit(target)
    path = split.path[len("/index.php"):] if split.path.startswith("/index.php/") else split.path
    query = parse_qsl(split.query, keep_blank_values=True)
    faults = sim.faults
    if faults.applies(path):
        if faults.latency:
            time.sleep(faults.latency)
        fault = faults.take(path)
        if fault is not None:
            return _fault_response(fault)
    try:
        operation, store_code, _ = sim.contract.route(method, path)
        store = _store(store_code)
        handler = ROUTES.get(operation.operation_id)
        if handler is None or (not sim.msi and "/V1/inventory/" in path) \
                or operation.template in sim.missing_endpoints:
            raise no_route()
        if handler.resource is not None:
            url = f"http://{headers.get('Host', 'localhost')}{target}"
            sim.authenticator.authorize(method, url, headers, body, handler.resource)
        request = sim.contract.validate_request(method, path, query, body, strict=sim.strict)
        call = Call(sim.catalog, sim.search, store, request, _criteria(sim, operation.operation_id,
                                                                        request.search_criteria),
                    sim.paging, sim.faults.list_stock_item, sim.authenticator.issue_admin_token)
        result = handler.handler(call)
    except MagentoError as error:
        return error_response(error)
    except Exception as error:  # a simulator bug: answer as Magento's production mode does, and keep a note
        log.exception("simulator failed on %s %s", method, path)
        sim.failures.append(f"{method} {path}: {type(error).__name__}: {error}")
        return _fault_response(Fault("status", 500))
    if sim.strict and sim.check_responses:
        try:
            checked = _without_malformed(sim, result)
            if checked is not None:
                sim.contract.validate_response(operation, checked)
        except ResponseContractError as error:
            log.error("simulator response breaks the contract: %s", error)
            sim.failures.append(str(error))
            return Response(500, encode({"message": str(error)}))
    wanted = request.query.get("fields")
    if wanted:
        result = fields.trim(result, fields.parse(wanted))
    return Response(200, encode(result))
