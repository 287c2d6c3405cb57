"""The events Lambda hands the functions: EventBridge's scheduled event, an SQS event source's batch and API
Gateway's REST proxy event (payload 1.0), built from what the stack and the queues hold."""
from __future__ import annotations

import base64
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit


def scheduled(rule_arn: str) -> dict[str, Any]:
    _, _, _, region, account, _ = rule_arn.split(":", 5)
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": account, "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": region, "resources": [rule_arn], "detail": {}}


def sqs(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The batch the event source mapping hands the function, from ReceiveMessage's answer (AttributeNames=All)."""
    region = queue_arn.split(":")[3]
    return {"Records": [{
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {name: {key[0].lower() + key[1:]: value for key, value in attribute.items()}
                              for name, attribute in message.get("MessageAttributes", {}).items()},
        "md5OfBody": message["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
        "awsRegion": region} for message in messages]}


def route_of(paths: dict[str, Any], method: str, path: str) -> tuple[str, dict[str, str]]:
    """The API's resource (from its OpenAPI body) that API Gateway matches a request's path to, and its parameters."""
    for resource in sorted(paths, key=lambda candidate: candidate.count("{")):  # literal segments first
        if method.lower() not in paths[resource]:
            continue
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(resource))
        found = re.fullmatch(pattern, path)
        if found:
            return resource, found.groupdict()
    raise AssertionError(f"the deployed API has no route for {method} {path}")


def api_proxy(paths: dict[str, Any], method: str, url: str, *, stage: str, api_id: str, account: str,
              headers: dict[str, str] | None = None, body: bytes | None = None) -> dict[str, Any]:
    """A REST API proxy event (payload format 1.0) for ``url`` ("/api/...?query")."""
    split = urlsplit(url)
    resource, path_parameters = route_of(paths, method, split.path)
    query = parse_qsl(split.query, keep_blank_values=True)
    headers = {"Host": f"{api_id}.execute-api.amazonaws.com", "User-Agent": "deploy-rehearsal",
               "X-Forwarded-Proto": "https", **(headers or {})}
    binary = body is not None and not _is_text(body)
    return {
        "resource": resource, "path": split.path, "httpMethod": method.upper(),
        "headers": headers, "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": dict(query) or None,
        "multiValueQueryStringParameters": {name: [v for k, v in query if k == name] for name, _ in query} or None,
        "pathParameters": path_parameters or None, "stageVariables": None,
        "requestContext": {
            "resourcePath": resource, "httpMethod": method.upper(), "path": f"/{stage}{split.path}",
            "stage": stage, "accountId": account, "apiId": api_id, "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()), "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "deploy-rehearsal"},
            "domainName": f"{api_id}.execute-api.amazonaws.com"},
        "body": None if body is None else base64.b64encode(body).decode() if binary else body.decode(),
        "isBase64Encoded": binary,
    }


def _is_text(body: bytes) -> bool:
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True
