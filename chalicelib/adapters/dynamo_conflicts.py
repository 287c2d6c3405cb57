"""DynamoDB transactions cancelled by another writer: which items lost their condition, and the one retry policy for
a conflict (a concurrent transaction on the same items), which botocore does not retry; its throttling retries are
botocore's own (adapters/aws.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pynamodb.exceptions import TransactWriteError

from ..domain.retry import RetriesExhaustedError, RetryPolicy

T = TypeVar("T")
CONDITION_FAILED = "ConditionalCheckFailed"


def lost_condition_in(error: TransactWriteError) -> bool:
    """Some item of the cancelled transaction failed its condition (the write is moot, not to be retried)."""
    return any(reason and reason.code == CONDITION_FAILED for reason in error.cancellation_reasons or ())


def conflicted(error: Exception) -> bool:
    """A transaction cancelled for a reason other than a failed condition: trying again may pass."""
    return (isinstance(error, TransactWriteError) and bool(error.cancellation_reasons)
            and not lost_condition_in(error))


# 50 ms, doubling, no jitter (the writers are few: a settling exporter, a sync clearing what it read).
CONFLICTS = RetryPolicy(budget_seconds=None, base_seconds=0.05, jitter=False, retryable=conflicted)


def retry_conflicts(transaction: Callable[[], T], attempts: int = 5) -> T:
    """``transaction()``, tried up to ``attempts`` times while another writer's transaction conflicts with it; the
    last conflict is raised as it came."""
    try:
        return CONFLICTS.with_attempts(attempts).call(transaction)
    except RetriesExhaustedError as gave_up:
        raise gave_up.last from None
