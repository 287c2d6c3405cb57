"""Powertools logging for every handler (JSON lines), with per-thread correlation keys."""
from contextlib import contextmanager
from typing import Any, Iterator

from aws_lambda_powertools import Logger

SERVICE = "catalog-sync"

logger = Logger(service=SERVICE)


@contextmanager
def correlated(**keys: Any) -> Iterator[None]:
    """Add run/batch ids to this thread's log lines (the local stack runs several exporters at once)."""
    logger.thread_safe_append_keys(**keys)
    try:
        yield
    finally:
        logger.thread_safe_remove_keys(keys)
