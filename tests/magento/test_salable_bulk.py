"""The salable quantities asked in bulk first (are-product-salable-for-requested-qty), one request each only where
the bulk answer does not settle them: against the simulated Magento over real HTTP, and the choice of what to ask."""
from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

from chalicelib.adapters.magento import salable_quantity
from chalicelib.adapters.magento.mapping import Stock
from chalicelib.adapters.magento.salable_quantity import (
    FAILED_CALLS_BEFORE_GIVING_UP,
    QUERY_BUDGET,
    SKU_REQUESTS_PER_CALL,
    requested_quantity,
)
from local_stack.magento import routes
from local_stack.magento.errors import INTERNAL, MagentoError
from local_stack.magento.simulator import MagentoSimulator
from tests.magento.test_source import source_for
from tests.magento.test_stock_status_read import BULK_TEMPLATE, asked, bulk_asked, salable_simple

ROUTE = "GetV1InventoryAreproductsalableforrequestedqty"


@pytest.fixture
def own_sim():
    with MagentoSimulator(products=80, integration_as_bearer=True) as sim:
        sim.start()
        yield sim
        assert not sim.failures, "the simulator found a request or an answer off Magento's schema"


def stock_records(sim: MagentoSimulator) -> dict[tuple[int, str], float | None]:
    return {(r["stock_id"], r["sku"]): r["salable_quantity"]
            for r in source_for(sim).read("inventoryStockStatus", None)}


def magentos(sim: MagentoSimulator, stock_id: int, sku: str) -> float:
    """What GET /V1/inventory/get-product-salable-quantity/{sku}/{stockId} answers, over HTTP."""
    client = source_for(sim).client
    return float(client.get("all", f"/V1/inventory/get-product-salable-quantity/{quote(sku, safe='')}/{stock_id}"))


def item(**settings: object) -> dict:
    stock_item = {"manage_stock": True, "backorders": 0, "min_qty": 0, "is_qty_decimal": False, **settings}
    return {"sku": "A", "extension_attributes": {"stock_item": stock_item}}


def test_only_a_decisive_answer_is_asked_for():
    level = Stock(12.0, None, True)
    assert requested_quantity(item(), level) == 12.0
    assert requested_quantity(item(min_qty=2), level) == 10.0, "less the out-of-stock threshold"
    assert requested_quantity(item(manage_stock=False), level) is None, "always salable: says nothing"
    assert requested_quantity(item(backorders=1), level) is None, "salable beyond its quantity"
    assert requested_quantity(item(is_qty_decimal=True), level) is None
    assert requested_quantity(item(min_qty=12), level) is None, "nothing to ask a yes for"
    assert requested_quantity(item(), Stock(2.5, None, True)) is None, "not a whole quantity"
    assert requested_quantity({"sku": "A"}, level) is None, "no stock item: settings unknown"
    assert requested_quantity(item(backorders=None), level) is None


def test_a_call_asks_at_most_100_skus_within_the_query_budget():
    wanted = {f"SKU-{i:06d}-{'X' * (i % 40)}": float(i + 1) for i in range(450)}
    calls = list(salable_quantity._calls(wanted, 2))
    skus = [value for call in calls for name, value in call if name.endswith("[sku]")]
    assert skus == list(wanted), "every SKU once, in order"
    for call in calls:
        assert call[-1] == ("stockId", "2")
        assert len(call) // 2 <= SKU_REQUESTS_PER_CALL and len(urlencode(call)) <= QUERY_BUDGET + 20
        assert [name for name, _ in call[:4]] == ["skuRequests[0][sku]", "skuRequests[0][qty]",
                                                   "skuRequests[1][sku]", "skuRequests[1][qty]"]
    assert list(salable_quantity._calls({"A": 1234567.0, "B": 3.0}, 1)) == [[
        ("skuRequests[0][sku]", "A"), ("skuRequests[0][qty]", "1234567"), ("skuRequests[1][sku]", "B"),
        ("skuRequests[1][qty]", "3"), ("stockId", "1")]], "whole quantities, never rounded"


def test_a_product_with_reservations_still_gets_its_own_read_one_without_does_not(own_sim):
    records = stock_records(own_sim)
    reserved = unreserved = 0
    for stock_id in (1, 2):
        for sku in bulk_asked(own_sim, stock_id):
            row = own_sim.catalog.row_of_sku(sku)
            has_reservations = own_sim.catalog.reservation(row, stock_id) > 0
            reserved += has_reservations
            unreserved += not has_reservations
            assert asked(own_sim, stock_id)[sku] == (1 if has_reservations else 0), (stock_id, sku)
            assert records[stock_id, sku] == own_sim.stock(sku, stock_id)["salable_quantity"]
    assert reserved and unreserved


