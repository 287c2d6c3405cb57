"""Product attributes: the productAttributes feed's records, and the option labels products and variants show."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .client import MagentoClient
from .criteria import all_of, any_in
from .layout import View
from .paging import GLOBAL, read_list

ATTRIBUTES = "/V1/products/attributes"
OPTION_INPUTS = ("select", "multiselect", "boolean")  # values that are option ids (boolean: "1"/"0")
# Magento's Boolean source model, for a yes/no attribute whose answer lists no options.
YES_NO = {"1": "Yes", "0": "No"}
_FLAGS = {"required": "is_required", "unique": "is_unique", "visible": "is_visible", "searchable": "is_searchable",
          "filterable": "is_filterable", "comparable": "is_comparable", "used_in_listing": "used_in_product_listing",
          "sortable": "used_for_sort_by", "visible_on_front": "is_visible_on_front",
          "filterable_in_search": "is_filterable_in_search", "used_for_rules": "is_used_for_promo_rules",
          "user_defined": "is_user_defined"}


def _flag(value: Any) -> bool | Any:
    """Magento answers some flags as booleans and some as "0"/"1" strings (its schema says so)."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    if value in ("0", "1", 0, 1):
        return value in ("1", 1)
    return value  # anything else: the builder says what is wrong with it


def read_attributes(client: MagentoClient, store: str = GLOBAL) -> list[dict]:
    """Every product attribute, as ``store`` answers (the global scope: admin labels, every store's labels)."""
    return read_list(client, ATTRIBUTES, [], store)


def option_labels(client: MagentoClient, store: str) -> dict[str, dict[str, str]]:
    """Select, multiselect and yes/no option labels by attribute code and option id, as ``store`` shows them."""
    attributes = read_list(client, ATTRIBUTES, all_of(any_in("frontend_input", OPTION_INPUTS)), store)
    return labels_of(attributes)


def labels_of(attributes: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    result = {}
    for attribute in attributes:
        labels = {str(o.get("value")): str(o.get("label")) for o in attribute.get("options") or []
                  if isinstance(o, dict) and str(o.get("value") or "").strip()}
        if attribute.get("frontend_input") == "boolean" and not labels:
            labels = dict(YES_NO)
        result[str(attribute.get("attribute_code"))] = labels
    return result


def _label(attribute: Mapping[str, Any], store_id: int) -> Any:
    for entry in attribute.get("frontend_labels") or []:
        if isinstance(entry, dict) and entry.get("store_id") == store_id and entry.get("label"):
            return entry["label"]
    return attribute.get("default_frontend_label")


def attribute_records(attributes: Sequence[Mapping[str, Any]], views: Sequence[View]) -> Iterator[dict[str, Any]]:
    """The productAttributes feed's records: every attribute in every store view, labelled as the view shows it."""
    for view in views:
        for attribute in attributes:
            yield attribute_record(attribute, view)


def attribute_record(attribute: Mapping[str, Any], view: View) -> dict[str, Any]:
    record: dict[str, Any] = {
        "store_view_code": view.code, "attribute_id": attribute.get("attribute_id"),
        "attribute_code": attribute.get("attribute_code"), "frontend_input": attribute.get("frontend_input"),
        "backend_type": attribute.get("backend_type"), "validation": attribute.get("frontend_class") or None,
        "label": _label(attribute, view.store_id), "scope": attribute.get("scope"),
        "search_weight": None,  # Magento's REST answer does not carry it
    }
    record.update({name: _flag(attribute.get(field)) for name, field in _FLAGS.items()})
    return record
