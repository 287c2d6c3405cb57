"""Authentication: integration bearer tokens on/off, admin tokens and their expiry, OAuth 1.0a signatures."""
from __future__ import annotations

import time

import pytest
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_PLAINTEXT, Client

from local_stack.magento import MagentoSimulator

from .conftest import Http, criteria

UNAUTHORIZED = {"message": "The consumer isn't authorized to access %resources.",
                "parameters": {"resources": "Magento_Catalog::products"}}
PRODUCTS_PATH = "/rest/V1/products"


def signed(http: Http, path: str, params=(), method: str = SIGNATURE_HMAC_SHA256, **overrides) -> dict:
    integration = http.sim.integration
    keys = {"client_key": integration.consumer_key, "client_secret": integration.consumer_secret,
            "resource_owner_key": integration.access_token,
            "resource_owner_secret": integration.access_token_secret, **overrides}
    client = Client(keys.pop("client_key"), signature_method=method, **keys)
    _, headers, _ = client.sign(http.url(path, params), http_method="GET")
    return {"Authorization": headers["Authorization"]}


def test_no_credentials_is_401_naming_the_resource(http):
    answer = http.get(PRODUCTS_PATH, criteria(), token=None)

    assert answer.status == 401 and answer.json == UNAUTHORIZED


def test_resource_named_per_endpoint_family(http):
    stores = http.get("/rest/V1/store/storeViews", token=None)
    sources = http.get("/rest/all/V1/inventory/source-items", criteria(), token=None)

    assert stores.json["parameters"] == {"resources": "Magento_Backend::store"}
    salable = http.get("/rest/all/V1/inventory/get-product-salable-quantity/X/1", token=None)

    assert sources.json["parameters"] == {"resources": "Magento_InventoryApi::source"}
    assert salable.json["parameters"] == {"resources": "Magento_InventorySalesApi::stock"}


def test_integration_token_as_bearer_is_refused_by_default_on_2_4(http, sim):
    assert sim.integration_as_bearer is False

    answer = http.get(PRODUCTS_PATH, criteria(), token=sim.integration.access_token)

    assert answer.status == 401 and answer.json == UNAUTHORIZED


def test_integration_token_as_bearer_when_enabled(http, sim):
    sim.integration_as_bearer = True

    assert http.get(PRODUCTS_PATH, criteria(), token=sim.integration.access_token).status == 200


def test_2_3_accepts_integration_tokens_as_bearer():
    with MagentoSimulator(20, version="2.3") as sim:
        answer = Http(sim).get(PRODUCTS_PATH, criteria(), token=sim.integration.access_token)

    assert answer.status == 200


def test_admin_token_issued_over_rest(http, sim):
    answer = http.request("POST", "/rest/V1/integration/admin/token", body={"username": "admin",
                                                                           "password": "admin123"}, token=None)

    assert answer.status == 200
    assert http.get(PRODUCTS_PATH, criteria(), token=answer.json).status == 200


def test_admin_token_refused_for_a_wrong_password(http):
    answer = http.request("POST", "/rest/V1/integration/admin/token", body={"username": "admin", "password": "x"},
                          token=None)

    assert answer.status == 401
    assert answer.json["message"].startswith("The account sign-in was incorrect")


def test_admin_token_request_without_password_is_off_schema(http):
    answer = http.request("POST", "/rest/V1/integration/admin/token", body={"username": "admin"}, token=None)

    assert answer.status == 400 and answer.json["parameters"] == {"fieldName": "password"}


def test_admin_token_expires_after_its_lifetime(http, clock):
    assert http.get(PRODUCTS_PATH, criteria()).status == 200

    clock.advance(4 * 3600 - 1)
    assert http.get(PRODUCTS_PATH, criteria()).status == 200
    clock.advance(1)
    answer = http.get(PRODUCTS_PATH, criteria())

    assert answer.status == 401 and answer.json == UNAUTHORIZED


def test_admin_token_lifetime_is_configurable(clock):
    with MagentoSimulator(10, clock=clock, admin_token_lifetime=60) as sim:
        http = Http(sim)
        clock.advance(61)

        assert http.get(PRODUCTS_PATH, criteria()).status == 401


def test_a_forged_admin_token_is_refused(http):
    header, payload, _ = http.token.split(".")

    assert http.get(PRODUCTS_PATH, criteria(), token=f"{header}.{payload}.forged").status == 401


@pytest.mark.parametrize("method", [SIGNATURE_HMAC_SHA256, SIGNATURE_HMAC_SHA1])
def test_oauth1_signed_request_is_accepted(http, method):
    params = criteria([("sku", "TOP-%", "like")], page_size=5)

    answer = http.get(PRODUCTS_PATH, params, headers=signed(http, PRODUCTS_PATH, params, method), token=None)

    assert answer.status == 200 and answer.json["items"]


def test_oauth1_with_a_wrong_secret_is_refused(http):
    params = criteria()

    answer = http.get(PRODUCTS_PATH, params, headers=signed(http, PRODUCTS_PATH, params, client_secret="wrong"),
                      token=None)

    assert answer.status == 401 and answer.json == UNAUTHORIZED


def test_oauth1_signature_covers_the_query(http):
    headers = signed(http, PRODUCTS_PATH, criteria(page_size=5))

    assert http.get(PRODUCTS_PATH, criteria(page_size=6), headers=headers, token=None).status == 401


def test_oauth1_nonce_cannot_be_replayed(http):
    params = criteria()
    headers = signed(http, PRODUCTS_PATH, params)

    assert http.get(PRODUCTS_PATH, params, headers=headers, token=None).status == 200
    assert http.get(PRODUCTS_PATH, params, headers=headers, token=None).status == 401


def test_oauth1_stale_timestamp_is_refused(http):
    params = criteria()
    stale = str(int(time.time()) - 1200)

    answer = http.get(PRODUCTS_PATH, params, headers=signed(http, PRODUCTS_PATH, params, timestamp=stale), token=None)

    assert answer.status == 401


def test_oauth1_plaintext_is_not_accepted(http):
    params = criteria()

    answer = http.get(PRODUCTS_PATH, params, headers=signed(http, PRODUCTS_PATH, params, SIGNATURE_PLAINTEXT),
                      token=None)

    assert answer.status == 401


def test_oauth1_with_another_access_token_is_refused(http):
    params = criteria()
    headers = signed(http, PRODUCTS_PATH, params, resource_owner_key="x" * 32)

    assert http.get(PRODUCTS_PATH, params, headers=headers, token=None).status == 401


def test_integration_limited_to_some_resources():
    with MagentoSimulator(10, integration_resources={"Magento_Catalog::products"}) as sim:
        http = Http(sim)
        products = http.get(PRODUCTS_PATH, criteria(), headers=signed(http, PRODUCTS_PATH, criteria()), token=None)
        stores = http.get("/rest/V1/store/websites", headers=signed(http, "/rest/V1/store/websites"), token=None)

    assert products.status == 200
    assert stores.status == 401 and stores.json["parameters"] == {"resources": "Magento_Backend::store"}


def test_the_request_log_keeps_no_secret(http, sim):
    http.get(PRODUCTS_PATH, criteria())

    assert sim.requests[-1].headers["Authorization"] == "Bearer ***"
