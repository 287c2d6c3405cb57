"""The variants feed's documents (Adobe's ProductVariant), built from hand-written source records."""
import base64
import hashlib
import json

import pytest

from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feed import FeedRow, RowKey
from chalicelib.domain.feeds import FEEDS
from chalicelib.domain.feeds.variants import FEED, build_row, key_of, option_uid, variant_id


def variant(**overrides):
    record = {"parent_id": 60, "parent_sku": "MJ01", "product_id": 58, "product_sku": "MJ01-M-Black",
              "option_values": [{"attribute_id": "93", "attribute_code": "color", "value_index": "49",
                                 "label": "Black"},
                                {"attribute_id": "144", "attribute_code": "size", "value_index": "168",
                                 "label": "M"}]}
    record.update(overrides)
    return record


def test_the_document_is_adobes_product_variant():
    row = build_row(variant(), {})
    document = json.loads(row.document)
    assert document == {
        "id": hashlib.md5(b"configurable/MJ01/MJ01-M-Black").hexdigest(),
        "optionValues": [
            {"attributeCode": "color", "uid": base64.b64encode(b"configurable/93/49").decode(), "label": "Black",
             "valueIndex": "49"},
            {"attributeCode": "size", "uid": base64.b64encode(b"configurable/144/168").decode(), "label": "M",
             "valueIndex": "168"}],
        "parentId": "60", "productId": "58", "parentSku": "MJ01", "productSku": "MJ01-M-Black", "deleted": False}
    assert row.key == RowKey("MJ01-M-Black", "MJ01") == key_of(variant())
    assert (row.product_id, row.name, row.type) == (58, "Black / M", "variant")


def test_uid_and_id_as_magento_computes_them():
    assert option_uid(93, 49) == "Y29uZmlndXJhYmxlLzkzLzQ5"  # base64("configurable/93/49")
    assert variant_id("P", "C") == hashlib.md5(b"configurable/P/C").hexdigest()


def test_a_changed_option_value_changes_the_hash_the_labels_too():
    base = build_row(variant(), {})
    relabelled = variant()
    relabelled["option_values"][0]["label"] = "Noir"
    assert build_row(relabelled, {}).hash != base.hash
    assert build_row(variant(), {}).hash == base.hash


@pytest.mark.parametrize("overrides, reason", [
    ({"error": "malformed Magento variant: boom"}, "malformed Magento variant: boom"),
    ({"parent_sku": None}, "parent_sku is missing"),
    ({"product_sku": ""}, "product_sku is missing"),
    ({"product_id": "x"}, "product_id is not a whole number: 'x'"),
    ({"option_values": []}, "the configurable has no options"),
    ({"option_values": [{"attribute_id": "93", "attribute_code": "color", "value_index": None, "label": None}]},
     "the child has no value for the configurable's option 'color'"),
    ({"option_values": [{"attribute_id": "93", "attribute_code": "color", "value_index": "red", "label": None}]},
     "value_index of color is not a whole number: 'red'"),
])
def test_a_malformed_variant_fails_its_row_with_the_reason(overrides, reason):
    with pytest.raises(InvalidRecordError) as error:
        build_row(variant(**overrides), {})
    assert str(error.value) == reason


def test_the_identity_of_a_malformed_record():
    assert key_of({"parent_id": 60, "product_id": 58}) == RowKey("#58", "#60")


def test_a_child_leaving_its_configurable_is_adobes_minimal_deletion():
    row = build_row(variant(), {})
    stored = FeedRow(id=row.id, scope=row.scope, product_id=58, document=row.document, hash=row.hash)
    deletion = FEED.deletion_row(stored, {})
    assert deletion.deleted and deletion.key == RowKey("MJ01-M-Black", "MJ01")
    assert json.loads(deletion.document) == {
        "id": variant_id("MJ01", "MJ01-M-Black"), "optionValues": json.loads(row.document)["optionValues"],
        "parentSku": "MJ01", "productSku": "MJ01-M-Black", "productId": "58", "deleted": True}
    bare = FEED.deletion_row(FeedRow(id="C", scope="P", product_id=7, document="not json"), {})
    assert json.loads(bare.document)["productId"] == "7"


def test_the_feed_is_read_whole_in_batches_of_100_after_the_others():
    assert (FEED.batch_size, FEED.incremental, FEED.record) == (100, False, "ProductVariant")
    assert list(FEEDS) == ["products", "productAttributes", "categories", "variants", "prices", "inventoryStockStatus"]
