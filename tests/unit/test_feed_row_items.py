"""A feed row's item as the store writes it is exactly what its PynamoDB model serializes (the batch write builds
the item directly, without a model)."""
import pytest

from chalicelib.adapters.dynamo_feed import DynamoFeedStore
from chalicelib.domain.errors import Failure
from chalicelib.domain.feeds.products import build_row, deletion_of
from tests.fakes import VIEWS, product

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


def rows():
    full = build_row(product(1, price=12.5, quantity=3, salable_quantity=0), VIEWS_BY_CODE)
    full.batch, full.run_id, full.exported_before = "run-1/00001", "run-1", "2026-11-22T10:00:00.000Z"
    invalid = build_row(product(2, "french", name="Crème brûlée ™"), VIEWS_BY_CODE)
    invalid.invalid = Failure("invalid_record.price", "price is not a number: 'abc'")
    gone = deletion_of(build_row(product(3), VIEWS_BY_CODE), VIEWS_BY_CODE["default"])
    extra = build_row(product(4), VIEWS_BY_CODE)
    extra.extra = {"tier_prices": [{"qty": 2, "value": 9.5}], "currency": "EUR"}
    return [full, invalid, gone, extra]


@pytest.mark.parametrize("row", rows(), ids=["full", "invalid", "deletion", "extra"])
def test_the_item_written_is_the_models_serialization(row):
    store = DynamoFeedStore("products")
    assert store.wire_item(row) == store._item(row).serialize()
