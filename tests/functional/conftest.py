"""Functional tests' app, sign-in and contract: the Chalice test client on moto, the test user pool configured for
the app, and every answer of the API checked against the OpenAPI document."""
from __future__ import annotations

import pytest
from chalice.test import Client, TestHTTPClient

from app import app
from chalicelib import container
from chalicelib.api.openapi import document
from tests.moto_session import MotoResources
from tests.openapi_check import OpenApiCheck
from tests.signin import DASHBOARD_CLIENT, MACHINE_CLIENT, POOL_ID, UserPool, shared_pool

CONTRACT = OpenApiCheck(document())
DASHBOARD_ORIGIN = "https://sync.example.com"
EVENTS_SECRET = "events-test-secret"
SAMPLE_PRODUCTS = 40


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
        # Preflights, and the 405 of a method no route takes, are the framework's, not the document's.
        if method.upper() != "OPTIONS" and path.startswith("/api/") and response.status_code != 405:
            CONTRACT.check(method, path, response.status_code, response.headers, response.body)
        return response

    monkeypatch.setattr(TestHTTPClient, "request", checked)


@pytest.fixture
def client_env() -> dict[str, str]:
    """What a module adds to (or changes in) the client's environment: override this fixture in the module."""
    return {}


@pytest.fixture
def client(aws: MotoResources, user_pool: UserPool, monkeypatch, tmp_path, client_env: dict[str, str]):
    """The app through Chalice's test client (stage `local`) on moto: the export and trigger queues, sign-in, the
    sample catalog (40 products, batches of 25 rows; its edits in this test's directory), the dashboard's origin for
    CORS, and change events signed with EVENTS_SECRET whose sync can be received at once."""
    environment = {
        "EXPORT_QUEUE_URL": aws["queue_url"], "TRIGGER_QUEUE_URL": aws["trigger_url"],
        "SAMPLE_PRODUCTS": str(SAMPLE_PRODUCTS), "SAMPLE_EDITS_FILE": str(tmp_path / "edits.json"),
        "BATCH_MAX_ROWS": "25", "DASHBOARD_ORIGIN": DASHBOARD_ORIGIN, "EVENTS_SECRET": EVENTS_SECRET,
        "EVENT_DEBOUNCE_SECONDS": "0", **client_env}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    container.reset()
    with Client(app, stage_name="local") as test_client:
        yield test_client
    container.reset()
