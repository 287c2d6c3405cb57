"""Powertools for every handler: JSON logs with per-thread correlation keys, EMF metrics and X-Ray tracing.

Where there is no AWS (the local stack, the tests) tracing is off (POWERTOOLS_TRACE_DISABLED) and metrics
are off (POWERTOOLS_METRICS_DISABLED): nothing is printed or sent, and the calls below cost next to nothing.
"""
from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

SERVICE = "catalog-sync"
NAMESPACE = "CatalogSync"

_service = os.environ.get("POWERTOOLS_SERVICE_NAME") or SERVICE  # per stage in AWS: its alarms are its own
logger = Logger(service=_service)
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or NAMESPACE, service=_service)
tracer = Tracer(service=_service)

# Metric names (the alarms of the deployment refer to them).
ROWS_EXPORTED = "RowsExported"
ROWS_FAILED = "RowsFailed"
BATCH_LATENCY = "BatchLatency"
RETRIES = "Retries"
RUNS_FAILED = "RunsFailed"
SYNCS_SUCCEEDED = "SyncSucceeded"  # the "no successful sync for 2 hours" alarm watches it


@contextmanager
def correlated(**keys: Any) -> Iterator[None]:
    """Add run/batch ids to this thread's log lines (the local stack runs several exporters at once)."""
    logger.thread_safe_append_keys(**keys)
    try:
        yield
    finally:
        logger.thread_safe_remove_keys(keys)


def count(name: str, value: float = 1) -> None:
    if value:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def milliseconds(name: str, value: float) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Milliseconds, value=value)


def flush() -> None:
    """Publish the invocation's metrics (one EMF line to stdout, which CloudWatch turns into metrics)."""
    if is_metrics_disabled():
        metrics.clear_metrics()
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an invocation with nothing to report is normal
        metrics.flush_metrics()


@contextmanager
def invocation(handler: str) -> Iterator[None]:
    """Around a Lambda handler: a trace segment for it, and its metrics flushed however it ends."""
    with tracer.provider.in_subsegment(f"## {handler}"):
        try:
            yield
        finally:
            flush()
