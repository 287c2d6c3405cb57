"""GET /V1/inventory/are-product-salable-for-requested-qty/: Magento's answer whether each SKU can be sold in a
quantity, its shape (checked against the extra schema on every answer: the sim fixture fails on a breach) and its
refusals."""
from __future__ import annotations

import pytest

from local_stack.magento import MagentoSimulator

from .conftest import Http

PATH = "/rest/V1/inventory/are-product-salable-for-requested-qty/"
NOT_ENOUGH = [{"code": "back_order-disabled", "message": "Backorders are disabled"},
              {"code": "manage_stock-enabled", "message": "Manage stock is enabled"},
              {"code": "is_salable_with_reservations-not_enough_qty", "message": "Not enough items for sale"}]


def ask(http: Http, stock_id: int | None, *requests: tuple[str, float | str], path: str = PATH) -> list:
    params = [pair for i, (sku, qty) in enumerate(requests)
              for pair in ((f"skuRequests[{i}][sku]", sku), (f"skuRequests[{i}][qty]", str(qty)))]
    answer = http.get(path, params + ([("stockId", str(stock_id))] if stock_id is not None else []))
    assert answer.status == 200, answer.text
    return answer.json


def refusal(http: Http, params: list[tuple[str, str]]) -> tuple[int, dict]:
    answer = http.get(PATH, params)
    return answer.status, answer.json


def in_stock(sim: MagentoSimulator, stock_id: int) -> list[str]:
    """Managed simple products with a salable quantity in the stock."""
    return [s for s in sim.skus("simple") if (st := sim.stock(s, stock_id))["manage_stock"]
            and st["salable_quantity"] > 0]


def test_salable_for_a_quantity_iff_quantity_less_reservations_and_threshold_covers_it(http, sim):
    checked = 0
    for stock_id in (1, 2):
        for sku in in_stock(sim, stock_id):
            left = sim.stock(sku, stock_id)["salable_quantity"]
            enough, more = ask(http, stock_id, (sku, left), (sku, left + 1))
            assert enough == {"sku": sku, "stock_id": stock_id, "salable": True, "errors": []}
            assert more == {"sku": sku, "stock_id": stock_id, "salable": False, "errors": NOT_ENOUGH}
            checked += 1
    assert checked > 20
    reserved = next(s for s in in_stock(sim, 1)
                    if sim.catalog.reservation(sim.catalog.row_of_sku(s), 1) > 0)
    quantity = sim.stock(reserved, 1)["quantity"]
    assert ask(http, 1, (reserved, quantity))[0]["salable"] is False, "reservations count"


def test_the_out_of_stock_threshold_counts(http, sim):
    sku = in_stock(sim, 1)[0]
    left = sim.stock(sku, 1)["salable_quantity"]
    sim.set_stock_settings(sku, min_qty=4)
    assert [a["salable"] for a in ask(http, 1, (sku, left - 4), (sku, left - 3))] == [True, False]
    assert sim.product(sku, "all")["extension_attributes"]["stock_item"]["min_qty"] == 4


def test_stock_not_managed_or_backorders_are_salable_beyond_the_quantity(http, sim):
    unmanaged = next(s for s in sim.skus("virtual") if not sim.stock(s, 1)["manage_stock"]
                     and sim.stock(s, 1)["quantity"] is not None)
    backordered = in_stock(sim, 1)[1]
    sim.set_stock_settings(backordered, backorders=1)
    answers = ask(http, 1, (unmanaged, 9000), (backordered, sim.stock(backordered, 1)["quantity"] + 500))
    assert [(a["salable"], a["errors"]) for a in answers] == [(True, []), (True, [])]


def test_the_quantity_must_be_one_the_cart_allows(http, sim):
    sku = in_stock(sim, 1)[2]
    assert ask(http, 1, (sku, 10001))[0]["errors"] == [
        {"code": "is_correct_qty-max_sale_qty",
         "message": "The requested qty exceeds the maximum qty allowed in shopping cart"}]
    assert ask(http, 1, (sku, 0))[0]["errors"] == [
        {"code": "is_correct_qty-min_sale_qty", "message": "The fewest you may purchase is 1."}]
    assert ask(http, 1, (sku, 1.5))[0]["errors"][0]["code"] == "is_correct_qty-is_qty_decimal"
    sim.set_stock_settings(sku, max_sale_qty=2, enable_qty_increments=True, qty_increments=3)
    assert ask(http, 1, (sku, 3))[0]["errors"][0]["code"] == "is_correct_qty-max_sale_qty"
    sim.set_stock_settings(sku, max_sale_qty=10000)
    assert [a["salable"] for a in ask(http, 1, (sku, 3), (sku, 4))] == [True, False]
    assert ask(http, 1, (sku, 4))[0]["errors"] == [
        {"code": "is_correct_qty-qty_increment",
         "message": "You can buy this product only in quantities of 3 at a time."}]


