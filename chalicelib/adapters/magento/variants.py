"""The variants feed's read: every configurable's children with their values of its options (global scope)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

from ...domain.feeds.composites import CONFIGURABLE
from .attributes import labels_of, read_attributes
from .client import MagentoClient
from .composites import offset_pages
from .criteria import Filter, all_of, any_in, search_criteria
from .mapping import configurable_children, custom_attributes
from .paging import GLOBAL, chunks

CONFIGURABLE_FIELDS = ("items[id,sku,extension_attributes[configurable_product_links,configurable_product_options"
                       "[attribute_id,position,label]]],total_count")
CHILD_FIELDS = "items[id,sku,custom_attributes]"
Record = dict[str, Any]


def _children(client: MagentoClient, ids: list[int], pool: Executor) -> dict[int, Mapping[str, Any]]:
    def ask(part: Sequence[int]) -> list[Any]:
        found = client.get(GLOBAL, "/V1/products", [*search_criteria(
            all_of(any_in("entity_id", part)), page_size=len(part), current_page=1), ("fields", CHILD_FIELDS)])
        return (found or {}).get("items") or []
    result: dict[int, Mapping[str, Any]] = {}
    for items in pool.map(ask, list(chunks(ids, 100))):
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                result[item["id"]] = item
    return result


def _options(parent: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = (parent.get("extension_attributes") or {}).get("configurable_product_options") or []
    return sorted((o for o in options if isinstance(o, dict)), key=lambda o: (o.get("position") or 0))


def variant_record(parent: Mapping[str, Any], child: Mapping[str, Any], codes: Mapping[str, str],
                   labels: Mapping[str, Mapping[str, str]]) -> Record:
    """A variant's record: the child's value of each of the configurable's options, labelled as the admin shows it."""
    record: Record = {"parent_id": parent.get("id"), "parent_sku": parent.get("sku"), "product_id": child.get("id"),
                      "product_sku": child.get("sku")}
    try:
        values = custom_attributes(child)
        option_values = []
        for option in _options(parent):
            attribute_id = str(option.get("attribute_id"))
            code = codes.get(attribute_id)
            if code is None:
                raise ValueError(f"the configurable's option {option.get('label')!r} names an unknown attribute "
                                 f"{attribute_id}")
            value = values.get(code)
            option_values.append({"attribute_id": attribute_id, "attribute_code": code, "value_index": value,
                                  "label": labels.get(code, {}).get(str(value)) if value is not None else None})
        record["option_values"] = option_values
    except (TypeError, ValueError, AttributeError) as error:
        record["error"] = f"malformed Magento variant: {error}"
        record["error_code"] = "source.malformed_variant"
    return record


def read_variants(client: MagentoClient, page_size: int, pool: Executor) -> Iterator[Record]:
    """Every configurable × child, configurables read a window of pages at a time (fields= keeps them small)."""
    attributes = read_attributes(client)
    codes = {str(a.get("attribute_id")): str(a.get("attribute_code")) for a in attributes}
    labels = labels_of(attributes)
    for page in offset_pages(client, GLOBAL, all_of(Filter("type_id", CONFIGURABLE)), page_size,
                             CONFIGURABLE_FIELDS, pool):
        ids = list(dict.fromkeys(i for parent in page for i in configurable_children(parent)))
        children = _children(client, ids, pool) if ids else {}
        for parent in page:
            for child_id in configurable_children(parent):
                child = children.get(child_id)
                if child is not None:  # else: a link to a product deleted since (no variant)
                    yield variant_record(parent, child, codes, labels)
