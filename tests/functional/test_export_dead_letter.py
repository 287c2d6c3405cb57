"""The Chalice app with the HTTP destination, on moto's SQS (redrive after 3 receives) and the simulated
ingestion service: a batch that keeps failing goes back to the queue, lands in the DLQ, and the run ends."""
import json

import boto3
import pytest
from chalice.test import Client

from app import app
from chalicelib import container
from chalicelib.domain.errors import DestinationError
from tests.conftest import INGESTION_KEY
from tests.signin import shared_pool


@pytest.fixture
def http_app(aws, ingestion, user_pool, monkeypatch):
    sqs = boto3.client("sqs")
    # Receivable again at once after a failure (Lambda would wait for the visibility timeout).
    sqs.set_queue_attributes(QueueUrl=aws["queue_url"], Attributes={"VisibilityTimeout": "0"})
    monkeypatch.setenv("EXPORT_QUEUE_URL", aws["queue_url"])
    monkeypatch.setenv("SAMPLE_PRODUCTS", "10")
    monkeypatch.setenv("DESTINATION", "http")
    monkeypatch.setenv("DESTINATION_URL", ingestion.ingest_url)
    monkeypatch.setenv("DESTINATION_API_KEY", INGESTION_KEY)
    monkeypatch.setenv("EXPORT_TIME_BUDGET_SECONDS", "1")
    container.reset()
    container.context()  # built from this environment, before the stage's variables apply to the calls
    with Client(app, stage_name="local") as client:
        yield client
    container.reset()


def status(client):
    return json.loads(client.http.get("/api/sync/status", headers=shared_pool().admin()).body)


def invoke(client, handler, body, queue):
    event = client.events.generate_sqs_event(message_bodies=[body], queue_name=queue)
    return client.lambda_.invoke(handler, event)


def test_a_batch_that_keeps_failing_reaches_the_dlq_and_its_rows_fail_for_now(http_app, aws, ingestion):
    client, sqs = http_app, boto3.client("sqs")
    ingestion.faults.fail(10_000, 503)
    hourly = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                             resources=["arn:aws:events:us-east-1:123456789012:rule/hourly"])
    run_id = client.lambda_.invoke("run_hourly_sync", hourly).payload["run_ids"][0]
    attempts = {}
    while messages := sqs.receive_message(QueueUrl=aws["queue_url"], AttributeNames=["All"]).get("Messages"):
        [message] = messages
        attempts[message["MessageId"]] = int(message["Attributes"]["ApproximateReceiveCount"])
        with pytest.raises(DestinationError, match="the destination answered 503"):  # Lambda reports the error
            invoke(client, "export_batch", message["Body"], "catalog-sync-export.fifo")
    assert attempts and set(attempts.values()) == {3}  # each message received 3 times, then moved
    assert status(client)["last_sync"]["status"] == "In Progress"

    dead = sqs.receive_message(QueueUrl=aws["dlq_url"], MaxNumberOfMessages=10)["Messages"]
    assert len(dead) == len(attempts)
    for message in dead:
        invoke(client, "fail_dead_batch", message["Body"], "catalog-sync-export-dlq.fifo")
    last = status(client)["last_sync"]
    assert (last["run_id"], last["status"], last["rows_exported"]) == (run_id, "Failed", 0)
    assert last["batches_failed"] == len(dead) and last["rows_failed"] == last["rows_changed"] > 0
    assert last["error"].startswith(f"every batch failed: {last['rows_failed']} × the destination answered 503")
    assert last["error_counts"] == {"destination.unavailable": last["rows_failed"]}
    assert status(client)["export"] == {"enabled": True, "destination": "http", "reason": None}


def test_without_a_key_the_status_says_export_is_disabled_and_why(aws, user_pool, monkeypatch):
    monkeypatch.setenv("DESTINATION", "http")
    monkeypatch.setenv("DESTINATION_URL", "https://ingest.example.com/v1/feeds/products")
    monkeypatch.delenv("DESTINATION_API_KEY", raising=False)
    container.reset()
    container.context()
    with Client(app, stage_name="local") as client:
        export = status(client)["export"]
    container.reset()
    assert export == {"enabled": False, "destination": "none", "reason": (
        "no SaaS destination configured: the HTTP destination has no API key (set DESTINATION_API_KEY, "
        "or in AWS DESTINATION_API_KEY_SECRET to the secret that holds it)")}
