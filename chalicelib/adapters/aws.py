"""AWS clients, with botocore's own retries for throttling and transient errors (not loops of ours).

Standard mode: exponential backoff with full jitter from 0.1 s up to 20 s, throttling and 5xx retried, and a quota
that stops retrying when most calls fail. Five attempts, as boto3's legacy default made. PynamoDB sets the same
mode for DynamoDB (its "LEGACY" setting: standard mode, 1 + max_retry_attempts = 4 attempts).
"""
from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

MAX_ATTEMPTS = 5
RETRIES = Config(retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS})  # the first call included


def client(service: str, connections: int | None = None) -> Any:
    """A boto3 client for ``service`` with the retries above (region and endpoint from the environment);
    ``connections``: the pool's size where more calls than botocore's default 10 run at once."""
    config = RETRIES if connections is None else RETRIES.merge(Config(max_pool_connections=connections))
    return boto3.client(service, config=config)
