"""The contract with Magento's official schema, both ways: requests the simulator accepts, responses it sends."""
from __future__ import annotations

import hashlib

import pytest

from local_stack.magento import MagentoSimulator, contract, routes
from local_stack.magento.errors import MagentoError, ResponseContractError

from .conftest import Http, criteria


def test_packaged_schema_is_the_official_subset():
    # The SHA-256 of ../shared/reference/magento-rest-2.4.8-catalog-subset.json, the official subset we were given.
    digest = hashlib.sha256(contract.SCHEMA_FILE.read_bytes()).hexdigest()
    assert digest == "029b45b333dbc923e415bb4f1b9f22cf3820e7029b6cedd1a47eae13161777fe"


def test_strict_mode_rejects_a_parameter_the_schema_does_not_declare(http):
    answer = http.get("/rest/V1/products", [*criteria(), ("searchCriteria[filter][0][field]", "sku")])

    assert answer.status == 400
    assert answer.json["message"] == 'Parameter "%1" is not declared by the Magento REST schema for %2 %3.'
    assert answer.json["parameters"] == ["searchCriteria[filter][0][field]", "GET", "/V1/products"]


def test_lenient_mode_ignores_undeclared_parameters_as_magento_does():
    with MagentoSimulator(10, strict=False) as sim:
        answer = Http(sim).get("/rest/V1/products", [*criteria(), ("unknown", "1")])

    assert answer.status == 200


def test_parameter_types_are_checked(http):
    answer = http.get("/rest/V1/products", [*criteria(), ("searchCriteria[pageSize]", "ten")])

    assert answer.status == 400
    assert answer.json["parameters"]["field_name"] == "searchCriteria[pageSize]"
    assert "int" in answer.json["parameters"]["details"]


def test_a_filter_needs_a_value(http):
    answer = http.get("/rest/V1/products", [("searchCriteria[filterGroups][0][filters][0][field]", "sku")])

    assert answer.status == 400
    assert answer.json["parameters"] == {"fieldName": "searchCriteria[filter_groups][0][filters][0][value]"}


def test_a_sort_order_needs_a_direction(http):
    answer = http.get("/rest/V1/products", [("searchCriteria[sortOrders][0][field]", "entity_id")])

    assert answer.status == 400


def test_snake_case_spelling_is_accepted_as_magento_converts_it(http):
    result = http.ok("/rest/V1/products", [("searchCriteria[filter_groups][0][filters][0][field]", "entity_id"),
                                           ("searchCriteria[filter_groups][0][filters][0][value]", "3"),
                                           ("searchCriteria[filter_groups][0][filters][0][condition_type]", "lteq")])

    assert result["total_count"] == 3


def test_wrong_method_matches_no_route(http):
    answer = http.request("POST", "/rest/V1/products", body={})

    assert answer.status == 404


def test_path_parameter_types_are_checked(http):
    assert http.get("/rest/all/V1/inventory/stocks/first").status == 400


def test_request_validation_function():
    request = contract.validate_request("GET", "/rest/german/V1/products", criteria(page_size=5))

    assert request.store_code == "german" and request.operation.operation_id == "GetV1Products"
    assert request.search_criteria == {"filter_groups": [], "page_size": 5}
    with pytest.raises(MagentoError) as error:
        contract.validate_request("GET", "/rest/V1/products", [("pageSize", "5")])
    assert error.value.status == 400


def test_routes_prefer_literal_paths_like_magento():
    request = contract.validate_request("GET", "/rest/V1/products/attributes", [("searchCriteria", "")])

    assert request.operation.template == "/V1/products/attributes"


def test_every_schema_operation_has_a_handler():
    operations = {op.operation_id for op in contract.default_contract().operations}

    assert operations == set(routes.ROUTES)


def test_response_validation_catches_a_broken_product(sim):
    good = sim.product(sim.skus("simple")[0])

    contract.validate_response("GET", "/rest/V1/products/x", good)
    with pytest.raises(ResponseContractError, match="sku"):
        contract.validate_response("GET", "/rest/V1/products/x", {k: v for k, v in good.items() if k != "sku"})
    with pytest.raises(ResponseContractError, match="price"):
        contract.validate_response("GET", "/rest/V1/products/x", {**good, "price": "12,50"})


def test_only_the_known_nullable_fields_may_be_null(sim):
    good = sim.product(sim.skus("simple")[0])
    stock_item = {**good["extension_attributes"]["stock_item"], "low_stock_date": None}

    contract.validate_response("GET", "/rest/V1/stockItems/x", stock_item)
    with pytest.raises(ResponseContractError):
        contract.validate_response("GET", "/rest/V1/stockItems/x", {**stock_item, "qty": None})


def test_a_response_off_the_schema_is_a_500(http, sim, monkeypatch):
    broken = routes.Route("Magento_Backend::store", lambda call: [{"id": "one"}])
    monkeypatch.setitem(routes.ROUTES, "GetV1StoreWebsites", broken)

    answer = http.get("/rest/V1/store/websites")

    assert answer.status == 500 and "GetV1StoreWebsites" not in answer.text and "/V1/store/websites" in answer.text
    assert len(sim.failures) == 1
    sim.failures.clear()


def test_a_handler_bug_is_magentos_500_and_noted(http, sim, monkeypatch):
    def broken(call):
        raise RuntimeError("boom")
    monkeypatch.setitem(routes.ROUTES, "GetV1StoreWebsites", routes.Route("Magento_Backend::store", broken))

    answer = http.get("/rest/V1/store/websites")

    assert answer.status == 500 and answer.json["message"].startswith("Internal Error.")
    assert sim.failures == ["GET /rest/V1/store/websites: RuntimeError: boom"]
    sim.failures.clear()
