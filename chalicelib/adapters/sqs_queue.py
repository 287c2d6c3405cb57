"""The queues on SQS: export batches (batch calls of up to 10 entries and 1 MiB) and delayed sync triggers."""
from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..domain.batching import SEND_MAX_BYTES as MAX_CALL_BYTES
from ..domain.batching import SEND_MAX_MESSAGES as MAX_ENTRIES
from ..domain.errors import CatalogSyncError
from ..ports import BatchQueue, SyncTrigger

_RETRIES = 3
MAX_DELAY_SECONDS = 900  # SQS's limit for DelaySeconds


class QueueError(CatalogSyncError):
    """Messages could not be sent; ``sent`` of them went out before the failure."""

    def __init__(self, message: str, sent: int):
        super().__init__(message)
        self.sent = sent


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
            for attempt in range(_RETRIES + 1):
                response = self._client.send_message_batch(
                    QueueUrl=self._url, Entries=[{"Id": i, "MessageBody": b} for i, b in entries.items()])
                sent += len(response.get("Successful", []))
                failed = response.get("Failed", [])
                entries = {f["Id"]: entries[f["Id"]] for f in failed}
                if not entries:
                    break
                if attempt == _RETRIES or any(f.get("SenderFault") for f in failed):
                    raise QueueError(f"SQS refused {len(entries)} messages: {failed[0].get('Message')}", sent)
                time.sleep(0.1 * 2 ** attempt)
        return sent


class SqsSyncTrigger(SyncTrigger):
    """One message per sync request, held back by SQS for the debounce (``DelaySeconds``)."""

    def __init__(self, client: Any, queue_url: str):
        self._client = client
        self._url = queue_url

    def request(self, feed: str, requested_at: str, delay_seconds: int) -> None:
        if not self._url:
            raise QueueError("the trigger queue is not configured (set TRIGGER_QUEUE_URL)", 0)
        body = json.dumps({"feed": feed, "requested_at": requested_at})
        try:
            self._client.send_message(QueueUrl=self._url, MessageBody=body,
                                      DelaySeconds=max(0, min(delay_seconds, MAX_DELAY_SECONDS)))
        except (BotoCoreError, ClientError) as error:
            raise QueueError(f"cannot send the sync request to the trigger queue: {error}", 0) from None

    def start_run(self, feed: str, run_id: str) -> None:
        if not self._url:
            raise QueueError("the trigger queue is not configured (set TRIGGER_QUEUE_URL)", 0)
        try:
            self._client.send_message(QueueUrl=self._url, MessageBody=json.dumps({"feed": feed, "run_id": run_id}))
        except (BotoCoreError, ClientError) as error:
            raise QueueError(f"cannot send the forced sync to the trigger queue: {error}", 0) from None
