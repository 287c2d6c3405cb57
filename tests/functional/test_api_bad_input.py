"""What an attacker or a careless client can send, through the Chalice test client: each gets a 4xx with a clear
message that quotes at most ~100 characters of the input, never a 500 (the answers are held to the OpenAPI
document by the conftest)."""
import base64
import json
from datetime import timedelta

import pytest

from chalicelib.api.sync_routes import MAX_FORCE_BODY_BYTES
from chalicelib.domain.cursor import encode_cursor
from chalicelib.domain.event_signatures import sign
from chalicelib.domain.runs import utcnow
from tests.functional.conftest import DASHBOARD_ORIGIN, EVENTS_SECRET
from tests.functional.lambdas import export_everything, hourly

DEEP = b"[" * 100_000 + b"]" * 100_000
MAX_MESSAGE = 300  # the reason in words plus at most ~100 characters of what was sent


def answer(response) -> tuple[int, str]:
    body = json.loads(response.body)
    assert len(body["Message"]) <= MAX_MESSAGE, body["Message"][:500]
    return response.status_code, body["Message"]


def force(client, headers, raw: bytes):
    return client.http.post("/api/sync", headers={**headers, "Content-Type": "application/json"}, body=raw)


def signed_event(client, raw: bytes):
    header = sign(EVENTS_SECRET, raw, int(utcnow().timestamp()))
    return client.http.post("/api/events/products", body=raw, headers={
        "Content-Type": "application/json", "X-Catalog-Sync-Signature": header})


# 1. CORS preflights of routes with path parameters (the preflight took none: a 500 for any Origin).
@pytest.mark.parametrize("path", ["/api/products/123", "/api/sync/runs/20261122T100000Z-abcdef",
                                  "/api/products/not-a-number", "/api/sync/runs/%2E%2E"])
@pytest.mark.parametrize("origin", [DASHBOARD_ORIGIN, "https://evil.example", None])
def test_a_preflight_of_a_route_with_a_path_parameter_is_answered(client, path, origin):
    headers = {"Access-Control-Request-Method": "GET"} | ({"Origin": origin} if origin else {})
    response = client.http.request("OPTIONS", path, headers=headers)
    assert response.status_code == 204
    assert ("Access-Control-Allow-Methods" in response.headers) is (origin == DASHBOARD_ORIGIN)


# 2. Deeply nested JSON (RecursionError in json.loads: a 500).
def test_a_deeply_nested_force_sync_body_is_a_4xx(client, user_pool):
    assert answer(force(client, user_pool.operator(), b"[" * 2000 + b"]" * 2000)) == (
        400, "the body nests deeper than 16 levels")
    assert answer(force(client, user_pool.operator(), DEEP)) == (
        413, f"the body is 200,000 bytes; at most {MAX_FORCE_BODY_BYTES:,} are accepted")
    nested = json.dumps({"mode": [[[[[[[[[[[[[[[[[["full"]]]]]]]]]]]]]]]]]]}).encode()
    assert answer(force(client, user_pool.operator(), nested)) == (400, "the body nests deeper than 16 levels")


def test_a_deeply_nested_body_on_a_correctly_signed_change_event_is_a_400(client):
    assert answer(signed_event(client, DEEP)) == (400, "the body nests deeper than 16 levels")
    assert answer(signed_event(client, b'{"skus": ' + DEEP + b"}")) == (400, "the body nests deeper than 16 levels")


# 3. A product id of 5,000 digits (int() refuses more than 4,300: a 500).
@pytest.mark.parametrize("product_id", ["9" * 5000, "1" * 20, "9223372036854775808", "٣", "1e3", "-1", "+1", " 1"])
def test_a_product_id_that_no_product_can_have_is_a_400(client, user_pool, product_id):
    status, message = answer(client.http.get(f"/api/products/{product_id}", headers=user_pool.admin()))
    assert status == 400 and message.startswith("the product id must be a positive whole number (Magento's entity_id); "
                                                "got '")


def test_the_largest_product_id_is_looked_up(client, user_pool):
    response = client.http.get(f"/api/products/{2**63 - 1}", headers=user_pool.admin())
    assert answer(response) == (404, f"no synced product with id {2**63 - 1}")


