"""The productAttributes feed (Adobe's ProductAttributeMetadata): one item per product attribute and store view.

Source record keys (the Magento adapter's, from ``/V1/products/attributes``): store_view_code, attribute_id,
attribute_code, frontend_input, backend_type, validation (frontend class), label (the store view's, else the
default), scope (global / website / store), and the flags required, unique, visible, searchable, filterable,
comparable, used_in_listing, sortable, visible_on_front, filterable_in_search, used_for_rules, user_defined
(booleans); search_weight (a number, or None where the source does not say); and error.

Derived as Adobe's exporter derives them (CatalogDataExporter's ProductMetadataQuery and its Boolean / Numeric
formatters): multi (multiselect or multiline input), boolean (a boolean input on an int backend, or one of the
gift card and option flags), numeric (a price, weight or text input on a decimal or int backend, a number
validation, or required_options; never for a boolean), global (Magento's is_global cast to a boolean: website
scope counts as global, as in Adobe's feed). One departure: systemAttribute is "not user-defined", what its name
says; Adobe's query fills it with is_user_defined itself, which reads the flag backwards.
"""
from __future__ import annotations

from typing import Any

from ..errors import InvalidRecordError
from ..feed import FeedRow, RowKey, canonical, content_hash
from .definition import Feed, Scopes, SourceRecord
from .values import from_source, invalid, number, text, whole

PRODUCT_ATTRIBUTES = "productAttributes"
ATTRIBUTE_TYPE = "catalog_product"
BOOLEAN_CODES = frozenset({"is_redeemable", "use_config_is_redeemable", "use_config_lifetime",
                           "use_config_email_template", "use_config_allow_message", "allow_message", "has_options"})
NUMERIC_INPUTS = frozenset({"price", "weight", "text"})
NUMERIC_BACKENDS = frozenset({"decimal", "int"})
NUMERIC_VALIDATIONS = frozenset({"validate-number", "validate-digits"})
SCOPES = frozenset({"global", "website", "store"})
FLAGS = {"required": "required", "unique": "unique", "visible": "visible", "searchable": "searchable",
         "filterable": "filterable", "visibleInCompareList": "comparable", "visibleInListing": "used_in_listing",
         "sortable": "sortable", "visibleInSearch": "visible_on_front", "filterableInSearch": "filterable_in_search",
         "usedForRules": "used_for_rules"}


def key_of(record: SourceRecord) -> RowKey:
    code = record.get("attribute_code")
    shown = code if isinstance(code, str) and code.strip() else f"#{record.get('attribute_id', '?')}"
    return RowKey(shown, str(record.get("store_view_code") or "?"))


def _flag(record: SourceRecord, name: str) -> bool:
    value = record.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    raise InvalidRecordError(f"{name} is not true or false: {value!r}", code=invalid(name))


def is_boolean(code: str, frontend_input: str | None, backend_type: str | None) -> bool:
    return (frontend_input == "boolean" and backend_type == "int") or code in BOOLEAN_CODES


def is_numeric(code: str, frontend_input: str | None, backend_type: str | None, validation: str | None) -> bool:
    if is_boolean(code, frontend_input, backend_type):
        return False
    return ((frontend_input in NUMERIC_INPUTS and backend_type in NUMERIC_BACKENDS)
            or validation in NUMERIC_VALIDATIONS or code == "required_options")


def build_row(record: SourceRecord, views: Scopes) -> FeedRow:
    from_source(record)
    code = text(record.get("attribute_code"), "attribute_code", required=True) or ""
    attribute_id = whole(record.get("attribute_id"), "attribute_id", required=True)
    view = views.get(record.get("store_view_code"))  # type: ignore[arg-type]
    if view is None:
        raise InvalidRecordError(f"unknown store view: {record.get('store_view_code')!r}", code=invalid("store_view"))
    frontend_input = text(record.get("frontend_input"), "frontend_input")
    backend_type = text(record.get("backend_type"), "backend_type")
    validation = text(record.get("validation"), "validation")
    scope = record.get("scope")
    if scope not in SCOPES:
        raise InvalidRecordError(f"scope is not one of {', '.join(sorted(SCOPES))}: {scope!r}",
                                 code=invalid("scope"))
    label = text(record.get("label"), "label")
    document: dict[str, Any] = {
        "id": str(attribute_id),
        "storeViewCode": view.code,
        "storeCode": view.store_code,
        "websiteCode": view.website_code,
        "attributeCode": code,
        "attributeType": ATTRIBUTE_TYPE,
        "dataType": backend_type,
        "multi": frontend_input in ("multiselect", "multiline"),
        "label": label,
        "frontendInput": frontend_input,
        "global": scope != "store",
        "searchWeight": number(record.get("search_weight"), "search_weight"),
        "boolean": is_boolean(code, frontend_input, backend_type),
        "numeric": is_numeric(code, frontend_input, backend_type, validation),
        "systemAttribute": not _flag(record, "user_defined"),
        "deleted": False,
    }
    document.update({field: _flag(record, name) for field, name in FLAGS.items()})
    body = canonical(document)
    return FeedRow(id=code, scope=view.code, name=label, type=frontend_input, document=body.decode(),
                   hash=content_hash(body))


def deletion_payload(row: FeedRow, views: Scopes) -> dict[str, Any]:
    """Adobe's minimal payload of an attribute that was deleted (websiteCode, storeCode, storeViewCode,
    attributeCode, attributeType; modifiedAt is added when it is sent)."""
    view = views.get(row.scope)
    return {"attributeCode": row.id, "attributeType": ATTRIBUTE_TYPE, "storeViewCode": row.scope,
            "storeCode": view.store_code if view else None, "websiteCode": view.website_code if view else None,
            "deleted": True}


def invalid_columns(record: SourceRecord) -> dict[str, Any]:
    fields = {"name": record.get("label"), "type": record.get("frontend_input")}
    return {name: value for name, value in fields.items() if isinstance(value, str)}


FEED = Feed(name=PRODUCT_ATTRIBUTES, record="ProductAttributeMetadata", identity=("attributeCode", "storeViewCode"),
            batch_size=100, incremental=False, build=build_row, key_of=key_of, deletion=deletion_payload,
            columns_of_invalid=invalid_columns)
