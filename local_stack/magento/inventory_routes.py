"""Handlers for MSI (sources, stocks, source items, salable quantity, salability for a requested quantity) and the
legacy stock items."""
from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from . import layout, salability
from .catalog import NO_ITEM, SIMPLE_LIKE, Catalog
from .criteria import Criteria, search_list
from .errors import INTERNAL, NO_LINKED_STOCK, NO_SOURCE_ITEMS, MagentoError, required
from .routes import Call, route
from .stock import is_salable, legacy_stock_item, salable_quantity

SOURCE = "Magento_InventoryApi::source"
STOCK = "Magento_InventoryApi::stock"
LINKS = "Magento_InventoryApi::stock_source_link"
SALES = "Magento_InventorySalesApi::stock"  # salable quantity and the stock resolver
LEGACY = "Magento_CatalogInventory::cataloginventory"
NO_STOCK = 'Stock with id "%value" does not exist.'
SKUS_NOT_FOUND = "Following products with requested skus were not found: %1"
SKU_REQUEST = re.compile(r"(skuRequests|sku_requests)\[(\d+)\]\[(sku|qty)\]$")


def _search_results(items: list[Any], call: Call, total: int) -> dict[str, Any]:
    return {"items": items, "search_criteria": call.criteria.echo(), "total_count": total}


def _stock(stock: layout.Stock) -> dict[str, Any]:
    return {"stock_id": stock.id, "name": stock.name, "extension_attributes": {
        "sales_channels": [{"type": "website", "code": code} for code in stock.website_codes]}}


def _stock_by_id(stock_id: int) -> layout.Stock:
    stock = next((s for s in layout.STOCKS if s.id == stock_id), None)
    if stock is None:
        raise MagentoError(404, NO_STOCK, {"value": stock_id})
    return stock


@route("GetV1InventorySources", SOURCE)
def sources(call: Call) -> dict[str, Any]:
    items = [{"source_code": s.code, "name": s.name, "enabled": True, "description": "", "latitude": 0,
              "longitude": 0, "country_id": s.country, "postcode": "00000", "use_default_carrier_config": True,
              "carrier_links": []} for s in layout.SOURCES]
    found, total = search_list(items, call.criteria, call.paging)
    return _search_results(found, call, total)


@route("GetV1InventoryStocks", STOCK)
def stocks(call: Call) -> dict[str, Any]:
    found, total = search_list([_stock(s) for s in layout.STOCKS], call.criteria, call.paging)
    return _search_results(found, call, total)


@route("GetV1InventoryStocksStockId", STOCK)
def stock(call: Call) -> dict[str, Any]:
    return _stock(_stock_by_id(call.param("stockId")))


@route("GetV1InventoryStocksourcelinks", LINKS)
def stock_source_links(call: Call) -> dict[str, Any]:
    items = [{"stock_id": s.stock_id, "source_code": s.code, "priority": s.priority} for s in layout.SOURCES]
    link_ids = {s.code: i for i, s in enumerate(layout.SOURCES, start=1)}
    found, total = search_list(items, call.criteria, call.paging,
                               {"link_id": lambda item: link_ids[item["source_code"]]})
    return _search_results(found, call, total)


@route("GetV1InventoryStockresolverTypeCode", SALES)
def stock_resolver(call: Call) -> dict[str, Any]:
    if call.param("type") != "website" or call.param("code") not in layout.STOCK_OF_WEBSITE:
        raise MagentoError(404, NO_LINKED_STOCK)
    return _stock(_stock_by_id(layout.STOCK_OF_WEBSITE[call.param("code")]))


# -- source items -------------------------------------------------------------------------------------

def _candidate_rows(catalog: Catalog, criteria: Criteria) -> Iterable[int]:
    """Rows an `sku eq/in` group narrows the search to (all live rows otherwise)."""
    for group in criteria.groups:
        if all(f.field == "sku" and f.condition in ("eq", "in") for f in group):
            skus = {v.rstrip() for f in group for v in (f.value.split(",") if f.condition == "in" else [f.value])}
            return sorted({row for row in map(catalog.row_of_sku, skus) if row is not None})
    return catalog.live_rows()


