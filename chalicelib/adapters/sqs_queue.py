"""The queues on SQS: export batches (batch calls of up to 10 entries and 1 MiB) and delayed sync triggers.

The export queue is FIFO (its name ends in .fifo): each batch goes in its message group, deduplicated by its batch
id. A standard queue (a test's, a bench's) gets the same bodies without either: SQS refuses them there."""
from __future__ import annotations

from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..domain import trigger_message
from ..domain.batching import SEND_MAX_BYTES as MAX_CALL_BYTES
from ..domain.batching import SEND_MAX_MESSAGES as MAX_ENTRIES
from ..domain.batching import ExportMessage
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


FIFO_SUFFIX = ".fifo"


def _calls(messages: list[ExportMessage]) -> list[list[ExportMessage]]:
    calls: list[list[ExportMessage]] = [[]]
    size = 0
    for message in messages:
        length = len(message.body.encode())
        if calls[-1] and (len(calls[-1]) == MAX_ENTRIES or size + length > MAX_CALL_BYTES):
            calls.append([])
            size = 0
        calls[-1].append(message)
        size += length
    return [call for call in calls if call]


class SqsBatchQueue(BatchQueue):
    def __init__(self, client: Any, queue_url: str):
        self._client = client
        self._url = queue_url
        self._fifo = queue_url.endswith(FIFO_SUFFIX)

    def send(self, messages: list[ExportMessage]) -> int:
        sent = 0
        for call in _calls(messages):
            entries = {str(i): self._entry(str(i), message) for i, message in enumerate(call)}
            try:
                _REFUSED_ENTRIES.call(partial(self._send_entries, entries))
            except (_RefusedError, RetriesExhaustedError) as error:
                refused = error.last if isinstance(error, RetriesExhaustedError) else error
                sent += len(call) - len(entries)
                raise QueueError(f"SQS refused {len(entries)} messages: {refused}", sent) from None
            sent += len(call)
        return sent

    def _entry(self, entry_id: str, message: ExportMessage) -> dict[str, str]:
        entry = {"Id": entry_id, "MessageBody": message.body}
        if self._fifo:  # a retried entry (or a second send of the batch) within 5 minutes is dropped by SQS
            entry.update(MessageGroupId=message.group, MessageDeduplicationId=message.batch_id)
        return entry

    def _send_entries(self, entries: dict[str, dict[str, str]]) -> None:
        """One SendMessageBatch of ``entries``; those sent leave ``entries``, and _RefusedError names the rest."""
        response = self._client.send_message_batch(QueueUrl=self._url, Entries=list(entries.values()))
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
        self._send(trigger_message.sync_request(feed, requested_at), "the sync request",
                   DelaySeconds=max(0, min(delay_seconds, MAX_DELAY_SECONDS)))

    def start_run(self, feed: str, run_id: str) -> None:
        self._send(trigger_message.forced_run(feed, run_id), "the forced sync")

    def start_dry_run(self, feed: str, run_id: str) -> None:
        self._send(trigger_message.dry_run(feed, run_id), "the dry run")

    def start_reconciliation(self, feed: str, report_id: str) -> None:
        self._send(trigger_message.reconciliation(feed, report_id), "the reconciliation")

    def _send(self, body: str, what: str, **extra: Any) -> None:
        if not self._url:
            raise QueueError("the trigger queue is not configured (set TRIGGER_QUEUE_URL)", 0)
        try:
            self._client.send_message(QueueUrl=self._url, MessageBody=body, **extra)
        except (BotoCoreError, ClientError) as error:
            raise QueueError(f"cannot send {what} to the trigger queue: {error}", 0) from None
