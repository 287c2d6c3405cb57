"""The S3 hub destination: each batch one JSON-lines object under its run's prefix, and a manifest."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..domain.batching import ExportBatch
from ..domain.budget import Deadline
from ..domain.errors import DestinationError, Failure
from ..domain.feed import RowKey, exported_item
from ..domain.holdings import HeldItem
from ..domain.runs import SyncRun
from ..ports import CANNOT_READ_BACK, Destination

# Configuration problems: retrying the message cannot help, the rows wait for the next sync.
_CONFIGURATION = {"AccessDenied", "NoSuchBucket", "InvalidBucketName", "AllAccessDisabled"}


def _error(action: str, error: Exception) -> DestinationError:
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    configuration = code in _CONFIGURATION
    return DestinationError(f"S3 hub {action} failed: {code or type(error).__name__}: {error}",
                            retryable=not configuration, next_sync=configuration,
                            code=f"destination.s3.{code or type(error).__name__}")


class S3HubDestination(Destination):
    kind = "s3-hub"

    def __init__(self, client: Any, bucket: str, prefix: str = "feeds"):
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    def batch_key(self, batch: ExportBatch) -> str:
        return f"{self._prefix}/{batch.feed}/runs/{batch.run_id}/batch-{batch.batch_no:05d}.jsonl"

    def deliver(self, batch: ExportBatch, modified_at: str,
                deadline: Deadline | None = None) -> dict[RowKey, Failure]:
        # One PutObject: botocore's own retries are the budget.
        lines = (json.dumps(exported_item(row.document, row.last_modified, modified_at), ensure_ascii=False)
                 for row in batch.rows)
        try:
            self._client.put_object(Bucket=self._bucket, Key=self.batch_key(batch),
                                    Body="\n".join(lines).encode() + b"\n", ContentType="application/x-ndjson")
        except (ClientError, BotoCoreError) as error:
            raise _error("upload", error) from None
        return {}

    def held(self, feed: str, key: RowKey) -> dict[str, Any] | None:
        """The hub keeps batches, not items: what it holds for one item cannot be read without scanning every
        batch object ever delivered (``reads_back`` is False)."""
        return None

    def holdings(self, feed: str) -> Iterator[HeldItem]:
        """Not readable: the hub is a drop box of batches. The newest version of each item is spread over every
        run's objects (a read would cost the whole history, not the feed), and what the hub's consumer holds is
        the consumer's to say; a run's objects are what was delivered, not what is held."""
        raise DestinationError(f"the S3 hub keeps batches, not items: what it holds of the {feed} feed cannot be read "
                               "back (compare with what the hub's consumer holds, through its own API)",
                               retryable=False, code=CANNOT_READ_BACK)

    def complete_run(self, run: SyncRun) -> None:
        prefix = f"{self._prefix}/{run.feed}/runs/{run.run_id}/"
        try:
            pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix)
            delivered = sorted(obj["Key"][len(prefix):] for page in pages for obj in page.get("Contents", [])
                               if obj["Key"].endswith(".jsonl"))
            manifest = {"run": asdict(run), "batches": delivered}
            self._client.put_object(Bucket=self._bucket,
                                    Key=f"{prefix}manifest.json",
                                    Body=json.dumps(manifest, indent=1).encode(), ContentType="application/json")
        except (ClientError, BotoCoreError) as error:
            raise _error("manifest upload", error) from None