def test_a_product_without_stock_in_the_stock(http, sim):
    catalog = sim.catalog
    not_in_eu = next(s for s in sim.skus("simple")
                     if not any(catalog.qty[c][catalog.row_of_sku(s)] >= 0 for c in ("eu_warehouse", "eu_pickup")))
    assert ask(http, 2, (not_in_eu, 1))[0]["errors"] == [
        {"code": "requested-sku-is-not-assigned-to-given-stock",
         "message": "The requested sku is not assigned to given stock."}]
    sold_out = in_stock(sim, 1)[3]
    for source in ("default", "us_west"):
        sim.set_quantity(sold_out, 0, source=source)
    assert ask(http, 1, (sold_out, 1))[0]["errors"] == [
        {"code": "is_any_source_item_in_stock-no_source_items_in_stock",
         "message": "There are no source items with the in stock status"}]


def test_answers_come_in_the_order_asked_and_the_path_may_drop_its_trailing_slash(http, sim):
    skus = in_stock(sim, 1)[:4]
    answers = ask(http, 1, *((s, 1) for s in reversed(skus)), path=PATH.rstrip("/"))
    assert [a["sku"] for a in answers] == list(reversed(skus))


def test_bad_requests_are_refused_as_magento_refuses_them(http, sim):
    sku = in_stock(sim, 1)[0]
    composite = sim.skus("configurable")[0]
    required = '"%fieldName" is required. Enter and try again.'
    assert refusal(http, [("skuRequests[0][sku]", sku), ("skuRequests[0][qty]", "1")]) == (
        400, {"message": required, "parameters": {"fieldName": "stockId"}})
    assert refusal(http, [("stockId", "1")]) == (400, {"message": required, "parameters": {"fieldName": "skuRequests"}})
    assert refusal(http, [("stockId", "1"), ("skuRequests[0][sku]", sku)]) == (
        400, {"message": required, "parameters": {"fieldName": "skuRequests[0][qty]"}})
    status, body = refusal(http, [("stockId", "1"), ("skuRequests[0][sku]", sku), ("skuRequests[0][qty]", "x")])
    assert status == 400 and body["parameters"]["field_name"] == "skuRequests[0][qty]"
    status, body = refusal(http, [("stockId", "one"), ("skuRequests[0][sku]", sku), ("skuRequests[0][qty]", "1")])
    assert status == 400 and body["parameters"]["field_name"] == "stockId"
    assert refusal(http, [("stockId", "1"), ("skuRequests[0][sku]", sku), ("skuRequests[0][qty]", "1"),
                          ("skuRequests[1][sku]", composite), ("skuRequests[1][qty]", "1")]) == (
        400, {"message": "Can't check requested quantity for products without Source Items support."})
    status, body = refusal(http, [("stockId", "1"), ("skuRequests[0][sku]", sku), ("skuRequests[0][qty]", "1"),
                                  ("skus[0]", sku)])
    assert status == 400 and body["parameters"][0] == "skus[0]", "strict: an undeclared parameter"


def test_an_unknown_sku_fails_the_request_as_magento_does(http, sim):
    status, body = refusal(http, [("stockId", "1"), ("skuRequests[0][sku]", "NO-SUCH-SKU"),
                                  ("skuRequests[0][qty]", "1")])
    assert status == 500 and body["message"].startswith("Internal Error.")
    sim.failures.clear()


@pytest.mark.parametrize("setting", [{"backorders": 3}, {"min_qty": -1}, {"max_sale_qty": "5"}, {"nope": 1}])
def test_stock_settings_edits_are_checked(sim, setting):
    with pytest.raises(ValueError):
        sim.set_stock_settings(sim.skus("simple")[0], **setting)


def test_a_store_without_the_route_answers_404(http, sim):
    sim.missing_endpoints = {"/V1/inventory/are-product-salable-for-requested-qty/"}
    answer = http.get(PATH, [("stockId", "1"), ("skuRequests[0][sku]", sim.skus("simple")[0]),
                             ("skuRequests[0][qty]", "1")])
    assert answer.status == 404 and answer.json["message"] == "Request does not match any route."
