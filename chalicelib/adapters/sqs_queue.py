"""The export queue on SQS: messages sent with batch calls of up to 10 entries and 1 MiB."""
from __future__ import annotations

import time
from typing import Any

from ..domain.batching import SEND_MAX_BYTES as MAX_CALL_BYTES
from ..domain.batching import SEND_MAX_MESSAGES as MAX_ENTRIES
from ..domain.errors import CatalogSyncError
from ..ports import BatchQueue

_RETRIES = 3


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
