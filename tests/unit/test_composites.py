"""Composite products by Magento's rules, on hand-built records shaped like Magento's answers."""
import json

import pytest

from chalicelib.adapters.magento.composites import CompositeIndex
from chalicelib.adapters.magento.mapping import composite_of
from chalicelib.domain.feeds.composites import (
    BundleOption,
    Composite,
    ParentLink,
    composite_salable,
    member_skus,
    parents_in_website,
)
from chalicelib.domain.feeds.products import build_row
from tests.fakes import VIEWS, product

VIEWS_BY_CODE = {view.code: view for view in VIEWS}

# A Luma-like bundle as GET /V1/products/{sku} answers it: four required options (one selection each, the second
# option with two), and an optional one.
KIT = {"id": 90, "sku": "GEAR-KIT", "type_id": "bundle", "extension_attributes": {"bundle_product_options": [
    {"option_id": 1, "title": "Mat", "required": True, "type": "radio", "position": 1, "sku": "GEAR-KIT",
     "product_links": [{"id": "1", "sku": "MAT", "option_id": 1, "qty": 1, "is_default": True, "price": 0,
                        "price_type": 0, "can_change_quantity": 1}]},
    {"option_id": 2, "title": "Bottle", "required": True, "type": "select", "position": 2, "sku": "GEAR-KIT",
     "product_links": [{"id": "2", "sku": "BOTTLE-RED", "option_id": 2, "qty": 1},
                       {"id": "3", "sku": "BOTTLE-BLUE", "option_id": 2, "qty": 1}]},
    {"option_id": 3, "title": "Strap", "required": True, "type": "radio", "position": 3, "sku": "GEAR-KIT",
     "product_links": [{"id": "4", "sku": "STRAP", "option_id": 3, "qty": 2}]},
    {"option_id": 4, "title": "Towel", "required": True, "type": "radio", "position": 4, "sku": "GEAR-KIT",
     "product_links": [{"id": "5", "sku": "TOWEL", "option_id": 4, "qty": 1}]},
    {"option_id": 5, "title": "Gift wrap", "required": False, "type": "checkbox", "position": 5, "sku": "GEAR-KIT",
     "product_links": [{"id": "6", "sku": "WRAP", "option_id": 5, "qty": 1}]}]}}
JACKET = {"id": 60, "sku": "MJ01", "type_id": "configurable", "extension_attributes": {
    "configurable_product_links": [57, 58, 59],
    "configurable_product_options": [{"id": 1, "attribute_id": "93", "label": "Color", "position": 0,
                                      "values": [{"value_index": 49}, {"value_index": 50}], "product_id": 60}]}}
SET = {"id": 70, "sku": "YOGA-SET", "type_id": "grouped", "product_links": [
    {"sku": "YOGA-SET", "link_type": "associated", "linked_product_sku": "MAT", "linked_product_type": "simple",
     "position": 1, "extension_attributes": {"qty": 1}},
    {"sku": "YOGA-SET", "link_type": "related", "linked_product_sku": "TOWEL", "linked_product_type": "simple",
     "position": 1},
    {"sku": "YOGA-SET", "link_type": "associated", "linked_product_sku": "BLOCK", "linked_product_type": "simple",
     "position": 2, "extension_attributes": {"qty": 2}}]}
CHILDREN = {57: "MJ01-S-Black", 58: "MJ01-M-Black", 59: "MJ01-M-Blue"}


def salable_only(*skus: str):
    return lambda sku: sku in skus


def test_a_bundle_is_salable_when_every_required_option_has_a_salable_selection():
    kit = composite_of(KIT, {})
    everything_but_the_wrap = salable_only("MAT", "BOTTLE-BLUE", "STRAP", "TOWEL")
    assert composite_salable(kit, everything_but_the_wrap)  # one bottle of two is enough; the wrap is optional
    assert not composite_salable(kit, salable_only("MAT", "BOTTLE-RED", "BOTTLE-BLUE", "STRAP", "WRAP"))