def test_the_feeds_salable_quantities_are_magentos_for_every_product_and_stock():
    """The property that matters, over a whole catalog whose stock settings vary."""
    with MagentoSimulator(products=300, integration_as_bearer=True) as sim:
        sim.start()
        simple = salable_simple(sim, 1) + salable_simple(sim, 2)
        settings = [{"min_qty": 3}, {"backorders": 1}, {"is_qty_decimal": True}, {"max_sale_qty": 5},
                    {"min_sale_qty": 1000}, {"enable_qty_increments": True, "qty_increments": 7},
                    {"min_qty": 2, "backorders": 2}, {"min_qty": 1000}]
        for i, sku in enumerate(dict.fromkeys(simple[::5])):
            sim.set_stock_settings(sku, **settings[i % len(settings)])
        sim.set_quantity(simple[1], 0)  # out of stock at its default source
        records = stock_records(sim)
        checked = 0
        for (stock_id, sku), salable in records.items():
            if salable is None or sim.stock(sku, stock_id)["quantity"] is None:
                continue
            assert salable == magentos(sim, stock_id, sku), (stock_id, sku)
            checked += 1
        assert checked > 200 and bulk_asked(sim) and asked(sim)
        assert not sim.failures


@pytest.mark.parametrize("breakage", ["missing", "html", "not a list", "500 every time"])
def test_a_store_without_a_usable_bulk_route_is_read_one_product_at_a_time(own_sim, monkeypatch, breakage):
    expected = stock_records(own_sim)
    warnings: list[str] = []
    monkeypatch.setattr(salable_quantity.logger, "warning", lambda message, **kwargs: warnings.append(message))
    if breakage == "missing":
        own_sim.missing_endpoints = {BULK_TEMPLATE}
    elif breakage == "html":
        own_sim.faults.path_contains = "are-product-salable-for-requested-qty"
        own_sim.faults.html(1000, status=200)
    elif breakage == "not a list":
        own_sim.check_responses = False
        monkeypatch.setitem(routes.ROUTES, ROUTE, routes.Route(routes.ROUTES[ROUTE].resource,
                                                               lambda call: {"items": []}))
    else:
        monkeypatch.setitem(routes.ROUTES, ROUTE, routes.Route(routes.ROUTES[ROUTE].resource, internal_error))
    own_sim.clear_requests()
    assert stock_records(own_sim) == expected
    assert len(warnings) == 1, "logged once"
    calls = {tuple(sorted(r.query.items())) for r in own_sim.requests if BULK_TEMPLATE in r.path}  # retries: once
    assert len(calls) <= FAILED_CALLS_BEFORE_GIVING_UP + 8, "asked no more once given up (8 calls in flight at most)"
    assert sum(asked(own_sim).values()) == sum(1 for value in expected.values() if value), \
        "every salable quantity one request each"


def internal_error(call: object) -> None:
    raise MagentoError(500, INTERNAL, ["webapi-0"])


def test_a_failed_call_has_its_products_read_one_at_a_time_and_the_others_still_go_in_bulk(own_sim, monkeypatch):
    # A product deleted after its page was read makes Magento answer 500 to the call that names it (and the
    # client's retries get the same): that call's products are asked one at a time, the other calls still in bulk.
    expected = stock_records(own_sim)
    warnings: list[str] = []
    monkeypatch.setattr(salable_quantity.logger, "warning", lambda message, **kwargs: warnings.append(message))
    gone = salable_simple(own_sim, 1)[0]
    bulk = routes.ROUTES[ROUTE]

    def deleted_mid_read(call: routes.Call) -> object:
        if gone in call.request.query.values():
            internal_error(call)
        return bulk.handler(call)

    monkeypatch.setitem(routes.ROUTES, ROUTE, routes.Route(bulk.resource, deleted_mid_read))
    own_sim.clear_requests()
    assert stock_records(own_sim) == expected
    assert warnings == []
    failed_call = next(set(r.query.values()) for r in own_sim.requests
                       if BULK_TEMPLATE in r.path and gone in r.query.values())
    one_at_a_time, in_bulk = asked(own_sim, 1), bulk_asked(own_sim, 1)
    assert gone in one_at_a_time and all(s in one_at_a_time for s in failed_call if s in in_bulk)
    assert any(s not in one_at_a_time for s in in_bulk), "the other calls' products were settled in bulk"
