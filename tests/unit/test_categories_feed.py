"""The categories feed's documents (Adobe's Category), built from hand-written source records."""
import json

import pytest

from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feed import FeedRow, RowKey
from chalicelib.domain.feeds.categories import FEED, build_row, key_of
from tests.fakes import VIEWS

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


def category(**overrides):
    record = {"store_view_code": "french", "category_id": 14, "name": "Vestes", "description": "<p>Vestes</p>",
              "meta_title": None, "meta_keywords": None, "meta_description": None, "display_mode": "PRODUCTS",
              "url_key": "vestes-hommes", "url_path": "hommes/hauts-hommes/vestes-hommes", "image": None,
              "level": 4, "path": "1/2/12/13/14", "parent_id": 13, "children": [], "position": 1,
              "default_sort_by": None, "available_sort_by": [], "is_anchor": True, "include_in_menu": True,
              "is_active": True, "created_at": "2022-01-01T00:00:00.000Z", "updated_at": "2026-03-01T10:00:00.000Z"}
    record.update(overrides)
    return record


def test_the_document_is_adobes_category():
    row = build_row(category(children=[15, 16]), VIEWS_BY_CODE)
    document = json.loads(row.document)
    assert document == {
        "categoryId": "14", "storeViewCode": "french", "storeCode": "main_store", "websiteCode": "base",
        "name": "Vestes", "description": "<p>Vestes</p>", "metaTitle": None, "metaKeywords": None,
        "metaDescription": None, "displayMode": "PRODUCTS", "urlKey": "vestes-hommes",
        "urlPath": "hommes/hauts-hommes/vestes-hommes", "image": None, "level": 4, "path": "1/2/12/13/14",
        "parentId": "13", "children": ["15", "16"], "position": 1, "defaultSortBy": None, "availableSortBy": [],
        "isAnchor": 1, "includeInMenu": 1, "isActive": 1, "deleted": False}
    assert row.key == RowKey("14", "french") == key_of(category())
    assert (row.name, row.type, row.last_modified) == ("Vestes", "category", "2026-03-01T10:00:00.000Z")


def test_timestamps_stay_out_of_the_hash():
    assert build_row(category(updated_at="2027-01-01T00:00:00.000Z"), VIEWS_BY_CODE).hash == \
        build_row(category(), VIEWS_BY_CODE).hash
    assert build_row(category(is_active=False), VIEWS_BY_CODE).hash != build_row(category(), VIEWS_BY_CODE).hash


@pytest.mark.parametrize("overrides, reason", [
    ({"error": "malformed Magento category: x"}, "malformed Magento category: x"),
    ({"category_id": None}, "category_id is not a whole number: None"),
    ({"store_view_code": "klingon"}, "unknown store view: 'klingon'"),
    ({"path": "1/2/x"}, "path is not a path of category ids: '1/2/x'"),
    ({"level": "deep"}, "level is not a whole number: 'deep'"),
    ({"name": 7}, "name is not a string: 7"),
    ({"children": "15,16"}, "children is not a list: '15,16'"),
])
def test_a_malformed_category_fails_its_row_with_the_reason(overrides, reason):
    with pytest.raises(InvalidRecordError) as error:
        build_row(category(**overrides), VIEWS_BY_CODE)
    assert str(error.value) == reason


def test_a_category_that_left_the_view_is_adobes_minimal_deletion():
    deletion = FEED.deletion_row(FeedRow(id="14", scope="french", document="{}"), VIEWS_BY_CODE)
    assert deletion.deleted
    assert json.loads(deletion.document) == {"categoryId": "14", "storeViewCode": "french",
                                             "storeCode": "main_store", "websiteCode": "base", "deleted": True}


def test_the_feed():
    assert (FEED.name, FEED.record, FEED.batch_size, FEED.incremental) == ("categories", "Category", 100, False)
