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
