"""The event and context shapes Lambda hands the deployed handlers (SQS records, scheduled events)."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chalice.local import LambdaContext

ACCOUNT = "123456789012"  # moto's default account: its queue ARNs carry it too


def lambda_context(app_name: str, stage: str, handler: str, memory_mb: int, timeout_s: int,
                   region: str) -> LambdaContext:
    """A fresh context per invocation (its request id and remaining time are per call)."""
    name = f"{app_name}-{stage}-{handler}"
    context = LambdaContext(function_name=name, memory_size=memory_mb, max_runtime_ms=timeout_s * 1000)
    context.invoked_function_arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
    context.log_group_name = f"/aws/lambda/{name}"
    return context


def _message_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    # SQS says StringValue/DataType; the Lambda event says stringValue/dataType.
    return {name: {"stringValue": value.get("StringValue"), "binaryValue": value.get("BinaryValue"),
                   "stringListValues": [], "binaryListValues": [], "dataType": value.get("DataType")}
            for name, value in attributes.items()}


def sqs_event(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """The event of an SQS-triggered Lambda for one received message (batch size 1)."""
    attributes = message.get("Attributes", {})
    return {"Records": [{
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {name: attributes[name] for name in (  # a FIFO queue's message: its group, id and sequence
            "ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
            "MessageGroupId", "MessageDeduplicationId", "SequenceNumber") if name in attributes},
        "messageAttributes": _message_attributes(message.get("MessageAttributes", {})),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }]}


def scheduled_event(rule_name: str, region: str, now: datetime | None = None) -> dict[str, Any]:
    """The EventBridge (CloudWatch Events) event of a schedule rule firing."""
    now = now or datetime.now(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT}:rule/{rule_name}"],
        "detail": {},
    }
