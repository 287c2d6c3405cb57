"""The inventoryStockStatus feed's documents (Adobe's StockItemStatus), from hand-written source records."""
import json

import pytest

from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feed import FeedRow, RowKey
from chalicelib.domain.feeds.stock_status import FEED, build_row, key_of


def stock(**overrides):
    record = {"stock_id": 2, "stock_name": "EU Stock", "sku": "MJ01-M-Black", "product_id": 58, "type": "simple",
              "quantity": 12, "salable_quantity": 9, "is_salable": True, "manage_stock": True,
              "notify_stock_qty": 1, "updated_at": "2026-11-20T08:00:00.000Z"}
    record.update(overrides)
    return record


def test_the_document_is_adobes_stock_item_status():
    row = build_row(stock(), {})
    assert json.loads(row.document) == {"stockId": "2", "sku": "MJ01-M-Black", "productId": 58, "qty": 12.0,
                                        "qtyForSale": 9.0, "infiniteStock": False, "lowStock": False,
                                        "isSalable": True, "deleted": False}
    assert row.key == RowKey("MJ01-M-Black", "2") == key_of(stock())
    assert (row.name, row.quantity, row.salable_quantity) == ("EU Stock", 12.0, 9.0)
    assert FEED.identity_values(row.key) == ("2", "MJ01-M-Black")
    assert (FEED.name, FEED.record, FEED.identity, FEED.batch_size, FEED.incremental) == (
        "inventoryStockStatus", "StockItemStatus", ("stockId", "sku"), 100, False)


def test_low_stock_below_the_threshold_counts_what_can_still_be_sold():
    assert json.loads(build_row(stock(quantity=12, salable_quantity=2, notify_stock_qty=3), {}).document)["lowStock"]
    assert not json.loads(build_row(stock(quantity=12, salable_quantity=3, notify_stock_qty=3), {}).document)[
        "lowStock"]
    assert json.loads(build_row(stock(quantity=0, salable_quantity=0, is_salable=False), {}).document)["lowStock"]


def test_stock_management_off_is_infinite_stock_never_low():
    document = json.loads(build_row(stock(manage_stock=False, quantity=0, salable_quantity=None), {}).document)
    assert (document["infiniteStock"], document["lowStock"], document["qtyForSale"]) == (True, False, None)


def test_a_composite_has_no_quantity_of_its_own():
    document = json.loads(build_row(stock(type="configurable", quantity=None, salable_quantity=None), {}).document)
    assert (document["qty"], document["qtyForSale"], document["lowStock"], document["isSalable"]) == (
        None, None, False, True)


@pytest.mark.parametrize(("overrides", "code"), [
    ({"quantity": "lots"}, "invalid_record.quantity"),
    ({"salable_quantity": [3]}, "invalid_record.salable_quantity"),
    ({"is_salable": "yes"}, "invalid_record.is_salable"),
    ({"stock_id": None}, "invalid_record.stock_id"),
    ({"error": "malformed", "error_code": "source.malformed_stock"}, "source.malformed_stock"),
])
def test_a_malformed_stock_item_fails_with_its_reason(overrides, code):
    with pytest.raises(InvalidRecordError) as error:
        build_row(stock(**overrides), {})
    assert error.value.code == code


def test_a_product_gone_from_a_stock_is_adobes_minimal_deletion():
    row = build_row(stock(), {})
    deletion = FEED.deletion_row(FeedRow(row.id, row.scope, product_id=58, document=row.document), {})
    assert json.loads(deletion.document) == {"stockId": "2", "sku": "MJ01-M-Black", "productId": 58,
                                             "deleted": True}
