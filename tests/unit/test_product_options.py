"""The products feed's ``optionsV2`` (Adobe's ProductOption / ProductOptionValue): a configurable's options with
their values, a bundle's options with their selections, a grouped product's members with their default qtys."""
from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feeds.products import build_row
from tests.fakes import VIEWS, product

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


def _selection(selection_id: int, sku: str, qty: Any = 1, **more: Any) -> dict[str, Any]:
    return {"selection_id": selection_id, "sku": sku, "qty": qty, "can_change_quantity": 0, "is_default": False,
            "position": selection_id, "price": 4.5, "price_type": 0, **more}


def _option(option_id: int, title: str, required: bool, kind: str, position: int, *selections: dict) -> dict:
    return {"option_id": option_id, "title": title, "required": required, "type": kind, "position": position,
            "selections": list(selections)}


BUNDLE_OPTIONS = [
    _option(8, "Strap", False, "checkbox", 2, _selection(21, "STRAP-A"), _selection(22, "STRAP-B", is_default=True)),
    _option(7, "Bag", True, "radio", 1, _selection(20, "BAG-1", qty=2, can_change_quantity=1, is_default=True),
            _selection(19, "BAG-2", qty="5", position=30, price=10, price_type=1)),
    _option(9, "Gift wrap", False, "select", 3),  # an option without selections
]


def _bundle(fixed: bool = True, options: list | None = None) -> dict[str, Any]:
    return product(40, type="bundle", bundle_price_type="fixed" if fixed else "dynamic",
                   bundle_options=BUNDLE_OPTIONS if options is None else options)


def _options(record: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(build_row(record, VIEWS_BY_CODE).document)["optionsV2"]


def _uid(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_a_fixed_price_bundle_carries_its_options_in_order_required_or_not_with_their_selections():
    bag, strap, wrap = _options(_bundle())
    assert bag == {"id": "7", "type": "bundle", "label": "Bag", "required": True, "renderType": "radio",
                   "sortOrder": 1, "values": [
                       {"id": _uid("bundle/7/20/2"), "sku": "BAG-1", "qty": 2, "qtyMutability": True,
                        "isDefault": True, "sortOrder": 20, "price": 4.5, "priceType": "fixed"},
                       {"id": _uid("bundle/7/19/5"), "sku": "BAG-2", "qty": 5, "qtyMutability": False,
                        "isDefault": False, "sortOrder": 30, "price": 10, "priceType": "percent"}]}
    assert (strap["required"], strap["renderType"], [v["sku"] for v in strap["values"]]) == (
        False, "checkbox", ["STRAP-A", "STRAP-B"])
    assert [v["isDefault"] for v in strap["values"]] == [False, True]
    assert (wrap["id"], wrap["required"], wrap["values"]) == ("9", False, [])


def test_a_dynamic_price_bundle_sends_no_selection_price():
    bag = _options(_bundle(fixed=False))[0]
    assert all("price" not in value and "priceType" not in value for value in bag["values"])
    assert [value["qty"] for value in bag["values"]] == [2, 5]


def test_a_bundle_without_options_has_none():
    assert _options(_bundle(options=[])) == []
    assert _options(product(41, type="bundle")) == []


def test_a_changed_selection_quantity_or_can_change_quantity_is_a_changed_row():
    base = build_row(_bundle(), VIEWS_BY_CODE)
    more = json.loads(json.dumps(BUNDLE_OPTIONS))
    more[1]["selections"][0]["qty"] = 3
    fixed_qty = json.loads(json.dumps(BUNDLE_OPTIONS))
    fixed_qty[1]["selections"][0]["can_change_quantity"] = 0
    assert build_row(_bundle(options=more), VIEWS_BY_CODE).hash != base.hash
    assert build_row(_bundle(options=fixed_qty), VIEWS_BY_CODE).hash != base.hash
    assert build_row(_bundle(options=list(reversed(BUNDLE_OPTIONS))), VIEWS_BY_CODE).hash == base.hash


def test_a_grouped_product_carries_its_members_with_their_default_quantities():
    record = product(50, type="grouped", grouped_members=[
        {"sku": "MUG", "qty": 2, "position": 2}, {"sku": "CUP", "qty": 0, "position": 1},
        {"sku": "SPOON", "qty": None, "position": 3}])
    assert _options(record) == [{"id": "50", "type": "grouped", "values": [
        {"sku": "CUP", "qty": 0, "sortOrder": 1, "qtyMutability": True},
        {"sku": "MUG", "qty": 2, "sortOrder": 2, "qtyMutability": True},
        {"sku": "SPOON", "qty": 0, "sortOrder": 3, "qtyMutability": True}]}]
    assert _options(product(51, type="grouped", grouped_members=[])) == []


def test_a_configurable_carries_its_options_with_the_values_its_children_use():
    record = product(60, type="configurable", configurable_options=[
        {"attribute_id": "144", "attribute_code": "size", "label": "Taille", "position": 1,
         "values": [{"value_index": 167, "label": "S"}, {"value_index": 168, "label": None}]},
        {"attribute_id": 93, "attribute_code": "color", "label": "Couleur", "position": 0,
         "values": [{"value_index": 50, "label": "Bleu"}]}])
    color, size = _options(record)
    assert color == {"id": "color", "type": "configurable", "label": "Couleur", "sortOrder": 0,
                     "values": [{"id": _uid("configurable/93/50"), "label": "Bleu"}]}
    assert size["values"] == [{"id": _uid("configurable/144/167"), "label": "S"}, {"id": _uid("configurable/144/168")}]


def test_a_simple_product_has_no_options_even_if_the_record_holds_some():
    assert _options(product(1, bundle_options=BUNDLE_OPTIONS)) == []


@pytest.mark.parametrize(("record", "code", "reason"), [
    (_bundle(options=[_option(7, "Bag", True, "radio", 1, _selection(20, "BAG", qty="2,5"))]),
     "invalid_record.bundle_options", "qty of a selection of bundle option 7 is not a number: '2,5'"),
    (_bundle(options=[_option(7, "Bag", True, "radio", 1, _selection(20, "BAG", qty=-1))]),
     "invalid_record.bundle_options", "qty of a selection of bundle option 7 is not a quantity ≥ 0: -1"),
    (_bundle(options=[_option(7, "Bag", True, "radio", 1, _selection(20, None))]),
     "invalid_record.bundle_options", "sku of a selection of bundle option 7 is missing"),
    (_bundle(options=[_option(7, "Bag", True, "radio", 1, _selection(20, "BAG", can_change_quantity=2))]),
     "invalid_record.bundle_options", "can_change_quantity of a selection of bundle option 7 is not a yes/no flag: 2"),
    (_bundle(options=[{"title": "Bag"}]),
     "invalid_record.bundle_options", "bundle option_id is not a whole number: None"),
    (_bundle(options=["Bag"]), "invalid_record.bundle_options", "bundle_options is not a list of objects: ['Bag']"),
    (product(50, type="grouped", grouped_members=[{"sku": "MUG", "qty": "two"}]),
     "invalid_record.grouped_members", "qty of grouped member MUG is not a number: 'two'"),
    (product(60, type="configurable", configurable_options=[{"attribute_id": 93, "label": "Color", "values": []}]),
     "invalid_record.configurable_options",
     "the configurable's option 'Color' names no known attribute (attribute_id 93)"),
])
def test_a_malformed_option_is_refused_with_its_reason(record, code, reason):
    with pytest.raises(InvalidRecordError) as raised:
        build_row(record, VIEWS_BY_CODE)
    assert (raised.value.code, str(raised.value)) == (code, reason)
