"""Creates the stack's AWS resources on the (fresh) moto server: tables, queues with redrive, hub bucket."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

from chalicelib.settings import DEAD_LETTER_QUEUE, EXPORT_QUEUE, TRIGGER_QUEUE, Settings

MAX_RECEIVES = 3
# Short, so that a failed batch is retried (and reaches the DLQ) within seconds, not minutes.
VISIBILITY_TIMEOUT = 10
# A sync request's message stays hidden while its sync runs (as Lambda requires: at least the timeout).
TRIGGER_VISIBILITY_TIMEOUT = 300
MAX_MESSAGE_BYTES = 1_048_576


@dataclass(frozen=True)
class Resources:
    export_queue_url: str
    export_queue_arn: str
    dlq_url: str
    dlq_arn: str
    hub_bucket: str
    tables: dict[str, str]
    trigger_queue_url: str = ""
    trigger_queue_arn: str = ""


def _queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": str(VISIBILITY_TIMEOUT), "MaximumMessageSize": str(MAX_MESSAGE_BYTES), **attributes,
    })["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def provision(settings: Settings, hub_bucket: str) -> Resources:
    """The same tables production uses (from the PynamoDB models), the queue pair and the bucket."""
    from chalicelib.adapters import dynamo_tables  # after the environment points PynamoDB at moto

    dynamo_tables.bound(dynamo_tables.TableSettings.of(settings)).create()
    sqs = boto3.client("sqs")
    dlq_url, dlq_arn = _queue(sqs, DEAD_LETTER_QUEUE)
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)})
    queue_url, queue_arn = _queue(sqs, EXPORT_QUEUE, RedrivePolicy=redrive)
    # Change events' debounced sync requests. moto honours each message's DelaySeconds (a delayed
    # message is not received before its time), so the worker needs no delay logic of its own.
    trigger_url, trigger_arn = _queue(sqs, TRIGGER_QUEUE, VisibilityTimeout=str(TRIGGER_VISIBILITY_TIMEOUT))
    boto3.client("s3").create_bucket(Bucket=hub_bucket)
    tables = {"feed_rows": settings.feed_rows_table, "sync_runs": settings.sync_runs_table,
              "control": settings.control_table}
    return Resources(queue_url, queue_arn, dlq_url, dlq_arn, hub_bucket, tables, trigger_url, trigger_arn)
