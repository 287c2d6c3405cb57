"""HTTP admin endpoints under /__sim (local only, no authentication): settings, faults, request log, edits.

    GET    /__sim                              connection details and settings
    POST   /__sim/config                       {"paging", "input_limits", "max_page_size", "strict",
                                                "integration_as_bearer", "admin_token_lifetime"}
    GET    /__sim/faults                       fault settings and queue
    POST   /__sim/faults                       {"latency": s, "list_stock_item": bool, "path_contains": str,
                                                "throttle": {"count", "retry_after"}, "fail": {"count", "status",
                                                "html"}, "html": {"count", "status"}, "drop": {"count"}}
    POST   /__sim/faults/reset
    GET    /__sim/requests                     the request log; DELETE clears it
    POST   /__sim/products                     {"name", "price", "type_id", "sku", "attribute_set_id",
                                                "websites", "quantities"} → 201 {"sku"}
    GET    /__sim/products/{sku}?store=code    the product as REST shows it in that store view
    DELETE /__sim/products/{sku}
    POST   /__sim/products/{sku}/price         {"price", "store", "touch"}
    POST   /__sim/products/{sku}/name          {"name", "store", "touch"}
    POST   /__sim/products/{sku}/status        {"status", "store", "touch"}
    POST   /__sim/products/{sku}/quantity      {"quantity", "source", "status"}  (updated_at stays)
    POST   /__sim/products/{sku}/malform       {"kind": "missing_sku" | "missing_name" | "bad_price"}
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .rest import Response, encode

if TYPE_CHECKING:
    from .simulator import MagentoSimulator

CONFIG_KEYS = ("paging", "input_limits", "max_page_size", "default_page_size", "strict", "integration_as_bearer",
               "admin_token_lifetime")
EDITS = {"price": ("set_price", "price"), "name": ("set_name", "name"), "status": ("set_status", "status"),
         "quantity": ("set_quantity", "quantity"), "malform": ("malform_product", "kind")}


def _json(status: int, body: Any) -> Response:
    return Response(status, encode(body))


def handle(sim: MagentoSimulator, method: str, target: str, body: bytes | None) -> Response:
    split = urlsplit(target)
    parts = [unquote(p) for p in split.path.split("/")[2:] if p]
    query = dict(parse_qsl(split.query))
    try:
        payload: Mapping[str, Any] = json.loads(body) if body else {}
    except ValueError:
        return _json(400, {"message": "the body is not JSON"})
    try:
        return _route(sim, method, parts, query, payload)
    except KeyError as error:
        return _json(404, {"message": str(error.args[0]) if error.args else "not found"})
    except (TypeError, ValueError) as error:
        return _json(400, {"message": str(error)})


def _route(sim: MagentoSimulator, method: str, parts: list[str], query: Mapping[str, str],
           payload: Mapping[str, Any]) -> Response:
    if not parts and method == "GET":
        return _json(200, sim.info())
    if parts == ["config"] and method == "POST":
        if payload.get("paging", "2.4") not in ("2.3", "2.4"):
            raise ValueError("paging is '2.3' or '2.4'")
        for key in CONFIG_KEYS:
            if key in payload:
                setattr(sim, key, payload[key])
        return _json(200, sim.info())
    if parts[:1] == ["faults"]:
        if parts == ["faults", "reset"] and method == "POST":
            sim.faults.reset()
        elif method == "POST":
            sim.faults.update(dict(payload))
        return _json(200, sim.faults.state())
    if parts == ["requests"]:
        if method == "DELETE":
            sim.clear_requests()
        return _json(200, [r._asdict() for r in sim.requests])
    if parts == ["products"] and method == "POST":
        return _json(201, {"sku": sim.add_product(**payload)})
    if len(parts) == 2 and parts[0] == "products":
        if method == "GET":
            return _json(200, sim.product(parts[1], query.get("store", "default")))
        if method == "DELETE":
            sim.delete_product(parts[1])
            return _json(200, {"deleted": parts[1]})
    if len(parts) == 3 and parts[0] == "products" and parts[2] in EDITS and method == "POST":
        name, value = EDITS[parts[2]]
        if value not in payload:
            return _json(400, {"message": f"the body needs {value!r}"})
        options = {k: v for k, v in payload.items() if k != value}
        getattr(sim, name)(parts[1], payload[value], **options)
        return _json(200, {"sku": parts[1], "updated_at": sim.updated_at(parts[1])})
    return _json(404, {"message": f"no simulator endpoint {method} /__sim/{'/'.join(parts)}"})
