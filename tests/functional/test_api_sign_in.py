"""Sign-in on every route through the Chalice test client: 401 without a valid Cognito access token, 403 for a
role that may not use the route, and what each role may do."""
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib import container
from tests.signin import MACHINE_CLIENT

# (method, path, body): every route behind sign-in.
STATUS = ("GET", "/api/sync/status", None)
RUNS = ("GET", "/api/sync/runs", None)
RUN = ("GET", "/api/sync/runs/20261122T100000Z-abcdef", None)
FORCE = ("POST", "/api/sync", {"mode": "full"})
PRODUCTS = ("GET", "/api/products", None)
PRODUCT = ("GET", "/api/products/1", None)
SETTINGS = ("GET", "/api/settings", None)
OPENAPI = ("GET", "/api/openapi.json", None)
META = ("GET", "/api/meta", None)
FEEDS = ("GET", "/api/feeds", None)
FEED = ("GET", "/api/feeds/variants", None)
ME = ("GET", "/api/me", None)
SIGNED_IN_ROUTES = [STATUS, RUNS, RUN, FORCE, PRODUCTS, PRODUCT, SETTINGS, OPENAPI, META, FEEDS, FEED, ME]
ADMIN_ONLY = [PRODUCTS, PRODUCT, SETTINGS]
OPERATOR_ROUTES = [STATUS, RUNS, RUN, FORCE, OPENAPI, META, FEEDS, FEED, ME]


def call(client, route, headers=None):
    method, path, body = route
    headers = dict(headers or {})
    if body is not None:
        headers["Content-Type"] = "application/json"
    return client.http.request(method, path, headers=headers, body=json.dumps(body).encode() if body else b"")


def message(response):
    return json.loads(response.body)["Message"]


def test_every_route_but_health_and_events_needs_a_token(client):
    # One moto per test, not per route: each route is asked in turn (the answers say which failed).
    for route in SIGNED_IN_ROUTES:
        response = call(client, route)
        assert response.status_code == 401, route
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "Authorization: Bearer" in message(response)
        assert call(client, route, {"Authorization": "Basic YWRtaW46cGFzcw=="}).status_code == 401, route


def test_health_is_public(client):
    assert client.http.get("/api/health").status_code == 200


def test_operators_and_machine_clients_may_not_use_admin_routes(client, user_pool):
    for route in ADMIN_ONLY:
        for headers in (user_pool.operator(), user_pool.machine()):
            response = call(client, route, headers)
            assert response.status_code == 403, route
            assert "that needs the role admin" in message(response)


def test_a_user_in_no_group_may_use_no_route(client, user_pool):
    for route in SIGNED_IN_ROUTES:
        response = call(client, route, user_pool.bearer(user_pool.token(groups=("shoppers",), username="sam")))
        assert response.status_code == 403, route
        assert message(response).startswith("user sam (roles: none) may not")


def test_admins_may_use_every_route(client, user_pool):
    for route in SIGNED_IN_ROUTES:
        assert call(client, route, user_pool.admin()).status_code not in (401, 403), route


def test_operators_and_machine_clients_may_read_status_and_runs_and_force_a_sync(client, user_pool):
    for route in OPERATOR_ROUTES:
        assert call(client, route, user_pool.operator()).status_code not in (401, 403), route
        assert call(client, route, user_pool.machine()).status_code not in (401, 403), route


def test_a_machine_client_without_the_force_sync_scope_has_no_role(client, user_pool):
    token = user_pool.token(client_id=MACHINE_CLIENT, username=None, scope="catalog-sync/read")
    response = call(client, STATUS, user_pool.bearer(token))
    assert response.status_code == 403 and message(response).startswith(f"client {MACHINE_CLIENT} (roles: none)")


def forged_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize("claims, reason", [
    ({"expires_in": -60}, "the token has expired: sign in again"),
    ({"issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"}, "the token is from another user pool"),
    ({"client_id": "someone-elses-client"}, "the token was issued to an app client this API does not accept"),
    ({"token_use": "id"}, "a id token was sent: send the access token"),
    ({"key": forged_key()}, "the token is not valid: Signature verification failed"),
    ({"kid": "unknown-key"}, "the token cannot be checked: Unable to find a signing key that matches"),
    ({"iat": 4102444800}, "the token is not valid: The token is not yet valid (iat)"),
], ids=["expired", "issuer", "client", "id-token", "signature", "unknown-key", "issued-in-the-future"])
def test_tokens_that_prove_nothing_are_refused_with_the_reason(client, user_pool, claims, reason):
    response = call(client, STATUS, user_pool.bearer(user_pool.token(groups=("admins",), **claims)))
    assert response.status_code == 401
    assert message(response).startswith(reason)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_that_is_not_a_jwt_or_lacks_a_claim_is_refused(client, user_pool):
    assert call(client, STATUS, user_pool.bearer("not.a.jwt")).status_code == 401
    token = user_pool.token(groups=("admins",), client_id=None)
    response = call(client, STATUS, user_pool.bearer(token))
    assert response.status_code == 401


def test_the_pools_keys_are_fetched_once_and_kept(client, user_pool):
    container.reset()
    before = user_pool.fetches
    for _ in range(5):
        assert call(client, STATUS, user_pool.admin()).status_code == 200
    assert user_pool.fetches - before == 1


def test_without_sign_in_configured_the_routes_say_what_to_set(client, user_pool, monkeypatch):
    monkeypatch.delenv("COGNITO_USER_POOL_ID")
    container.reset()
    response = call(client, STATUS, user_pool.admin())
    assert response.status_code == 503
    assert message(response) == "sign-in is not configured (set COGNITO_USER_POOL_ID)"


def test_unreadable_keys_are_a_503_not_a_401(client, user_pool, monkeypatch):
    monkeypatch.setenv("COGNITO_JWKS_URL", "http://127.0.0.1:9/jwks.json")  # nothing listens on the discard port
    container.reset()
    response = call(client, STATUS, user_pool.admin())
    assert response.status_code == 503
    assert message(response) == "the user pool's signing keys cannot be read right now"
