"""The app's handlers invoked as Lambda invokes them, through the Chalice test client, and the queues read back."""
from __future__ import annotations

import json
from typing import Any

import boto3
from chalice.test import Client

from tests.moto_session import DEAD_LETTER_QUEUE, EXPORT_QUEUE, TRIGGER_QUEUE
from tests.signin import shared_pool

__all__ = ["DEAD_LETTER_QUEUE", "EXPORT_QUEUE", "TRIGGER_QUEUE", "export_everything", "hourly", "receive_all",
           "sqs_event", "status"]


def receive_all(queue_url: str) -> list[str]:
    """Every message on the queue now (deleted as read), in the order received."""
    sqs = boto3.client("sqs")
    bodies = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def status(client: Client) -> dict[str, Any]:
    response = client.http.get("/api/sync/status", headers=shared_pool().admin())
    assert response.status_code == 200
    return json.loads(response.body)


def hourly(client: Client) -> Any:
    """The scheduled sync, as EventBridge's rule invokes it."""
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=["arn:aws:events:us-east-1:123456789012:rule/hourly"])
    return client.lambda_.invoke("run_hourly_sync", event).payload


def sqs_event(client: Client, body: str, queue: str = EXPORT_QUEUE) -> Any:
    return client.events.generate_sqs_event(message_bodies=[body], queue_name=queue)


def export_everything(client: Client, queue_url: str) -> None:
    """The exporter Lambda on every batch waiting on the export queue."""
    for body in receive_all(queue_url):
        client.lambda_.invoke("export_batch", sqs_event(client, body))
