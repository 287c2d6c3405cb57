"""Handlers for the bulk price reads (POST /V1/products/*-price-information) and the customer groups.

The price reads take ``{"skus": [...]}``: hundreds of SKUs per request, answered from per-product records (no
scan of the catalog). Unknown SKUs and SKUs of types the API does not price are left out, without an error, as
Magento does (see ``prices``). Input limits do not apply: they bound arrays of entities, not of strings.
"""
from __future__ import annotations

from typing import Any

from . import layout, prices
from .criteria import search_list
from .errors import invalid_value, required
from .routes import Call, route

CATALOG = "Magento_Catalog::catalog"
GROUPS = "Magento_Customer::group"
# searchCriteria fields of the group collection, by the names Magento's collection processor maps them from.
GROUP_FIELDS = {"customer_group_id": "id", "customer_group_code": "code", "class_name": "tax_class_name"}


def _skus(call: Call) -> list[Any]:
    body = call.request.body
    if not isinstance(body, dict) or "skus" not in body:
        raise required("skus")
    skus = body["skus"]
    if not isinstance(skus, list):
        raise invalid_value("skus", str(skus), "string[]")
    return skus


@route("PostV1ProductsBasepricesinformation", CATALOG)
def base_prices(call: Call) -> list[dict[str, Any]]:
    skus = _skus(call)
    with call.catalog.lock:
        return prices.base_prices(call.catalog, skus)


@route("PostV1ProductsSpecialpriceinformation", CATALOG)
def special_prices(call: Call) -> list[dict[str, Any]]:
    skus = _skus(call)
    with call.catalog.lock:
        return prices.special_prices(call.catalog, skus)


@route("PostV1ProductsTierpricesinformation", CATALOG)
def tier_prices(call: Call) -> list[dict[str, Any]]:
    skus = _skus(call)
    with call.catalog.lock:
        return prices.tier_prices(call.catalog, skus)


@route("GetV1CustomerGroupsSearch", GROUPS)
def customer_groups(call: Call) -> dict[str, Any]:
    items = [{"id": g.id, "code": g.code, "tax_class_id": g.tax_class_id, "tax_class_name": g.tax_class_name}
             for g in layout.CUSTOMER_GROUPS]
    fields = {name: (lambda item, key=key: item[key]) for name, key in GROUP_FIELDS.items()}
    found, total = search_list(items, call.criteria, call.paging, fields)
    return {"items": found, "search_criteria": call.criteria.echo(), "total_count": total}
