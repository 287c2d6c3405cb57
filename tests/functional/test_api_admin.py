"""Settings, the OpenAPI document, the products routes' parameters and CORS, through the Chalice test client."""
import json

import pytest

from app import app
from chalicelib import container
from chalicelib.api.openapi import document
from tests.functional.conftest import DASHBOARD_ORIGIN as ORIGIN


def body(response):
    return json.loads(response.body)


def test_the_settings_show_the_configuration_but_never_a_credential(client, user_pool, monkeypatch):
    monkeypatch.setenv("SOURCE", "magento")
    monkeypatch.setenv("MAGENTO_BASE_URL", "https://shop.example.com")
    monkeypatch.setenv("MAGENTO_TOKEN", "magento-secret-token")
    monkeypatch.setenv("DESTINATION", "http")
    monkeypatch.setenv("DESTINATION_URL", "https://ingest.example.com/v1/feeds/products")
    monkeypatch.setenv("DESTINATION_API_KEY_SECRET", "catalog-sync/destination")
    monkeypatch.setenv("EVENTS_SECRET", "events-secret-value")
    monkeypatch.setenv("COOLDOWN_SECONDS", "600")
    container.reset()
    container.context()  # built from this environment, before the `local` stage's variables apply to the call
    response = client.http.get("/api/settings", headers=user_pool.admin())
    assert response.status_code == 200
    settings = body(response)
    assert settings["source"] == {"kind": "magento", "endpoint_host": "shop.example.com", "auth": "token",
                                  "store_views": [], "page_size": 200, "concurrency": 8, "credentials_configured": True,
                                  "credentials_from": "environment"}
    assert settings["destination"] == {"kind": "http", "endpoint_host": "ingest.example.com", "bucket": None,
                                       "credentials_configured": True, "credentials_from": "secret"}
    assert (settings["cooldown_seconds"], settings["schedule"]["every_hours"], settings["batch"]["max_rows"]) == (
        600, 1, 25)  # batches of 25: the test client's environment
    assert settings["change_events"]["enabled"] is True
    assert settings["sign_in"]["cors_origin"] == ORIGIN
    text = response.body.decode()
    for secret in ("magento-secret-token", "events-secret-value", "catalog-sync/destination"):
        assert secret not in text


def test_the_openapi_document_is_served_to_any_signed_in_role(client, user_pool):
    for headers in (user_pool.admin(), user_pool.operator()):
        response = client.http.get("/api/openapi.json", headers=headers)
        assert response.status_code == 200 and body(response) == document()
    assert body(response)["openapi"] == "3.1.0"


def test_every_route_of_the_app_is_documented_and_nothing_else():
    routes = {(path, method) for path, methods in app.routes.items() for method in methods if method != "OPTIONS"}
    documented = {(path, method.upper()) for path, item in document()["paths"].items() for method in item}
    assert routes == documented


@pytest.mark.parametrize("path, message", [
    ("/api/products?limit=many", "limit must be a whole number; got 'many'"),
    ("/api/products?colour=red", "unknown query parameter colour; valid parameters: q, status, store_view, type, "
                                 "visibility, sort, order, cursor, limit"),
    ("/api/products/abc", "the product id must be a positive whole number (Magento's entity_id); got 'abc'"),
    ("/api/products/0", "the product id must be a positive whole number (Magento's entity_id); got '0'"),
])
def test_bad_product_requests_are_a_400_with_the_reason(client, user_pool, path, message):
    response = client.http.get(path, headers=user_pool.admin())
    assert (response.status_code, body(response)["Message"]) == (400, message)


def test_the_services_own_refusals_are_a_400(client, user_pool):
    response = client.http.get("/api/products?sort=colour", headers=user_pool.admin())
    assert response.status_code == 400 and "sort" in body(response)["Message"]


def test_cors_answers_the_dashboards_origin_only(client, user_pool):
    allowed = client.http.get("/api/sync/status", headers={**user_pool.admin(), "Origin": ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN and allowed.headers["Vary"] == "Origin"
    other = client.http.get("/api/sync/status", headers={**user_pool.admin(), "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.http.request("OPTIONS", "/api/sync", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    refused = client.http.request("OPTIONS", "/api/sync", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 204 and "Access-Control-Allow-Methods" not in refused.headers
    denied = client.http.get("/api/sync/status", headers={"Origin": ORIGIN})
    assert denied.status_code == 401 and denied.headers["Access-Control-Allow-Origin"] == ORIGIN  # readable by it
