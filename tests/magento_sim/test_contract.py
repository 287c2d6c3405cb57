"""The contract with Magento's official schema, both ways: requests the simulator accepts, responses it sends."""
from __future__ import annotations

import hashlib
import json

import pytest

from local_stack.magento import MagentoSimulator, contract, routes
from local_stack.magento.errors import MagentoError, ResponseContractError

from .conftest import Http, criteria, sku_path


def test_packaged_schema_is_the_official_subset():
    # The SHA-256 of ../shared/reference/magento-rest-2.4.8-feeds-subset.json, the official subset we were given.
    digest = hashlib.sha256(contract.SCHEMA_FILE.read_bytes()).hexdigest()
    assert digest == "20a3fae0d468bdeda71a0cf1a32cb37e11357b8e03a772dbc8813e1ccfe617ca"


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


def test_the_feeds_subset_is_served_whole_with_the_extra_operation():
    document = contract.default_contract().document
    subset = json.loads(contract.SCHEMA_FILE.read_text())

    assert len(subset["paths"]) == 40 and len(document["paths"]) == 41
    assert len(contract.default_contract().operations) == 41
    assert contract.SCHEMA_FILE.name == "magento-rest-2.4.8-feeds-subset.json"
    assert set(document["paths"]) - set(subset["paths"]) == {"/V1/inventory/are-product-salable-for-requested-qty/"}


def test_the_extra_schema_says_where_it_comes_from_and_redefines_nothing():
    extra = json.loads(contract.EXTRA_SCHEMA_FILE.read_text())
    subset = json.loads(contract.SCHEMA_FILE.read_text())

    assert "InventorySalesApi/etc/webapi.xml" in extra["source"]
    assert not extra["paths"].keys() & subset["paths"].keys()
    assert not extra["definitions"].keys() & subset["definitions"].keys()
    assert all(operation in routes.ROUTES for methods in extra["paths"].values()
               for operation in (spec["operationId"] for spec in methods.values()))


def _new_endpoints(sim):
    """(method, path, body) of each operation the feeds subset added, on products that have something to show."""
    bundle, grouped = sim.skus("bundle")[0], sim.skus("grouped")[0]
    downloadable, simple = sim.skus("downloadable")[0], sim.skus("simple")[0]
    skus = {"skus": sim.skus()}
    return [("GET", f"/rest/V1/bundle-products/{sku_path(bundle)}/children", None),
            ("GET", f"/rest/V1/bundle-products/{sku_path(bundle)}/options/all", None),
            ("GET", "/rest/V1/categories/5/products", None),
            ("GET", "/rest/V1/customerGroups/search", criteria()),
            ("GET", "/rest/V1/products/attributes/eco_collection", None),
            ("GET", "/rest/V1/products/links/types", None),
            ("GET", f"/rest/V1/products/{sku_path(downloadable)}/downloadable-links", None),
            ("GET", f"/rest/V1/products/{sku_path(grouped)}/links/associated", None),
            ("GET", f"/rest/V1/products/{sku_path(simple)}/media", None),
            ("POST", "/rest/V1/products/base-prices-information", skus),
            ("POST", "/rest/V1/products/special-price-information", skus),
            ("POST", "/rest/V1/products/tier-prices-information", skus)]


def test_every_new_endpoint_answers_within_the_schema(http, sim):
    for method, path, extra in _new_endpoints(sim):
        params = extra if method == "GET" and extra else []
        body = extra if method == "POST" else None
        answer = http.request(method, path, params, body=body)
        assert answer.status == 200, (path, answer.text)
        assert answer.json, f"{path} answers something to check"
    # the sim fixture fails the test if any of these answers broke the schema (strict mode)


def test_every_new_endpoint_refuses_an_undeclared_parameter(http, sim):
    for method, path, extra in _new_endpoints(sim):
        params = [*(extra if method == "GET" and extra else []), ("storeCode", "default")]
        answer = http.request(method, path, params, body=extra if method == "POST" else None)
        assert answer.status == 400 and answer.json["parameters"][0] == "storeCode", path


def test_new_responses_off_the_schema_are_caught(sim):
    sku = sim.skus("simple")[0]
    special = {"price": 1.5, "store_id": 0, "sku": sku, "price_from": None, "price_to": None}
    link = sim.product(sim.skus("bundle")[0], "all")["extension_attributes"]["bundle_product_options"][0][
        "product_links"][0]

    contract.validate_response("POST", "/rest/V1/products/special-price-information", [special])
    contract.validate_response("GET", "/rest/V1/bundle-products/x/children", [{**link, "price_type": None}])
    with pytest.raises(ResponseContractError):
        contract.validate_response("POST", "/rest/V1/products/special-price-information", [{**special, "price": None}])
    with pytest.raises(ResponseContractError):
        contract.validate_response("POST", "/rest/V1/products/tier-prices-information", [{"sku": sku, "price": 1}])
    with pytest.raises(ResponseContractError):
        contract.validate_response("GET", "/rest/V1/customerGroups/search", {"items": [{"id": 1}]})
    with pytest.raises(ResponseContractError):
        contract.validate_response("GET", "/rest/V1/bundle-products/x/children", [{**link, "is_default": None}])
