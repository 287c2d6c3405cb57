"""The queues on SQS: export batches (batch calls of up to 10 entries and 1 MiB) and delayed sync triggers."""
from __future__ import annotations

from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..domain import trigger_message
from ..domain.batching import SEND_MAX_BYTES as MAX_CALL_BYTES
from ..domain.batching import SEND_MAX_MESSAGES as MAX_ENTRIES
from ..domain.errors import CatalogSyncError
from ..domain.retry import RetriesExhaustedError, RetryPolicy, TransientError
from ..ports import BatchQueue, SyncTrigger

MAX_DELAY_SECONDS = 900  # SQS's limit for DelaySeconds


class QueueError(CatalogSyncError):
    """Messages could not be sent; ``sent`` of them went out before the failure."""

    def __init__(self, message: str, sent: int):
        super().__init__(message)
        self.sent = sent


class _RefusedError(TransientError):
    """SQS refused some entries of a batch call; a sender's fault (a message it will never take) is not retried."""

    def __init__(self, message: str, sender_fault: bool):
        super().__init__(message)
        self.sender_fault = sender_fault


# The entries SQS refused in a call it answered (botocore retries a call that failed as a whole, not these):
# 4 tries, 100 ms doubling.
_REFUSED_ENTRIES = RetryPolicy(budget_seconds=None, attempts=4, base_seconds=0.1, jitter=False,
                               retryable=lambda error: isinstance(error, _RefusedError) and not error.sender_fault)


def _calls(messages: list[str]) -> list[list[str]]:
    calls: list[list[str]] = [[]]
    size = 0
    for body in messages:
        length = len(body.encode())
        if calls[-1] and (len(calls[-1]) == MAX_ENTRIES or size + length > MAX_CALL_BYTES):
            calls.append([])
            size = 0
        calls[-1].append(body)
        size += length
    return [call for call in calls if call]


class SqsBatchQueue(BatchQueue):
    def __init__(self, client: Any, queue_url: str):
        self._client = client
        self._url = queue_url

    def send(self, messages: list[str]) -> int:
        sent = 0
        for call in _calls(messages):
            entries = {str(i): body for i, body in enumerate(call)}
            try:
                _REFUSED_ENTRIES.call(partial(self._send_entries, entries))
            except (_RefusedError, RetriesExhaustedError) as error:
                refused = error.last if isinstance(error, RetriesExhaustedError) else error
                sent += len(call) - len(entries)
                raise QueueError(f"SQS refused {len(entries)} messages: {refused}", sent) from None
            sent += len(call)
        return sent

    def _send_entries(self, entries: dict[str, str]) -> None:
        """One SendMessageBatch of ``entries``; those sent leave ``entries``, and _RefusedError names the rest."""
        response = self._client.send_message_batch(
            QueueUrl=self._url, Entries=[{"Id": i, "MessageBody": b} for i, b in entries.items()])
        failed = response.get("Failed", [])
        refused = {f["Id"]: entries[f["Id"]] for f in failed}
        entries.clear()
        entries.update(refused)
        if failed:
            raise _RefusedError(str(failed[0].get("Message")), any(f.get("SenderFault") for f in failed))


class SqsSyncTrigger(SyncTrigger):
    """One message per sync request, held back by SQS for the debounce (``DelaySeconds``)."""

    def __init__(self, client: Any, queue_url: str):
        self._client = client
        self._url = queue_url

    def request(self, feed: str, requested_at: str, delay_seconds: int) -> None:
        if not self._url:
            raise QueueError("the trigger queue is not configured (set TRIGGER_QUEUE_URL)", 0)
        body = trigger_message.sync_request(feed, requested_at)
        try:
            self._client.send_message(QueueUrl=self._url, MessageBody=body,
                                      DelaySeconds=max(0, min(delay_seconds, MAX_DELAY_SECONDS)))
        except (BotoCoreError, ClientError) as error:
            raise QueueError(f"cannot send the sync request to the trigger queue: {error}", 0) from None

    def start_run(self, feed: str, run_id: str) -> None:
        if not self._url:
            raise QueueError("the trigger queue is not configured (set TRIGGER_QUEUE_URL)", 0)
        try:
            self._client.send_message(QueueUrl=self._url, MessageBody=trigger_message.forced_run(feed, run_id))
        except (BotoCoreError, ClientError) as error:
            raise QueueError(f"cannot send the forced sync to the trigger queue: {error}", 0) from None

    def start_reconciliation(self, feed: str, report_id: str) -> None:
        if not self._url:
            raise QueueError("the trigger queue is not configured (set TRIGGER_QUEUE_URL)", 0)
        try:
            self._client.send_message(QueueUrl=self._url,
                                      MessageBody=trigger_message.reconciliation(feed, report_id))
        except (BotoCoreError, ClientError) as error:
            raise QueueError(f"cannot send the reconciliation to the trigger queue: {error}", 0) from None
