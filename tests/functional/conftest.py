"""Functional tests' sign-in and contract: the test user pool configured for the app, and every answer of the
API checked against the OpenAPI document."""
from __future__ import annotations

import pytest
from chalice.test import TestHTTPClient

from chalicelib.api.openapi import document
from tests.openapi_check import OpenApiCheck
from tests.signin import DASHBOARD_CLIENT, MACHINE_CLIENT, POOL_ID, UserPool, shared_pool

CONTRACT = OpenApiCheck(document())


@pytest.fixture
def user_pool(monkeypatch) -> UserPool:
    """Sign-in configured for the app: the pool, its two app clients and where its keys are."""
    pool = shared_pool()
    monkeypatch.setenv("COGNITO_USER_POOL_ID", POOL_ID)
    monkeypatch.setenv("COGNITO_CLIENT_IDS", f"{DASHBOARD_CLIENT},{MACHINE_CLIENT}")
    monkeypatch.setenv("COGNITO_JWKS_URL", pool.jwks_url)
    return pool


@pytest.fixture(autouse=True)
def _answers_match_the_openapi_document(monkeypatch):
    """Every answer of a documented route, in every functional test, is held to the document."""
    request = TestHTTPClient.request

    def checked(self, method, path, headers=None, body=b""):
        response = request(self, method, path, headers=headers, body=body)
        if method.upper() != "OPTIONS" and path.startswith("/api/"):
            CONTRACT.check(method, path, response.status_code, response.headers, response.body)
        return response

    monkeypatch.setattr(TestHTTPClient, "request", checked)


@pytest.fixture
def stub_products(monkeypatch):
    """Until chalicelib/services/products.py lands: a stand-in with its agreed interface, recording the calls."""
    import importlib.util
    import sys
    import types

    if importlib.util.find_spec("chalicelib.services.products") is not None:
        return None
    import chalicelib.services

    module = types.ModuleType("chalicelib.services.products")
    module.calls = []

    class InvalidQueryError(ValueError):
        pass

    def search_products(ctx, **params):
        module.calls.append(params)
        if params.get("sort") not in (None, "last_exported", "last_modified", "name", "sku"):
            raise InvalidQueryError(f"sort must be one of last_exported, last_modified, name, sku; got {params['sort']!r}")
        return {"items": [], "next_cursor": None, "total": 0}

    def product_detail(ctx, product_id):
        module.calls.append(product_id)
        return None

    module.InvalidQueryError, module.search_products, module.product_detail = (InvalidQueryError, search_products,
                                                                               product_detail)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(chalicelib.services, "products", module, raising=False)
    return module
