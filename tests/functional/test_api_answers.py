"""Every kind of API answer carries the security headers and is never cached; an unexpected error is a generic 500
that names its request id, never a trace (through the Chalice test client)."""
import io
import json
import re

import pytest

from app import app
from chalicelib.api import admin_routes
from chalicelib.api.security_headers import api_headers, sign_in_origin
from chalicelib.observability import logger
from tests.functional.conftest import DASHBOARD_ORIGIN


def expected(user_pool) -> dict[str, str]:
    return api_headers(sign_in_origin(user_pool.jwks_url))


def answers(client, user_pool):
    """One answer of each kind: JSON, errors (400, 401, 403, 404, 405, 415), a preflight, and the events route's."""
    admin, operator = user_pool.admin(), user_pool.operator()
    yield "health", client.http.get("/api/health")
    yield "status", client.http.get("/api/sync/status", headers=operator)
    yield "400", client.http.get("/api/sync/runs?limit=none", headers=operator)
    yield "401", client.http.get("/api/sync/status")
    yield "403", client.http.get("/api/settings", headers=operator)
    yield "404", client.http.get("/api/sync/runs/none", headers=admin)
    yield "415", client.http.post("/api/events/products", headers={"Content-Type": "text/plain"}, body=b"x")
    yield "events 401", client.http.post("/api/events/products", headers={"Content-Type": "application/json"},
                                         body=b"{}")
    yield "preflight", client.http.request("OPTIONS", "/api/products/1", headers={"Origin": DASHBOARD_ORIGIN})
    yield "refused preflight", client.http.request("OPTIONS", "/api/sync", headers={"Origin": "https://evil.example"})


def test_every_kind_of_api_answer_carries_the_security_headers_and_no_store(client, user_pool):
    want = expected(user_pool)
    for kind, response in answers(client, user_pool):
        shown = {name: response.headers.get(name) for name in want}
        assert shown == want, kind


def test_the_policy_allows_the_sign_in_endpoint_and_nothing_inline_and_no_framing(client, user_pool):
    policy = client.http.get("/api/health").headers["Content-Security-Policy"]
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    origin = re.match(r"http://127\.0\.0\.1:\d+", user_pool.jwks_url).group()
    assert directives["connect-src"] == f"'self' {origin}"  # the API's origin and the user pool's endpoint only
    assert directives["script-src"] == "'self'" and "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'" and directives["default-src"] == "'none'"


def test_an_unexpected_error_is_a_generic_500_naming_the_request_id_and_logged_with_it(client, user_pool,
                                                                                       monkeypatch):
    def broken(ctx):
        raise RuntimeError("disk /var/secret/path is on fire")
    monkeypatch.setattr(admin_routes, "effective_settings", broken)
    log = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", log)  # the service's JSON log lines
    assert app.debug is False  # Chalice's debug mode would answer the trace itself
    response = client.http.get("/api/settings", headers=user_pool.admin())
    assert response.status_code == 500
    body = json.loads(response.body)
    request_id = re.fullmatch(r"something went wrong on our side; it is logged under request id (\w+)",
                              body["Message"]).group(1)
    assert body["Code"] == "InternalServerError" and "fire" not in response.body.decode()
    assert {name: response.headers.get(name) for name in expected(user_pool)} == expected(user_pool)
    logged = [json.loads(line) for line in log.getvalue().splitlines()]
    trace = [line for line in logged if "disk /var/secret/path is on fire" in line.get("exception", "")]
    assert trace and all(line["request_id"] == request_id for line in trace)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_an_undeclared_method_is_a_4xx_with_the_headers(client, user_pool, method):
    response = client.http.request(method, "/api/sync", headers=user_pool.admin())
    assert 400 <= response.status_code < 500
    assert response.headers.get("Content-Security-Policy") == expected(user_pool)["Content-Security-Policy"]
