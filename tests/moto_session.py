"""One in-process moto for the whole test session: the tables (from the PynamoDB models), queues and buckets are
made once, then emptied after each test instead of rebuilt (creating them costs 1-2 s a test; emptying, a few ms).

Emptying keeps the DynamoDB tables and drops their items; every other service moto holds (SQS, S3, Secrets
Manager, SSM...) is reset as moto resets it between mocks, and the queues and buckets are made again, with
their settings, so a test that changed a queue's attributes leaves nothing behind.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from moto.core.base_backend import BackendDict

from chalicelib.adapters import dynamo_tables

HUB_BUCKET = "catalog-sync-hub-test"
LOCAL_HUB = "catalog-sync-hub-local"  # the `local` stage's HUB_BUCKET in .chalice/config.json
EXPORT_QUEUE, DEAD_LETTER_QUEUE = "catalog-sync-export", "catalog-sync-export-dlq"
TRIGGER_QUEUE = "catalog-sync-trigger"


@dataclass
class MotoResources:
    queue_url: str
    dlq_url: str
    trigger_url: str
    bucket: str = HUB_BUCKET

    def __getitem__(self, name: str) -> str:  # the tests' aws["queue_url"]
        return getattr(self, name)


def _table_names() -> set[str]:
    return {model.Meta.table_name for model in dynamo_tables.bound().table_models()}


def provision() -> MotoResources:
    """The service's tables, queues and buckets."""
    dynamo_tables.bound().create()
    return _queues_and_buckets()


def _queues_and_buckets() -> MotoResources:
    """The queues (the export queue redriven to its DLQ after 3 receives) and the hub buckets."""
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName=DEAD_LETTER_QUEUE)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(QueueName=EXPORT_QUEUE, Attributes={
        "RedrivePolicy": f'{{"deadLetterTargetArn": "{dlq_arn}", "maxReceiveCount": "3"}}'})["QueueUrl"]
    trigger = sqs.create_queue(QueueName=TRIGGER_QUEUE)["QueueUrl"]
    s3 = boto3.client("s3")
    for bucket in (HUB_BUCKET, LOCAL_HUB):
        s3.create_bucket(Bucket=bucket)
    return MotoResources(queue, dlq, trigger)


def _empty_tables(backend: Any, keep: set[str]) -> bool:
    """Drop every item of the service's tables and any other table; False when one of them is missing."""
    found = set()
    for _account, _region, dynamodb in backend.iter_backends():
        for name, table in list(dynamodb.tables.items()):
            if name in keep:
                table.items.clear()
                found.add(name)
            else:
                del dynamodb.tables[name]
    return found == keep


def empty() -> MotoResources:
    """Everything back to just after ``provision()``, the tables kept (they are the slow part to make)."""
    tables_whole = True
    for backend in list(BackendDict._instances):
        if backend.service_name == "dynamodb":
            tables_whole = _empty_tables(backend, _table_names())
            continue
        for account in backend.values():
            account.reset()
        backend.clear()
        BackendDict._instances.remove(backend)
    if not tables_whole:
        dynamo_tables.bound().create()
    return _queues_and_buckets()
