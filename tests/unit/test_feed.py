import json

import pytest

from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feed import RowKey, StoredState, is_new_version
from chalicelib.domain.feeds.products import build_row, deletion_of, row_key_of
from tests.fakes import VIEWS, product

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


def test_same_product_gives_same_hash_and_canonical_document():
    first = build_row(product(1), VIEWS_BY_CODE)
    second = build_row(dict(reversed(list(product(1).items()))), VIEWS_BY_CODE)
    assert first.hash == second.hash
    assert first.document == second.document
    assert json.loads(first.document)["storeViewCode"] == "default"


def test_timestamps_do_not_change_the_hash_but_content_does():
    base = build_row(product(1), VIEWS_BY_CODE)
    touched = build_row(product(1, updated_at="2026-06-01T00:00:00.000Z"), VIEWS_BY_CODE)
    renamed = build_row(product(1, name="Other"), VIEWS_BY_CODE)
    assert touched.hash == base.hash
    assert touched.last_modified == "2026-06-01T00:00:00.000Z"
    assert renamed.hash != base.hash


def test_store_view_fields_come_from_the_store_view():
    row = build_row(product(1, "french"), VIEWS_BY_CODE)
    document = json.loads(row.document)
    assert (document["storeCode"], document["websiteCode"], document["currency"]) == ("main_store", "base", "USD")
    assert row.key == RowKey("SKU-0001", "french")


def test_buyable_and_displayable_follow_status_stock_and_visibility():
    hidden = json.loads(build_row(product(1, visibility="Not Visible Individually"), VIEWS_BY_CODE).document)
    out_of_stock = json.loads(build_row(product(1, in_stock=False), VIEWS_BY_CODE).document)
    disabled = json.loads(build_row(product(1, status="Disabled"), VIEWS_BY_CODE).document)
    assert not hidden["displayable"] and hidden["buyable"]
    assert out_of_stock["displayable"] and not out_of_stock["buyable"]
    assert not disabled["displayable"] and not disabled["buyable"]


@pytest.mark.parametrize("overrides, code, reason", [
    ({"sku": ""}, "invalid_record.sku", "missing sku"),
    ({"sku": None}, "invalid_record.sku", "missing sku"),
    ({"price": "abc"}, "invalid_record.price", "price is not a number: 'abc'"),
    ({"price": float("nan")}, "invalid_record.price", "price is not a finite number: nan"),
    ({"price": -1}, "invalid_record.price", "price is negative: -1.0"),
    ({"price": True}, "invalid_record.price", "price is not a number: True"),
    ({"quantity": "lots"}, "invalid_record.quantity", "quantity is not a number: 'lots'"),
    ({"store_view_code": "klingon"}, "invalid_record.store_view", "unknown store view: 'klingon'"),
    ({"product_id": "7"}, "invalid_record.product_id", "product_id is not an integer: '7'"),
    ({"error": "malformed Magento product: bad", "error_code": "source.malformed_product"},
     "source.malformed_product", "malformed Magento product: bad"),
])
def test_malformed_products_are_refused_with_a_code_and_a_reason(overrides, code, reason):
    with pytest.raises(InvalidRecordError) as error:
        build_row(product(1, **overrides), VIEWS_BY_CODE)
    assert (error.value.code, str(error.value)) == (code, reason)


def test_numeric_strings_are_accepted_as_numbers():
    assert build_row(product(1, price=" 12.50 "), VIEWS_BY_CODE).price == 12.5


def test_a_malformed_record_still_has_an_identity():
    assert row_key_of(product(7, sku="")) == RowKey("#7", "default")
    assert row_key_of({"sku": "A"}) == RowKey("A", "?")


def test_deletion_is_a_minimal_payload_with_its_own_hash():
    row = build_row(product(1), VIEWS_BY_CODE)
    deletion = deletion_of(row, VIEWS_BY_CODE["default"])
    assert json.loads(deletion.document) == {"sku": "SKU-0001", "productId": 1, "storeViewCode": "default",
                                             "storeCode": "main_store", "websiteCode": "base", "deleted": True}
    assert deletion.deleted and deletion.hash != row.hash
    assert (deletion.name, deletion.key) == (row.name, row.key)  # the dashboard still shows what left


def test_a_new_version_is_a_new_item_a_changed_one_or_one_back_after_its_deletion():
    row = build_row(product(1), VIEWS_BY_CODE)
    assert is_new_version(row, None)
    assert not is_new_version(row, StoredState(row.hash, batch="run/00001"))
    assert is_new_version(row, StoredState("other"))
    assert is_new_version(row, StoredState(row.hash, deleted=True))


def test_the_document_is_canonical_json_with_unicode_kept():
    row = build_row(product(1, name="Café «crème»", attributes={"b": ["2"], "a": ["1"]}), VIEWS_BY_CODE)
    standard = json.dumps(json.loads(row.document), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert row.document == standard
    assert "Café «crème»" in row.document


def test_a_non_numeric_weight_is_refused():
    with pytest.raises(InvalidRecordError, match="weight is not a number"):
        build_row(product(1, weight="heavy"), VIEWS_BY_CODE)
