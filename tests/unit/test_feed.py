import json

import pytest

from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feed import EXPORTED, FAILED, RowKey, StoredState, carry_export_state, is_exported, needs_write
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


@pytest.mark.parametrize("overrides, reason", [
    ({"sku": ""}, "missing sku"),
    ({"sku": None}, "missing sku"),
    ({"price": "abc"}, "price is not a number: 'abc'"),
    ({"price": float("nan")}, "price is not a finite number: nan"),
    ({"price": -1}, "price is negative: -1.0"),
    ({"price": True}, "price is not a number: True"),
    ({"quantity": "lots"}, "quantity is not a number: 'lots'"),
    ({"store_view_code": "klingon"}, "unknown store view: 'klingon'"),
    ({"product_id": "7"}, "product_id is not an integer: '7'"),
])
def test_malformed_products_are_refused_with_a_reason(overrides, reason):
    with pytest.raises(InvalidRecordError) as error:
        build_row(product(1, **overrides), VIEWS_BY_CODE)
    assert str(error.value) == reason


def test_numeric_strings_are_accepted_as_numbers():
    assert build_row(product(1, price=" 12.50 "), VIEWS_BY_CODE).price == 12.5


def test_a_malformed_record_still_has_an_identity():
    assert row_key_of(product(7, sku="")) == RowKey("#7", "default")
    assert row_key_of({"sku": "A"}) == RowKey("A", "?")


def test_deletion_is_a_minimal_payload_with_its_own_hash():
    row = build_row(product(1), VIEWS_BY_CODE)
    row.last_exported_hash = row.hash
    deletion = deletion_of(row, VIEWS_BY_CODE["default"])
    assert json.loads(deletion.document) == {"sku": "SKU-0001", "productId": 1, "storeViewCode": "default",
                                             "storeCode": "main_store", "websiteCode": "base", "deleted": True}
    assert deletion.deleted and deletion.hash != row.hash
    assert deletion.last_exported_hash == row.hash


def test_change_detection():
    row = build_row(product(1), VIEWS_BY_CODE)
    exported = StoredState(row.hash, row.hash, EXPORTED, False, "2026-01-01T00:00:00.000Z")
    assert needs_write(row, None)
    assert not needs_write(row, exported)
    assert needs_write(row, StoredState("other", "other", EXPORTED, False))
    assert needs_write(row, StoredState(row.hash, row.hash, FAILED, False))
    assert is_exported(row.hash, exported) and not is_exported(row.hash, None)
    carried = carry_export_state(row, exported)
    assert (carried.last_exported_hash, carried.last_exported_at) == (row.hash, "2026-01-01T00:00:00.000Z")


def test_the_document_is_canonical_json_with_unicode_kept():
    row = build_row(product(1, name="Café «crème»", attributes={"b": ["2"], "a": ["1"]}), VIEWS_BY_CODE)
    standard = json.dumps(json.loads(row.document), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert row.document == standard
    assert "Café «crème»" in row.document


def test_a_non_numeric_weight_is_refused():
    with pytest.raises(InvalidRecordError, match="weight is not a number"):
        build_row(product(1, weight="heavy"), VIEWS_BY_CODE)
