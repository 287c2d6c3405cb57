"""Reconciliation and alerts through the Chalice test client on moto, the HTTP destination being the simulated
ingestion service: admins only, 4xx for what cannot be acted on, every answer held to the OpenAPI document."""
from __future__ import annotations

import json

import pytest
from chalice.test import Client

from app import app
from chalicelib import container
from chalicelib.services.export import export_batch
from tests.conftest import INGESTION_KEY
from tests.functional.lambdas import TRIGGER_QUEUE, hourly, receive_all, sqs_event


@pytest.fixture
def client_env(ingestion) -> dict[str, str]:
    return {"DESTINATION": "http", "DESTINATION_URL": ingestion.ingest_url, "DESTINATION_API_KEY": INGESTION_KEY,
            "SAMPLE_PRODUCTS": "10"}


@pytest.fixture
def client(aws, user_pool, monkeypatch, tmp_path, client_env):
    """The conftest's client, its context built before the `local` stage's variables (DESTINATION=s3-hub) apply."""
    environment = {"EXPORT_QUEUE_URL": aws["queue_url"], "TRIGGER_QUEUE_URL": aws["trigger_url"],
                   "SAMPLE_EDITS_FILE": str(tmp_path / "edits.json"), **client_env}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    container.reset()
    container.context()
    with Client(app, stage_name="local") as test_client:
        yield test_client
    container.reset()


def call(client, method, path, headers):
    response = getattr(client.http, method)(path, headers=headers)
    return response.status_code, json.loads(response.body), response.headers


def export_everything(queue_url: str) -> None:
    """The exporter on every batch waiting, with the export's own time budget: the test client's Lambda context
    leaves 3 s, too little for a POST on a busy machine (the handler's wiring is the dead-letter tests')."""
    for body in receive_all(queue_url):
        export_batch(container.context(), body)


def trigger(client, aws):
    """What the trigger queue's Lambda does with the messages the API sent."""
    for message in receive_all(aws["trigger_url"]):
        client.lambda_.invoke("start_requested_sync", sqs_event(client, message, TRIGGER_QUEUE))


def test_an_admin_reconciles_a_feed_reads_the_report_and_resends(client, aws, user_pool, ingestion):
    hourly(client)
    export_everything(aws["queue_url"])
    admin = user_pool.admin()

    status, accepted, headers = call(client, "post", "/api/reconcile?feed=products", admin)
    assert status == 202 and accepted["status"] == "running"
    assert headers["Location"] == f"/api/reconciliation/{accepted['report_id']}?feed=products"
    trigger(client, aws)
    status, report, _ = call(client, "get", headers["Location"], admin)
    assert status == 200 and report["status"] == "done" and report["in_sync"] == report["held"] > 0
    assert report["counts"] == {"missing": 0, "stale": 0, "orphaned": 0}

    status, history, _ = call(client, "get", "/api/reconciliation?feed=products", admin)
    assert status == 200 and history["available"] is True and history["latest"]["report_id"] == report["report_id"]

    status, repair, headers = call(client, "post", f"/api/reconciliation/{report['report_id']}/resend?feed=products",
                                   admin)
    assert status == 202 and (repair["mode"], repair["items"]) == ("repair", 0)
    assert headers["Location"] == f"/api/sync/runs/{repair['run_id']}"
    status, again, _ = call(client, "post", f"/api/reconciliation/{report['report_id']}/delete?feed=products", admin)
    assert status == 409 and again["run_id"] == repair["run_id"]  # the first action's run holds the feed
    trigger(client, aws)
    status, run, _ = call(client, "get", f"/api/sync/runs/{repair['run_id']}", admin)
    assert (run["status"], run["trigger"]) == ("Success", "reconciliation")


def test_operators_and_anonymous_callers_may_not_reconcile(client, user_pool):
    for method, path in (("get", "/api/reconciliation"), ("post", "/api/reconcile"),
                         ("get", "/api/reconciliation/20261206T000000Z-abcdef"),
                         ("post", "/api/reconciliation/20261206T000000Z-abcdef/resend")):
        assert call(client, method, path, user_pool.operator())[0] == 403
        assert call(client, method, path, {})[0] == 401


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("post", "/api/reconcile?feed=nope", 400),
    ("post", "/api/reconcile?feed=products&extra=1", 400),
    ("get", "/api/reconciliation?feed=" + "x" * 500, 400),
    ("get", "/api/reconciliation/20261206T000000Z-abcdef?feed=products", 404),
    ("get", "/api/reconciliation/..%2F..%2Fetc", 404),
    ("post", "/api/reconciliation/20261206T000000Z-abcdef/delete", 404),
    ("post", "/api/reconciliation/not a report/resend", 404),
])
def test_what_cannot_be_acted_on_is_a_4xx_with_the_reason(client, user_pool, method, path, expected):
    status, answer, _ = call(client, method, path, user_pool.admin())
    assert status == expected and answer["Message"]


def test_alerts_are_for_operators_too_and_say_what_to_do(client, aws, user_pool):
    status, answer, _ = call(client, "get", "/api/alerts", user_pool.operator())
    assert status == 200 and answer["alerts"] == [] and answer["freshness_threshold_minutes"] == 90
    assert call(client, "get", "/api/alerts?feed=products", user_pool.operator())[0] == 400
    assert call(client, "get", "/api/alerts", {})[0] == 401


class TestTheS3Hub:
    @pytest.fixture
    def client_env(self, aws) -> dict[str, str]:
        return {"DESTINATION": "s3-hub", "HUB_BUCKET": aws.bucket}

    def test_the_hub_cannot_be_reconciled_a_409_says_why(self, client, user_pool):
        status, answer, _ = call(client, "post", "/api/reconcile", user_pool.admin())
        assert status == 409 and "cannot say what it holds" in answer["Message"]
        status, history, _ = call(client, "get", "/api/reconciliation", user_pool.admin())
        assert status == 200 and history["available"] is False and history["latest"] is None
