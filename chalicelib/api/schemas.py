"""OpenAPI schemas of the products routes (chalicelib/services/products.py builds the answers)."""
from __future__ import annotations

from typing import Any

Schema = dict[str, Any]
ANY: Schema = {"description": "any JSON value"}


def _nullable(type_name: str, **more: Any) -> Schema:
    return {"type": [type_name, "null"], **more}


def _object(properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "properties": properties, "required": list(properties)}


def product_schemas(export_states: list[str]) -> dict[str, Schema]:
    state = {"enum": export_states}
    item = _object({
        "product_id": _nullable("integer", description="ID"), "name": _nullable("string"),
        "type": _nullable("string", description="simple, configurable, downloadable..."),
        "last_exported_at": _nullable("string", format="date-time", description="Last Exported"),
        "last_modified": _nullable("string", description="Last Modified (the catalog's updated_at)"),
        "attribute_set": _nullable("string"), "sku": {"type": "string"},
        "price": _nullable("number", description="what a shopper who is not signed in pays for one unit in the "
                           "row's website (the prices feed); the product's own price where the feed has none"),
        "price_from": {"type": "boolean", "description": "price is the cheapest member's (a configurable or grouped "
                                                         "product: Magento prices it 0)"},
        "currency": _nullable("string", description="the store view's currency (ISO 4217)"),
        "quantity": _nullable("number"),
        "salable_quantity": _nullable("number", description="the inventoryStockStatus feed's for the view's stock"),
        "visibility": _nullable("string", description="browsable via the catalog or accessible via search"),
        "store_view_code": {"type": "string"}, "export_status": state,
        "error": _nullable("string", description="why the row failed or is not exported"),
    })
    difference = _object({"field": {"type": "string"}, "feed": ANY, "source": ANY, "destination": ANY})
    view = _object({
        "store_view_code": {"type": "string"},
        "document": _nullable("object", description="the feed document: the JSON that was or will be exported "
                                                   "(null for a store view only the source has)"),
        "export_status": {"anyOf": [state, {"type": "null"}]}, "error": _nullable("string"),
        "last_exported_at": _nullable("string", format="date-time"), "hash": _nullable("string"),
        "batch": _nullable("string", description="the batch this version travels in (its outcome is the state)"),
        "source": _nullable("object", description="the product as the source returns it now (a feed document)"),
        "destination": _nullable("object", description="what the destination holds, where it can answer"),
        "differences": {"type": "array", "items": {"$ref": "#/components/schemas/Difference"},
                        "description": "fields whose feed, source and destination values differ"},
    })
    price = _object({
        "website_code": {"type": "string"}, "customer_group": _nullable("string"),
        "customer_group_code": {"type": "string", "description": "Adobe's: sha1 of the group id"},
        "currency": _nullable("string"), "price": _nullable("number", description="what one unit costs"),
        "regular": _nullable("number"), "discounts": {"type": "array", "items": {"type": "object"}},
        "tier_prices": {"type": "array", "items": {"type": "object"}}, "deleted": {"type": "boolean"},
        "export_status": {"anyOf": [state, {"type": "null"}]}, "error": _nullable("string"),
    })
    stock = _object({
        "stock_id": {"type": "string"}, "stock_name": _nullable("string"), "qty": _nullable("number"),
        "qty_for_sale": _nullable("number"), "is_salable": _nullable("boolean"), "low_stock": _nullable("boolean"),
        "infinite_stock": _nullable("boolean"), "deleted": {"type": "boolean"},
        "export_status": {"anyOf": [state, {"type": "null"}]}, "error": _nullable("string"),
    })
    options = {"type": "array", "items": _object({"attribute_code": _nullable("string"),
                                                  "label": _nullable("string"), "value_index": _nullable("string")}),
               "description": "the child's values of the configurable's options (the variants feed)"}
    parent = _object({"sku": {"type": "string"}, "product_type": _nullable("string"),
                      "product_id": _nullable("integer"), "name": _nullable("string"), "options": options,
                      "variant_status": {"anyOf": [state, {"type": "null"}],
                                         "description": "the export state of its variants feed item"}})
    variant = _object({"sku": {"type": "string"}, "product_id": _nullable("integer"), "options": options,
                       "export_status": {"anyOf": [state, {"type": "null"}]}, "deleted": {"type": "boolean"}})
    detail = _object({
        "product_id": {"type": "integer"}, "sku": {"type": "string"},
        "name": _nullable("string", description="the product's name (its first live store view's)"),
        "type": _nullable("string"),
        "parents": {"type": "array", "items": parent,
                    "description": "the configurables, bundles and grouped products holding it (products feed's "
                                   "parents)"},
        "variants": {"anyOf": [_object({"total": {"type": "integer", "minimum": 0},
                                        "items": {"type": "array", "items": variant}}), {"type": "null"}],
                     "description": "a configurable's variants (the variants feed; null for other types)"},
        "store_views": {"type": "array", "items": {"$ref": "#/components/schemas/ProductStoreView"}},
        "source_error": _nullable("string", description="why the source could not be read live"),
        "destination_error": _nullable("string", description="why the destination could not be asked"),
        "prices": {"type": "array", "items": {"$ref": "#/components/schemas/ProductPrice"},
                   "description": "per website and customer group (the prices feed)"},
        "stock": {"type": "array", "items": {"$ref": "#/components/schemas/ProductStock"},
                  "description": "per stock (the inventoryStockStatus feed)"},
    })
    page = _object({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Product"}},
                    "next_cursor": _nullable("string"), "total": {"type": "integer", "minimum": 0}})
    return {"Product": item, "ProductPage": page, "Difference": difference, "ProductStoreView": view,
            "ProductDetail": detail, "ProductPrice": price, "ProductStock": stock}