# 4. A correctly signed token whose claims have the wrong types (a list as client_id: unhashable, a 500).
@pytest.mark.parametrize("claims, claim", [
    ({"client_id": ["dashboard-client-id"]}, "client_id claim is not text"),
    ({"client_id": {"id": 1}}, "client_id claim is not text"),
    ({"token_use": ["access"]}, "token_use claim is not text"),
    ({"username": 7}, "username claim is not text"),
    ({"scope": ["catalog-sync/sync"]}, "scope claim is not text"),
    ({"cognito:groups": "admins"}, "cognito:groups claim is not a list"),
    ({"cognito:groups": [["admins"]]}, "cognito:groups claim is not a list of text"),
    ({"cognito:groups": [{"admins": 1}]}, "cognito:groups claim is not a list of text"),
])
def test_a_signed_token_with_claims_of_the_wrong_type_is_a_401(client, user_pool, claims, claim):
    token = user_pool.token(**{"groups": ("admins",), **claims})
    response = client.http.get("/api/sync/status", headers=user_pool.bearer(token))
    assert answer(response) == (401, f"the token is not valid: its {claim}")


# Sizes: a body or a field far too large is refused without coming back whole.
def test_a_ten_megabyte_force_sync_body_is_a_413(client, user_pool):
    raw = json.dumps({"mode": "m" * 10_000_000}).encode()
    assert answer(force(client, user_pool.operator(), raw)) == (
        413, f"the body is 10,000,012 bytes; at most {MAX_FORCE_BODY_BYTES:,} are accepted")


def test_a_bad_mode_is_quoted_only_in_part(client, user_pool):
    status, message = answer(force(client, user_pool.operator(), json.dumps({"mode": "m" * 4000}).encode()))
    assert status == 400 and message.startswith("unknown mode 'mmmm") and "… (4,000 characters)" in message


@pytest.mark.parametrize("body, reason", [
    ({"mode": ["full"]}, "unknown mode ['full']; valid modes: full, no-reindex, failed"),
    ({"feed": {"products": 1}}, "unknown feed {'products': 1}; valid feeds: products"),
    ({"mode": "\ud800"}, "unknown mode '\\ud800'"),
    ({"f" * 500: 1}, "unknown fields: " + "f" * 100 + "… (500 characters)"),
])
def test_a_force_sync_body_of_the_wrong_shape_is_a_400(client, user_pool, body, reason):
    status, message = answer(force(client, user_pool.operator(), json.dumps(body).encode()))
    assert status == 400 and message.startswith(reason)


def test_a_force_sync_body_that_is_not_utf8_or_not_json_is_a_400(client, user_pool):
    for raw in (b"\xff\xfe{}", b'{"mode": NaN', b'{"mode": "full"'):
        assert answer(force(client, user_pool.operator(), raw)) == (400, "the body is not JSON")


def test_a_change_event_over_256_kb_is_a_413(client):
    raw = json.dumps({"skus": ["S" * 60] * 5000}).encode()
    status, message = answer(signed_event(client, raw))
    assert status == 413 and message.startswith(f"the body is {len(raw):,} bytes; at most 262,144 are accepted")


@pytest.mark.parametrize("body, reason", [
    ({"ids": [2**63]}, "ids must hold positive integers of at most 9223372036854775807"),
    ({"skus": ["A\u0000"]}, "skus holds a SKU with a control character or a lone surrogate"),
    ({"skus": ["\ud800"]}, "skus holds a SKU with a control character or a lone surrogate"),
    ({"feed": ["products"], "skus": ["A"]}, "unknown feed ['products']"),
    ({"skus": ["x" * 5000]}, "skus holds a SKU longer than 64 characters: 'xxxx"),
])
def test_a_correctly_signed_change_event_of_the_wrong_shape_is_a_400(client, body, reason):
    status, message = answer(signed_event(client, json.dumps(body).encode()))
    assert status == 400 and message.startswith(reason)


def test_an_events_signature_header_of_any_size_is_a_401_quoted_in_part(client):
    response = client.http.post("/api/events/products", body=b'{"skus": ["A"]}', headers={
        "Content-Type": "application/json", "X-Catalog-Sync-Signature": "t=" + "9" * 10_000})
    status, message = answer(response)
    assert status == 401 and message.startswith("X-Catalog-Sync-Signature is longer than 600 characters")