@route("GetV1InventorySourceitems", SOURCE)
def source_items(call: Call) -> dict[str, Any]:
    catalog = call.catalog
    with catalog.lock:
        items = []
        for row in _candidate_rows(catalog, call.criteria):
            if catalog.type[row] not in SIMPLE_LIKE:
                continue
            for index, source in enumerate(layout.SOURCES):
                qty = catalog.qty[source.code][row]
                if qty != NO_ITEM:
                    items.append({"sku": catalog.sku[row], "source_code": source.code, "quantity": qty,
                                  "status": catalog.source_status[source.code][row],
                                  "_id": row * len(layout.SOURCES) + index + 1})
    found, total = search_list(items, call.criteria, call.paging, {"source_item_id": lambda item: item["_id"]})
    return _search_results([{k: v for k, v in item.items() if k != "_id"} for item in found], call, total)


# -- salable quantity ---------------------------------------------------------------------------------

@route("GetV1InventoryGetproductsalablequantitySkuStockId", SALES)
def get_salable_quantity(call: Call) -> int:
    _stock_by_id(call.param("stockId"))
    with call.catalog.lock:
        row = call.catalog.row_of_sku(call.param("sku"))
        if row is None:
            raise MagentoError(400, SKUS_NOT_FOUND, [call.param("sku")])
        if call.catalog.type[row] not in SIMPLE_LIKE:
            raise MagentoError(400, NO_SOURCE_ITEMS)
        return salable_quantity(call.catalog, row, call.param("stockId"))


@route("GetV1InventoryIsproductsalableSkuStockId", SALES)
def get_is_salable(call: Call) -> bool:
    with call.catalog.lock:
        row = call.catalog.row_of_sku(call.param("sku"))
        return row is not None and is_salable(call.catalog, row, call.param("stockId"))


@route("GetV1InventoryAreproductssalable", SALES)
def are_salable(call: Call) -> list[dict[str, Any]]:
    stock_id = int(call.request.query.get("stockId") or 1)
    result = []
    with call.catalog.lock:
        for sku in call.request.arrays.get("skus", []):
            row = call.catalog.row_of_sku(sku)
            result.append({"sku": sku, "stock_id": stock_id,
                           "salable": row is not None and is_salable(call.catalog, row, stock_id)})
    return result


def _sku_requests(call: Call) -> list[tuple[str, float]]:
    """(sku, qty) of each ``skuRequests[i]``, in the order the query first names them (PHP's array order)."""
    found: dict[str, dict[str, str]] = {}
    for name, value in call.request.query.items():
        match = SKU_REQUEST.match(name)
        if match:
            found.setdefault(match.group(2), {})[match.group(3)] = value
    if not found:
        raise required("skuRequests")
    requests = []
    for index, fields in found.items():
        for field in ("sku", "qty"):
            if field not in fields:
                raise required(f"skuRequests[{index}][{field}]")
        requests.append((fields["sku"], float(fields["qty"])))
    return requests


@route("GetV1InventoryAreproductsalableforrequestedqty", SALES)
def are_salable_for_requested_qty(call: Call) -> list[dict[str, Any]]:
    """Each SKU request in order (salability.py); a composite fails the whole request (400), an unknown SKU
    too (500, as Magento's does)."""
    if "stockId" not in call.request.query:
        raise required("stockId")
    stock_id = int(call.request.query["stockId"])
    answers = []
    with call.catalog.lock:
        for sku, qty in _sku_requests(call):
            row = call.catalog.row_of_sku(sku)
            if row is None:
                raise MagentoError(500, INTERNAL, [f"webapi-{secrets.token_hex(16)}"])
            if call.catalog.type[row] not in SIMPLE_LIKE:
                raise MagentoError(400, NO_SOURCE_ITEMS)
            answers.append(salability.result(call.catalog, row, sku, stock_id, qty))
    return answers


# -- legacy CatalogInventory --------------------------------------------------------------------------

@route("GetV1StockItemsProductSku", LEGACY)
def stock_item(call: Call) -> dict[str, Any]:
    with call.catalog.lock:
        return legacy_stock_item(call.catalog, call.product_row(call.param("productSku")))


@route("GetV1StockStatusesProductSku", LEGACY)
def stock_status(call: Call) -> dict[str, Any]:
    with call.catalog.lock:
        row = call.product_row(call.param("productSku"))
        item = legacy_stock_item(call.catalog, row)
    return {"product_id": item["product_id"], "stock_id": 1, "qty": int(item["qty"]),
            "stock_status": 1 if item["is_in_stock"] else 0, "stock_item": item}
