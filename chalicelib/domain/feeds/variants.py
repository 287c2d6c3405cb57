"""The variants feed (Adobe's ProductVariant): one item per configurable product and child, with the child's
values of the configurable's options. Not per store view: a variant is the same in every view.

Source record keys (the Magento adapter's): parent_id, parent_sku, product_id, product_sku (the child's), and
option_values: [{attribute_id, attribute_code, value_index, label}] in the configurable's option order; and
error (the source found the record malformed).

As Adobe's ProductVariantDataExporter builds it: ``id`` is md5 of ``configurable/<parentSku>/<productSku>``; an
option value's ``uid`` is base64 of ``configurable/<attribute id>/<value index>``; ids and value indexes are
strings. A child that leaves its configurable is a deletion (id, optionValues, parentSku, productSku, productId).
"""
from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from ..errors import InvalidRecordError
from ..feed import FeedRow, RowKey, canonical, content_hash
from .definition import Feed, Scopes, SourceRecord
from .values import from_source, invalid, text, whole

VARIANTS = "variants"
OPTION_TYPE = "configurable"


def variant_id(parent_sku: str, product_sku: str) -> str:
    return hashlib.md5(f"{OPTION_TYPE}/{parent_sku}/{product_sku}".encode()).hexdigest()


def option_uid(attribute_id: int | str, value_index: int | str) -> str:
    return base64.b64encode(f"{OPTION_TYPE}/{attribute_id}/{value_index}".encode()).decode()


def key_of(record: SourceRecord) -> RowKey:
    def shown(sku: Any, product_id: Any) -> str:
        return sku if isinstance(sku, str) and sku.strip() else f"#{product_id if product_id is not None else '?'}"
    return RowKey(shown(record.get("product_sku"), record.get("product_id")),
                  shown(record.get("parent_sku"), record.get("parent_id")))


def _option_value(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRecordError(f"an option value is not an object: {value!r}", code=invalid("option_values"))
    code = text(value.get("attribute_code"), "option attribute_code", required=True)
    attribute_id = whole(value.get("attribute_id"), "option attribute_id", required=True)
    index = value.get("value_index")
    if index is None or index == "":
        raise InvalidRecordError(f"the child has no value for the configurable's option {code!r}",
                                 code=invalid("option_values"))
    value_index = whole(index, f"value_index of {code}", required=True)
    return {"attributeCode": code, "uid": option_uid(attribute_id or 0, value_index or 0),
            "label": text(value.get("label"), f"label of {code}"), "valueIndex": str(value_index)}


def build_row(record: SourceRecord, views: Scopes) -> FeedRow:
    from_source(record)
    parent_sku = text(record.get("parent_sku"), "parent_sku", required=True) or ""
    product_sku = text(record.get("product_sku"), "product_sku", required=True) or ""
    parent_id = whole(record.get("parent_id"), "parent_id", required=True)
    product_id = whole(record.get("product_id"), "product_id", required=True)
    values = record.get("option_values")
    if not isinstance(values, list) or not values:
        raise InvalidRecordError("the configurable has no options", code=invalid("option_values"))
    option_values = [_option_value(value) for value in values]
    document = {
        "id": variant_id(parent_sku, product_sku),
        "optionValues": option_values,
        "parentId": str(parent_id),
        "productId": str(product_id),
        "parentSku": parent_sku,
        "productSku": product_sku,
        "deleted": False,
    }
    body = canonical(document)
    label = " / ".join(str(value["label"] or value["valueIndex"]) for value in option_values)
    return FeedRow(id=product_sku, scope=parent_sku, product_id=product_id, name=label, type="variant",
                   document=body.decode(), hash=content_hash(body))


def deletion_payload(row: FeedRow, views: Scopes) -> dict[str, Any]:
    """Adobe's minimal payload of a variant that left its configurable (modifiedAt is added when it is sent)."""
    try:
        last = json.loads(row.document) if row.document else {}
    except ValueError:
        last = {}
    if not isinstance(last, dict):
        last = {}
    product_id = last.get("productId")
    if product_id is None and row.product_id is not None:
        product_id = str(row.product_id)
    return {"id": variant_id(row.scope, row.id), "optionValues": last.get("optionValues") or [],
            "parentSku": row.scope, "productSku": row.id, "productId": product_id, "deleted": True}


def invalid_columns(record: SourceRecord) -> dict[str, Any]:
    product_id = record.get("product_id")
    valid = isinstance(product_id, int) and not isinstance(product_id, bool)
    return {"type": "variant", **({"product_id": product_id} if valid else {})}


def identity_of(key: RowKey) -> tuple[str, ...]:
    """The document's ``id`` of a row (child SKU in scope of its parent's)."""
    return (variant_id(key.scope, key.id),)


FEED = Feed(name=VARIANTS, record="ProductVariant", identity=("id",), batch_size=100, incremental=False,
            build=build_row, key_of=key_of, deletion=deletion_payload, columns_of_invalid=invalid_columns,
            identity_of=identity_of, product_keyed=True)  # by ids: the child's SKU, or its product id