# Query parameters and path parameters of any size.
@pytest.mark.parametrize("path, reason", [
    ("/api/products?limit=" + "9" * 5000, "limit must be at most 100 characters; got 5,000"),
    ("/api/products?limit=" + "9" * 99, "limit must be a whole number; got '9999"),
    ("/api/products?status=" + "x" * 10_000, "status must be at most 100 characters; got 10,000"),
    ("/api/products?q=" + "q" * 5000, "q must be at most 200 characters; got 5,000"),
    ("/api/products?cursor=" + "c" * 5000, "cursor must be at most 1000 characters; got 5,000"),
    ("/api/products?" + "p" * 3000 + "=1", "unknown query parameter " + "p" * 100 + "… (3,000 characters)"),
    ("/api/products?store_view=" + "v" * 100, "store_view must be one of"),
    ("/api/sync/runs?limit=" + "9" * 5000, "limit must be at most 100 characters; got 5,000"),
    ("/api/sync/runs?limit=" + "9" * 50, "limit must be a whole number; got '9999"),
    ("/api/sync/runs?limit=-5", "limit must be between 1 and 100; got -5"),
    ("/api/sync/runs?cursor=" + "c" * 2000, "cursor must be at most 1024 characters; got 2,000"),
])
def test_a_query_parameter_of_any_size_is_a_400_quoted_in_part(client, user_pool, path, reason):
    status, message = answer(client.http.get(path, headers=user_pool.admin()))
    assert status == 400 and message.startswith(reason)


@pytest.mark.parametrize("run_id", ["r" * 5000, "a%00b", "%F0%9F%98%80", "..", "run id with spaces"])
def test_a_run_id_that_no_run_can_have_is_a_404_without_a_read(client, user_pool, run_id):
    status, message = answer(client.http.get(f"/api/sync/runs/{run_id}", headers=user_pool.operator()))
    assert status == 404 and message.startswith("no run '")


# Cursors: a crafted one is refused, like an edited one.
def _crafted(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    _crafted({"started_at": "2026-11-22T10:00:00.000Z", "run_id": "20261122T100000Z-abcdef"}),  # no checksum
    _crafted({"started_at": "x", "run_id": "y"}),
    encode_cursor({"started_at": "not a time", "run_id": "20261122T100000Z-abcdef"}),
    encode_cursor({"started_at": "2026-11-22T10:00:00.000Z", "run_id": "x" * 500}),
    encode_cursor({"started_at": "2026-11-22T10:00:00.000Z"}),
    encode_cursor({"started_at": "2026-11-22T10:00:00.000Z", "run_id": "r", "more": "m"}),
    encode_cursor({"started_at": "2026-11-22T10:00:00.000Z", "run_id": "r"})[:-2] + "AA",
])
def test_a_crafted_run_history_cursor_is_a_400(client, user_pool, cursor):
    response = client.http.get(f"/api/sync/runs?cursor={cursor}", headers=user_pool.operator())
    assert answer(response) == (400, "cursor is not valid: pass the next_cursor of the previous page unchanged")


def test_a_cursor_the_api_made_is_accepted(client, user_pool):
    cursor = encode_cursor({"started_at": (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                            "run_id": "20261122T100000Z-abcdef"})
    response = client.http.get(f"/api/sync/runs?cursor={cursor}", headers=user_pool.operator())
    assert response.status_code == 200


def test_a_crafted_product_cursor_is_a_400(client, aws, user_pool):
    hourly(client)
    export_everything(client, aws["queue_url"])
    page = json.loads(client.http.get("/api/products?limit=2", headers=user_pool.admin()).body)
    assert page["next_cursor"]
    cursor = page["next_cursor"]
    edited = cursor[:-1] + ("B" if cursor.endswith("A") else "A")
    for cursor in (_crafted([1, "000000000000", "MS-000001", "default"]), edited):
        status, message = answer(client.http.get(f"/api/products?limit=2&cursor={cursor}", headers=user_pool.admin()))
        assert status == 400 and message.startswith("cursor is not valid: pass the next_cursor of the previous page")
