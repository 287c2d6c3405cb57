"""Shared by the benchmarks: a fake AWS environment, request counting, moto resources and results."""
from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REGION = "us-east-1"
HUB_BUCKET = "catalog-sync-bench-hub"
QUEUE, DLQ = "catalog-sync-export", "catalog-sync-export-dlq"
REPO = Path(__file__).resolve().parent.parent


def fake_aws_env(endpoint_url: str | None = None) -> None:
    """Never reach a real account: fake credentials, one region, quiet logs; optionally a moto server."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION,
                      POWERTOOLS_SERVICE_NAME="catalog-sync", POWERTOOLS_TRACE_DISABLED="1",
                      POWERTOOLS_LOG_LEVEL="WARNING", POWERTOOLS_METRICS_DISABLED="1")
    if endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url


class RequestCounter:
    """Counts every botocore API call (boto3's clients and PynamoDB's own) as ``service.Operation``,
    with the seconds spent in those calls."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def counting(self) -> Iterator[RequestCounter]:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        counter = self

        def counted(client, operation_name, api_params):
            name = f"{client.meta.service_model.service_name}.{operation_name}"
            started = time.perf_counter()
            try:
                return original(client, operation_name, api_params)
            finally:
                with counter._lock:
                    counter.counts[name] += 1
                    counter.seconds[name] += time.perf_counter() - started

        BaseClient._make_api_call = counted
        try:
            yield self
        finally:
            BaseClient._make_api_call = original

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.counts)


def start_ingestion_service(api_key: str) -> tuple[subprocess.Popen, str]:
    """The simulated ingestion service in its own process (as a real service has its own CPU); its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "local_stack.ingestion", "--port", str(port),
                                "--api-key", api_key], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/__ingest", timeout=2):
                return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the simulated ingestion service did not start")


def create_resources(rows_table: str = "catalog-sync-feed-rows"):
    """The service's tables (from its PynamoDB models), queue + DLQ and hub bucket; returns Settings."""
    import boto3

    from chalicelib.adapters import dynamo_tables
    from chalicelib.settings import Settings

    settings = Settings(feed_rows_table=rows_table, destination="s3-hub", hub_bucket=HUB_BUCKET)
    dynamo_tables.bound(dynamo_tables.TableSettings.of(settings)).create()
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName=DLQ)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(QueueName=QUEUE, Attributes={
        "VisibilityTimeout": "120", "MaximumMessageSize": "1048576",
        "RedrivePolicy": f'{{"deadLetterTargetArn": "{dlq_arn}", "maxReceiveCount": "3"}}'})["QueueUrl"]
    boto3.client("s3").create_bucket(Bucket=HUB_BUCKET)
    return Settings(feed_rows_table=rows_table, export_queue_url=queue, destination="s3-hub",
                    hub_bucket=HUB_BUCKET)


def products_for_rows(rows: int) -> int:
    """Sample products giving about ``rows`` rows: 2 views each, plus the german view for ~80% of them."""
    return max(1, round(rows / 2.8))


@dataclass
class Result:
    """One benchmark's figures: a metrics table, optional extra tables, and the verdict."""

    name: str
    title: str
    goal: str
    metrics: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    met: bool | None = None
    verdict: str = ""

    def add(self, label: str, value) -> None:
        self.metrics.append((label, fmt(value)))


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines() if os.path.exists("/proc/cpuinfo") else []
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")),
               platform.processor() or "unknown CPU")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"nproc {len(os.sched_getaffinity(0))} ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average before the run {load}")


def summary(values: list[float]) -> tuple[float, float]:
    """(best, median) of a list of rates."""
    return max(values), statistics.median(values)