def test_a_bundle_of_optional_options_only_needs_one_salable_selection():
    bundle = Composite("B", "bundle", options=(BundleOption(False, ("A",)), BundleOption(False, ("B1", "B2"))))
    assert composite_salable(bundle, salable_only("B2"))
    assert not composite_salable(bundle, salable_only())


def test_configurable_and_grouped_products_are_salable_when_any_member_is():
    jacket, yoga = composite_of(JACKET, CHILDREN), composite_of(SET, {})
    assert jacket.members == ("MJ01-S-Black", "MJ01-M-Black", "MJ01-M-Blue")
    assert yoga.members == ("MAT", "BLOCK"), "related products are not members"
    assert composite_salable(jacket, salable_only("MJ01-M-Blue")) and not composite_salable(jacket, salable_only())
    assert composite_salable(yoga, salable_only("BLOCK")) and not composite_salable(yoga, salable_only("TOWEL"))


def test_member_skus_are_listed_once():
    assert member_skus([composite_of(KIT, {}), composite_of(SET, {})]) == [
        "MAT", "BOTTLE-RED", "BOTTLE-BLUE", "STRAP", "TOWEL", "WRAP", "BLOCK"]


@pytest.mark.parametrize("kind", ["configurable", "bundle", "grouped"])
def test_a_composite_carries_no_quantity_of_its_own_whatever_the_record_says(kind):
    # The bundle: 4 required options over 8 selections summed to 800, where at most 100 kits could be sold.
    row = build_row(product(9, type=kind, quantity=800, salable_quantity=800, in_stock=True), VIEWS_BY_CODE)
    document = json.loads(row.document)
    assert document["inventory"] == {"qty": None}  # (salable quantities: the inventoryStockStatus feed's)
    assert (row.quantity, row.salable_quantity) == (None, None)
    assert document["inStock"] and document["buyable"]


def test_a_member_names_its_parents_of_its_website_once_sorted():
    links = [ParentLink("MJ01", "configurable", frozenset({1})), ParentLink("GEAR-KIT", "bundle", frozenset({1, 2})),
             ParentLink("YOGA-SET", "grouped", frozenset({2})), ParentLink("GEAR-KIT", "bundle", frozenset({1, 2}))]
    assert parents_in_website(links, 1) == [{"sku": "GEAR-KIT", "productType": "bundle"},
                                            {"sku": "MJ01", "productType": "configurable"}]
    assert parents_in_website(links, 2) == [{"sku": "GEAR-KIT", "productType": "bundle"},
                                            {"sku": "YOGA-SET", "productType": "grouped"}]
    assert parents_in_website([], 1) == []


def test_parents_travel_in_the_products_document():
    parents = [{"sku": "MJ01", "productType": "configurable"}]
    document = json.loads(build_row(product(57, parents=parents), VIEWS_BY_CODE).document)
    assert document["parents"] == parents


def test_the_index_of_the_composites_links_names_every_parent_of_a_child():
    index = CompositeIndex()
    for answer, updated in ((JACKET, "2026-01-01 00:00:00"), (KIT, "2026-06-01 00:00:00"),
                            (SET, "2026-06-02 00:00:00")):
        index.add({**answer, "updated_at": updated, "extension_attributes": {
            **answer.get("extension_attributes", {}), "website_ids": [1]}}, since="2026-05-01 00:00:00")
    index.add({"sku": "SIMPLE", "type_id": "simple"}, since=None)  # not a composite: ignored
    assert index.parents_of(57, "MJ01-S-Black") == [ParentLink("MJ01", "configurable", frozenset({1}))]
    assert [p.sku for p in index.parents_of(99, "MAT")] == ["GEAR-KIT", "YOGA-SET"], "a bundle's and a set's"
    assert index.parents_of(99, "NOBODY") == [] and index.parents_of(None, None) == []
    assert index.changed_child_ids == set(), "the jacket did not change since"
    assert index.changed_child_skus == {"MAT", "BOTTLE-RED", "BOTTLE-BLUE", "STRAP", "TOWEL", "WRAP", "BLOCK"}
