"""The productAttributes feed's documents (Adobe's ProductAttributeMetadata), from hand-written source records."""
import json

import pytest

from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feed import FeedRow, RowKey
from chalicelib.domain.feeds.product_attributes import FEED, build_row, key_of
from tests.fakes import VIEWS

VIEWS_BY_CODE = {view.code: view for view in VIEWS}
FLAGS = ("required", "unique", "visible", "searchable", "filterable", "comparable", "used_in_listing", "sortable",
         "visible_on_front", "filterable_in_search", "used_for_rules", "user_defined")


def attribute(**overrides):
    record = {"store_view_code": "french", "attribute_id": 93, "attribute_code": "color", "frontend_input": "select",
              "backend_type": "int", "validation": None, "label": "Couleur", "scope": "global",
              "search_weight": None, **dict.fromkeys(FLAGS, False), "filterable": True, "user_defined": True}
    record.update(overrides)
    return record


def document(**overrides):
    return json.loads(build_row(attribute(**overrides), VIEWS_BY_CODE).document)


def test_the_document_is_adobes_product_attribute_metadata():
    row = build_row(attribute(), VIEWS_BY_CODE)
    assert json.loads(row.document) == {
        "id": "93", "storeViewCode": "french", "storeCode": "main_store", "websiteCode": "base",
        "attributeCode": "color", "attributeType": "catalog_product", "dataType": "int", "multi": False,
        "label": "Couleur", "frontendInput": "select", "required": False, "unique": False, "global": True,
        "visible": False, "searchable": False, "filterable": True, "visibleInCompareList": False,
        "visibleInListing": False, "sortable": False, "visibleInSearch": False, "filterableInSearch": False,
        "searchWeight": None, "usedForRules": False, "boolean": False, "systemAttribute": False, "numeric": False,
        "deleted": False}
    assert row.key == RowKey("color", "french") == key_of(attribute())
    assert (row.name, row.type) == ("Couleur", "select")


def test_derived_flags_as_adobes_exporter_derives_them():
    assert document(frontend_input="multiselect", backend_type="varchar")["multi"]
    yes_no = document(attribute_code="new", frontend_input="boolean", backend_type="int")
    assert yes_no["boolean"] and not yes_no["numeric"], "a yes/no attribute is never numeric"
    assert document(attribute_code="has_options", frontend_input="text", backend_type="static")["boolean"]
    assert document(attribute_code="price", frontend_input="price", backend_type="decimal")["numeric"]
    assert document(attribute_code="qty", frontend_input="text", backend_type="varchar",
                    validation="validate-digits")["numeric"]
    assert not document(attribute_code="name", frontend_input="text", backend_type="varchar")["numeric"]
    assert document(scope="website")["global"] and not document(scope="store")["global"]
    assert document(attribute_code="sku", user_defined=False)["systemAttribute"]


@pytest.mark.parametrize("overrides, reason", [
    ({"attribute_code": ""}, "attribute_code is missing"),
    ({"attribute_id": None}, "attribute_id is not a whole number: None"),
    ({"store_view_code": "klingon"}, "unknown store view: 'klingon'"),
    ({"scope": "galaxy"}, "scope is not one of global, store, website: 'galaxy'"),
    ({"searchable": "maybe"}, "searchable is not true or false: 'maybe'"),
    ({"error": "malformed Magento attribute: x"}, "malformed Magento attribute: x"),
])
def test_a_malformed_attribute_fails_its_row_with_the_reason(overrides, reason):
    with pytest.raises(InvalidRecordError) as error:
        build_row(attribute(**overrides), VIEWS_BY_CODE)
    assert str(error.value) == reason


def test_a_deleted_attribute_is_adobes_minimal_deletion():
    deletion = FEED.deletion_row(FeedRow(id="color", scope="french"), VIEWS_BY_CODE)
    assert json.loads(deletion.document) == {"attributeCode": "color", "attributeType": "catalog_product",
                                             "storeViewCode": "french", "storeCode": "main_store",
                                             "websiteCode": "base", "deleted": True}


def test_the_feed():
    assert (FEED.name, FEED.record, FEED.batch_size, FEED.incremental) == (
        "productAttributes", "ProductAttributeMetadata", 100, False)
