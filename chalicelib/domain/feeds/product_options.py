"""A product's options in the products feed (Adobe's ``optionsV2``: ProductOption with ProductOptionValue): a
configurable's options with the values its children use, a bundle's options with their selections, a grouped
product's members with their default quantities.

Source record keys (the Magento adapter's, from the product's own answer):
- ``configurable_options``: [{attribute_id, attribute_code, label, position, values: [{value_index, label}]}]
- ``bundle_options``: [{option_id, title, required, type, position, selections: [{selection_id, sku, qty,
  can_change_quantity, is_default, position, price, price_type}]}], and ``bundle_price_type`` "fixed" | "dynamic"
- ``grouped_members``: [{sku, qty, position}]

As Adobe's exporter builds them (CatalogDataExporter ProductOptions, ConfigurableProductDataExporter Options,
BundleProductDataExporter BundleProductOptions, GroupedProductOptions): a configurable option's ``id`` is its
attribute code and a value's ``id`` is base64 of ``configurable/<attribute id>/<value index>``; a bundle option's
``id`` is its option id, ``renderType`` its input type, and a selection's ``id`` is base64 of
``bundle/<option id>/<selection id>/<whole qty>``, ``qtyMutability`` whether the shopper can change its quantity;
a grouped product has one option of type ``grouped`` (id: the product's) whose values are its members, each
``qtyMutability`` true. Fields without a value are left out. Unlike Adobe, a selection's ``price`` and
``priceType`` are sent for fixed-price bundles only (a dynamic bundle's price is its selections' own prices).
"""
from __future__ import annotations

import base64
from typing import Any

from ..errors import InvalidRecordError
from .composites import BUNDLE, CONFIGURABLE, GROUPED
from .definition import SourceRecord
from .values import invalid, number, text, whole

FIELD = "optionsV2"
# A fixed-price bundle's selection price: an amount, or a percent of the bundle's price.
PRICE_TYPES = {0: "fixed", 1: "percent"}
Option = dict[str, Any]


def _uid(*parts: object) -> str:
    return base64.b64encode("/".join(str(part) for part in parts).encode()).decode()


def configurable_value_uid(attribute_id: int, value_index: int) -> str:
    return _uid(CONFIGURABLE, attribute_id, value_index)


def bundle_selection_uid(option_id: int, selection_id: int, qty: float) -> str:
    return _uid(BUNDLE, option_id, selection_id, int(qty))


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def _objects(value: Any, name: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidRecordError(f"{name} is not a list of objects: {value!r}", code=invalid(name))
    return value


def _flag(value: Any, name: str) -> bool:
    """Magento's flags: booleans, or 0/1 (can_change_quantity is an integer in its schema)."""
    if isinstance(value, bool):
        return value
    if value is None or value in (0, 1, "0", "1"):
        return value in (1, "1")
    raise InvalidRecordError(f"{name} is not a yes/no flag: {value!r}", code=invalid(name))


def _quantity(value: Any, name: str) -> float:
    qty = number(value, name)
    if qty is None or qty < 0:
        raise InvalidRecordError(f"{name} is not a quantity ≥ 0: {value!r}", code=invalid(name))
    return qty


def _configurable(option: dict[str, Any]) -> Option:
    code = option.get("attribute_code")
    if not isinstance(code, str) or not code.strip():
        raise InvalidRecordError(f"the configurable's option {option.get('label')!r} names no known attribute "
                                 f"(attribute_id {option.get('attribute_id')!r})", code=invalid("attribute_code"))
    attribute_id = whole(option.get("attribute_id"), f"attribute_id of option {code}", required=True) or 0
    values = []
    for value in _objects(option.get("values"), f"values of option {code}"):
        index = whole(value.get("value_index"), f"value_index of option {code}", required=True) or 0
        values.append(_present({"id": configurable_value_uid(attribute_id, index),
                                "label": text(value.get("label"), f"label of a value of option {code}")}))
    return _present({"id": code, "type": CONFIGURABLE, "label": text(option.get("label"), f"label of option {code}"),
                     "sortOrder": whole(option.get("position"), f"position of option {code}"), "values": values})


def _selection(option_id: int, selection: dict[str, Any], fixed_price: bool) -> Option:
    where = f"of a selection of bundle option {option_id}"
    sku = text(selection.get("sku"), f"sku {where}", required=True)
    selection_id = whole(selection.get("selection_id"), f"id {where}", required=True) or 0
    qty = _quantity(selection.get("qty"), f"qty {where}")
    value = {"id": bundle_selection_uid(option_id, selection_id, qty), "sku": sku, "qty": qty,
             "qtyMutability": _flag(selection.get("can_change_quantity"), f"can_change_quantity {where}"),
             "isDefault": _flag(selection.get("is_default"), f"is_default {where}"),
             "sortOrder": whole(selection.get("position"), f"position {where}")}
    if fixed_price:
        price_type = whole(selection.get("price_type"), f"price_type {where}")
        if price_type is not None and price_type not in PRICE_TYPES:
            raise InvalidRecordError(f"price_type {where} is not 0 (fixed) or 1 (percent): {price_type}",
                                     code=invalid(f"price_type {where}"))
        value["price"] = number(selection.get("price"), f"price {where}")
        value["priceType"] = PRICE_TYPES.get(price_type or 0)
    return _present(value)


def _bundle(option: dict[str, Any], fixed_price: bool) -> Option:
    option_id = whole(option.get("option_id"), "bundle option_id", required=True) or 0
    selections = [_selection(option_id, selection, fixed_price)
                  for selection in _objects(option.get("selections"), f"selections of bundle option {option_id}")]
    selections.sort(key=lambda value: (value.get("sortOrder") or 0, value["id"]))
    return _present({"id": str(option_id), "type": BUNDLE,
                     "label": text(option.get("title"), f"title of bundle option {option_id}"),
                     "required": _flag(option.get("required"), f"required of bundle option {option_id}"),
                     "renderType": text(option.get("type"), f"type of bundle option {option_id}"),
                     "sortOrder": whole(option.get("position"), f"position of bundle option {option_id}"),
                     "values": selections})


def _grouped(product_id: int, members: list[dict[str, Any]]) -> Option:
    values = []
    for member in members:
        sku = text(member.get("sku"), "sku of a grouped member", required=True)
        values.append(_present({"sku": sku, "qty": _quantity(member.get("qty") or 0, f"qty of grouped member {sku}"),
                                "sortOrder": whole(member.get("position"), f"position of grouped member {sku}"),
                                "qtyMutability": True}))
    values.sort(key=lambda value: (value.get("sortOrder") or 0, value["sku"]))
    return {"id": str(product_id), "type": GROUPED, "values": values}


def options_v2(product: SourceRecord, product_id: int) -> list[Option]:
    """The product's ``optionsV2``, or InvalidRecordError saying which option cannot be used and why (its code
    names the source field: ``invalid_record.bundle_options``, ``.configurable_options``, ``.grouped_members``)."""
    kind = product.get("type")
    field = {CONFIGURABLE: "configurable_options", BUNDLE: "bundle_options", GROUPED: "grouped_members"}.get(str(kind))
    if field is None:
        return []
    try:
        items = _objects(product.get(field), field)
        if kind == GROUPED:
            return [_grouped(product_id, items)] if items else []
        fixed = product.get("bundle_price_type") == "fixed"
        options = [_configurable(o) if kind == CONFIGURABLE else _bundle(o, fixed) for o in items]
    except InvalidRecordError as error:
        raise InvalidRecordError(str(error), code=invalid(field)) from None
    return sorted(options, key=lambda option: (option.get("sortOrder") or 0, option["id"]))
