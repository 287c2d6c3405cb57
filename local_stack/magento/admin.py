"""HTTP admin endpoints under /__sim (local only, no authentication): settings, clock, faults, request log, edits.

    GET    /__sim                              connection details and settings
    POST   /__sim/config                       {"paging", "input_limits", "max_page_size", "strict",
                                                "check_responses", "integration_as_bearer", "admin_token_lifetime",
                                                "missing_endpoints": ["/V1/products/base-prices-information", …]}
    GET    /__sim/clock                        {"now"}
    POST   /__sim/clock                        {"now": "YYYY-MM-DD HH:MM:SS", "advance": s} (the clock stays manual)
    GET    /__sim/summary                      counts of what the catalog holds
    GET    /__sim/faults                       fault settings and queue
    POST   /__sim/faults                       {"latency": s, "list_stock_item": bool, "path_contains": str,
                                                "throttle": {"count", "retry_after"}, "fail": {"count", "status",
                                                "html"}, "html": {"count", "status"}, "drop": {"count"}}
    POST   /__sim/faults/reset
    GET    /__sim/requests                     the request log; DELETE clears it
    POST   /__sim/products                     {"name", "price", "type_id", "sku", "attribute_set_id",
                                                "websites", "quantities"} → 201 {"sku"}
    GET    /__sim/products/{sku}?store=code    the product as REST shows it in that store view
    GET    /__sim/products/{sku}/prices        what the three bulk price reads answer for it
    GET    /__sim/products/{sku}/parents       the composites holding it: [{"sku", "type"}]
    GET    /__sim/products/{sku}/stock?stock_id=1   {"quantity", "salable_quantity", "is_salable", "manage_stock"}
    DELETE /__sim/products/{sku}
    POST   /__sim/products/{sku}/price         {"price", "store", "touch"}
    POST   /__sim/products/{sku}/name          {"name", "store", "touch"}
    POST   /__sim/products/{sku}/status        {"status", "store", "touch"}
    POST   /__sim/products/{sku}/special-price {"price", "price_from", "price_to", "store", "touch"}
    DELETE /__sim/products/{sku}/special-price ?store=code&touch=false
    POST   /__sim/products/{sku}/tier-prices   {"tier_prices": [{"price", "price_type", "website_id",
                                                "customer_group", "quantity"}], "touch"}
    POST   /__sim/products/{sku}/categories    {"category_ids": [...], "touch"}
    POST   /__sim/products/{sku}/quantity      {"quantity", "source", "status"}  (updated_at stays)
    POST   /__sim/products/{sku}/manage-stock  {"manage_stock": bool}  (updated_at stays)
    POST   /__sim/products/{sku}/stock-settings  {"backorders", "min_qty", "min_sale_qty", "max_sale_qty",
                                                "enable_qty_increments", "qty_increments", "is_qty_decimal"}
    POST   /__sim/products/{sku}/malform       {"kind": "missing_sku" | "missing_name" | "bad_price"
                                                | "bad_selection_qty" (bundles)}
    POST   /__sim/products/{sku}/children      {"child_sku", "color", "size", "touch"} → {"sku": the child's}
    DELETE /__sim/products/{sku}/children/{child_sku}   ?touch=false
    POST   /__sim/products/{sku}/bundle-options/{option_id}   {"selections": [{"sku", "qty", "is_default",
                                                "can_change_quantity", "price", "price_type"}], "required",
                                                "title", "touch"}
    GET    /__sim/categories/{id}?store=code   the category as /V1/categories/list shows it
    POST   /__sim/categories/{id}              {"store", "name", "url_key", "is_active", "include_in_menu",
                                                "parent_id", "position"}
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .rest import Response, encode

if TYPE_CHECKING:
    from .simulator import MagentoSimulator

CONFIG_KEYS = ("paging", "input_limits", "max_page_size", "default_page_size", "strict", "check_responses",
               "integration_as_bearer", "admin_token_lifetime")
EDITS = {"price": ("set_price", "price"), "name": ("set_name", "name"), "status": ("set_status", "status"),
         "quantity": ("set_quantity", "quantity"), "malform": ("malform_product", "kind"),
         "special-price": ("set_special_price", "price"), "tier-prices": ("set_tier_prices", "tiers"),
         "categories": ("set_product_categories", "category_ids"), "manage-stock": ("set_manage_stock", "manage_stock")}
BODY_NAMES = {"tier-prices": "tier_prices"}  # where the body's name differs from the method's argument


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
    if not isinstance(payload, Mapping):
        return _json(400, {"message": "the body is a JSON object"})
    try:
        return (_settings(sim, method, parts, payload) or _products(sim, method, parts, query, payload)
                or _categories(sim, method, parts, query, payload)
                or _json(404, {"message": f"no simulator endpoint {method} /__sim/{'/'.join(parts)}"}))
    except KeyError as error:
        return _json(404, {"message": str(error.args[0]) if error.args else "not found"})
    except (TypeError, ValueError) as error:
        return _json(400, {"message": str(error)})


def _settings(sim: MagentoSimulator, method: str, parts: list[str], payload: Mapping[str, Any]) -> Response | None:
    if not parts and method == "GET":
        return _json(200, sim.info())
    if parts == ["config"] and method == "POST":
        if payload.get("paging", "2.4") not in ("2.3", "2.4"):
            raise ValueError("paging is '2.3' or '2.4'")
        if "missing_endpoints" in payload:
            known = {op.template for op in sim.contract.operations}
            paths = set(payload["missing_endpoints"])
            if paths - known:
                raise ValueError(f"not paths of the schema: {', '.join(sorted(paths - known))}")
            sim.missing_endpoints = paths
        for key in CONFIG_KEYS:
            if key in payload:
                setattr(sim, key, payload[key])
        return _json(200, sim.info())
    if parts == ["clock"]:
        if method == "POST":
            now = payload.get("now")
            sim.set_clock(datetime.fromisoformat(now) if now is not None else None, float(payload.get("advance", 0)))
        return _json(200, {"now": sim.info()["now"]})
    if parts == ["summary"] and method == "GET":
        return _json(200, sim.summary())
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
    return None


def _flag(query: Mapping[str, str], name: str) -> bool:
    return query.get(name, "true").lower() not in ("false", "0", "no")


def _products(sim: MagentoSimulator, method: str, parts: list[str], query: Mapping[str, str],
              payload: Mapping[str, Any]) -> Response | None:
    if parts[:1] != ["products"]:
        return None
    if parts == ["products"] and method == "POST":
        return _json(201, {"sku": sim.add_product(**payload)})
    sku = parts[1] if len(parts) > 1 else ""
    if len(parts) == 2 and method == "GET":
        return _json(200, sim.product(sku, query.get("store", "default")))
    if len(parts) == 2 and method == "DELETE":
        sim.delete_product(sku)
        return _json(200, {"deleted": sku})
    if len(parts) == 3 and method == "GET":
        readers = {"prices": lambda: sim.prices(sku), "parents": lambda: sim.parents(sku),
                   "stock": lambda: sim.stock(sku, int(query.get("stock_id", "1")))}
        return _json(200, readers[parts[2]]()) if parts[2] in readers else None
    if parts[2:] == ["special-price"] and method == "DELETE":
        sim.clear_special_price(sku, query.get("store"), touch=_flag(query, "touch"))
        return _json(200, {"sku": sku, "updated_at": sim.updated_at(sku)})
    if parts[2:] == ["children"] and method == "POST":
        return _json(201, {"sku": sim.add_configurable_child(sku, **payload), "updated_at": sim.updated_at(sku)})
    if len(parts) == 4 and parts[2] == "children" and method == "DELETE":
        sim.remove_configurable_child(sku, parts[3], touch=_flag(query, "touch"))
        return _json(200, {"sku": sku, "updated_at": sim.updated_at(sku)})
    if len(parts) == 4 and parts[2] == "bundle-options" and method == "POST":
        sim.set_bundle_option(sku, int(parts[3]), **payload)
        return _json(200, {"sku": sku, "updated_at": sim.updated_at(sku)})
    if parts[2:] == ["stock-settings"] and method == "POST":
        sim.set_stock_settings(sku, **payload)
        return _json(200, {"sku": sku, "updated_at": sim.updated_at(sku)})
    if len(parts) == 3 and parts[2] in EDITS and method == "POST":
        name, argument = EDITS[parts[2]]
        field = BODY_NAMES.get(parts[2], argument)
        if field not in payload:
            return _json(400, {"message": f"the body needs {field!r}"})
        options = {k: v for k, v in payload.items() if k != field}
        getattr(sim, name)(sku, payload[field], **options)
        return _json(200, {"sku": sku, "updated_at": sim.updated_at(sku)})
    return None


def _categories(sim: MagentoSimulator, method: str, parts: list[str], query: Mapping[str, str],
                payload: Mapping[str, Any]) -> Response | None:
    if len(parts) != 2 or parts[0] != "categories" or not parts[1].isdigit():
        return None
    if method == "GET":
        return _json(200, sim.category(int(parts[1]), query.get("store", "default")))
    if method == "POST":
        changes = {k: v for k, v in payload.items() if k != "store"}
        sim.set_category(int(parts[1]), payload.get("store"), **changes)
        return _json(200, sim.category(int(parts[1]), payload.get("store") or "default"))
    return None
