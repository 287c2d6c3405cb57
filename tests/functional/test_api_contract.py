"""Every documented operation, called once with a request it accepts: its success answer is held to the OpenAPI
document (the conftest checks every answer), so an answer built in a service cannot drift from the schema that
describes it. A route added to the document without a case here fails the first test. The document's objects are
closed (chalicelib/domain/answers): an answer holding a key its definition lacks fails, at any depth."""
import json

import pytest

from chalicelib.api.openapi import document
from chalicelib.domain.event_signatures import sign
from chalicelib.domain.runs import utcnow
from chalicelib.domain.vocabulary import vocabulary
from tests.functional.conftest import EVENTS_SECRET
from tests.functional.lambdas import export_everything, hourly

EVENT = json.dumps({"skus": ["MH01"]}).encode()

# (method, path template) -> (path to call, body or None, the success status)
CASES = {
    ("get", "/api/health"): ("/api/health", None, 200),
    ("get", "/api/settings"): ("/api/settings", None, 200),
    ("get", "/api/meta"): ("/api/meta", None, 200),
    ("get", "/api/openapi.json"): ("/api/openapi.json", None, 200),
    ("post", "/api/events/products"): ("/api/events/products", EVENT, 202),
    ("get", "/api/sync/status"): ("/api/sync/status", None, 200),
    ("get", "/api/sync/runs"): ("/api/sync/runs", None, 200),
    ("get", "/api/sync/runs/{run_id}"): ("/api/sync/runs/{run_id}", None, 200),
    ("post", "/api/sync"): ("/api/sync", b'{"mode": "full"}', 202),
    ("get", "/api/products"): ("/api/products?limit=5", None, 200),
    ("get", "/api/products/{product_id}"): ("/api/products/1", None, 200),
    ("get", "/api/alerts"): ("/api/alerts", None, 200),
    ("get", "/api/reconciliation"): ("/api/reconciliation?feed=products", None, 200),
    # the app's `local` stage exports to the S3 hub, which cannot be reconciled: its documented answer is 409
    ("post", "/api/reconcile"): ("/api/reconcile?feed=products", None, 409),
    ("get", "/api/reconciliation/{report_id}"): ("/api/reconciliation/{report_id}?feed=products", None, 200),
    ("post", "/api/reconciliation/{report_id}/resend"): ("/api/reconciliation/{report_id}/resend?feed=products",
                                                         None, 202),
    ("post", "/api/reconciliation/{report_id}/delete"): ("/api/reconciliation/{report_id}/delete?feed=products",
                                                         None, 202),
    ("get", "/api/feeds"): ("/api/feeds", None, 200),
    ("get", "/api/feeds/{feed}"): ("/api/feeds/products", None, 200),
    ("get", "/api/me"): ("/api/me", None, 200),
}
# Operations with more than one documented success: the other requests, each called once too.
VARIANTS = {
    "POST /api/sync dry run of a whole feed": ("post", "/api/sync", b'{"dry_run": true}', 202),
    "POST /api/sync dry run by ids": ("post", "/api/sync", b'{"dry_run": true, "ids": ["MH01"]}', 200),
}


def _report_id() -> str:
    """A finished report of the products feed, written as a reconciliation would (the hub cannot make one)."""
    from chalicelib.adapters.dynamo_reconciliation import DynamoReconciliationStore
    from chalicelib.domain.feeds import feed_named
    from chalicelib.domain.reconciliation import SourceIndex, compare
    from chalicelib.domain.reconciliation_report import start_report

    report = start_report("products", "api", "http", utcnow())
    report.record(compare(SourceIndex.for_feed(feed_named("products")), []), report.started_at)
    DynamoReconciliationStore().save(report)
    return report.report_id


def test_every_documented_operation_has_a_case_here():
    documented = {(method, path) for path, item in document()["paths"].items() for method in item}
    assert documented == set(CASES)


@pytest.fixture
def client_env() -> dict[str, str]:
    # A few products are enough to reach every answer (each case syncs them first: 40 made the module's minute).
    return {"SAMPLE_PRODUCTS": "6"}


@pytest.fixture
def synced(client, aws):
    """After a first sync, every row exported: a run to read, products to find."""
    hourly(client)
    export_everything(client, aws["queue_url"])
    return client


def _headers(path: str, body: bytes | None, admin: dict[str, str]) -> dict[str, str]:
    if path == "/api/events/products":
        return {"Content-Type": "application/json",
                "X-Catalog-Sync-Signature": sign(EVENTS_SECRET, body or b"", int(utcnow().timestamp()))}
    return {**admin, "Content-Type": "application/json"} if body is not None else admin


@pytest.mark.parametrize("operation", sorted(CASES), ids=lambda op: f"{op[0].upper()} {op[1]}")
def test_each_operation_answers_its_documented_success(synced, user_pool, operation):
    path, body, expected = CASES[operation]
    admin = user_pool.admin()
    if "{run_id}" in path:
        runs = json.loads(synced.http.get("/api/sync/runs", headers=admin).body)["items"]
        path = path.format(run_id=runs[0]["run_id"])
    if "{report_id}" in path:
        path = path.format(report_id=_report_id())
    response = synced.http.request(operation[0].upper(), path, headers=_headers(path, body, admin),
                                   body=body or b"")
    assert response.status_code == expected, response.body[:300]  # and the body matched the document (conftest)


@pytest.mark.parametrize("where", ["top", "nested"])
def test_an_answer_holding_a_key_its_definition_lacks_fails_the_contract(client, user_pool, monkeypatch, where):
    from chalicelib.api import admin_routes

    real = admin_routes.effective_settings

    def with_a_surprise(ctx):
        answer = real(ctx)
        (answer if where == "top" else answer["batch"])["surprise"] = True
        return answer

    monkeypatch.setattr(admin_routes, "effective_settings", with_a_surprise)
    with pytest.raises(AssertionError, match=r"'surprise' was unexpected"):
        client.http.get("/api/settings", headers=user_pool.admin())


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_other_success_answers_as_documented(synced, user_pool, name):
    method, path, body, expected = VARIANTS[name]
    response = synced.http.request(method.upper(), path, headers=_headers(path, body, user_pool.admin()),
                                   body=body or b"")
    assert response.status_code == expected, response.body[:300]  # and the body matched the document (conftest)


def test_the_meta_lists_are_the_domains(client, user_pool):
    response = client.http.get("/api/meta", headers=user_pool.operator())
    assert response.status_code == 200
    meta = json.loads(response.body)
    assert meta == vocabulary()
    assert "giftcard" in meta["product_types"] and "failed_will_retry" in meta["item_statuses"]
