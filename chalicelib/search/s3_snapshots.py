"""The products search snapshots' bytes in S3: one object per snapshot, read with parallel ranged GETs.

DynamoDB serves a partition key at most 3,000 read units a second (12 MB/s strongly consistent), so a snapshot of
hundreds of MB stored there in chunks takes tens of seconds to read; S3 serves an object's byte ranges in parallel,
each connection at S3's per-connection rate. AWS's guidance (Best Practices Design Patterns: Optimizing Amazon S3
Performance, "Use Byte-Range Fetches") is concurrent requests for ranges of 8 or 16 MB. A cold start decodes each
section as soon as its bytes have arrived (``Arriving``), so decoding overlaps the transfer.
"""
from __future__ import annotations

import io
import queue
import threading
from typing import Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from .store import Arriving, SnapshotError

PART_BYTES = 8 * 1024 * 1024
CONNECTIONS = 10  # ranged GETs at once (the client's pool must allow as many: botocore's default is 10)


class SnapshotObjects:
    """Snapshots as S3 objects under ``prefix`` in ``bucket`` (``client``: a boto3 S3 client)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "search-index/", part_bytes: int = PART_BYTES):
        self._client, self.bucket, self._prefix, self._part_bytes = client, bucket, prefix, part_bytes

    def key(self, feed: str, snapshot_id: str) -> str:
        return f"{self._prefix}{feed}/{snapshot_id}.snapshot"

    def put(self, key: str, data: bytes) -> None:
        # Multipart, parts uploaded in parallel, above 16 MB (boto3's transfer manager).
        self._client.upload_fileobj(io.BytesIO(data), self.bucket, key,
                                    Config=TransferConfig(multipart_chunksize=PART_BYTES * 2,
                                                          max_concurrency=CONNECTIONS))

    def get(self, key: str, size: int) -> Arriving:
        """The object's bytes, arriving: fetched in parts by CONNECTIONS threads, in order."""
        arriving = Arriving(size, self._part_bytes)

        def fetch(part: int) -> None:
            start, end = arriving.span(part)
            try:
                answer = self._client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end - 1}")
                arriving.arrive(part, answer["Body"].read())
            except ClientError as error:
                # Replaced meanwhile: S3 answers 403 rather than 404 to a role that may not list the bucket.
                code = error.response.get("Error", {}).get("Code")
                arriving.fail(SnapshotError(f"the snapshot {key} is gone or cannot be read ({code})"))
            except Exception as error:  # a broken connection: the reader sees it, never a thread's traceback alone
                arriving.fail(SnapshotError(f"the snapshot {key} could not be read: {error!r}"))

        def fetch_parts(parts: queue.SimpleQueue[int]) -> None:
            while True:
                try:
                    part = parts.get_nowait()
                except queue.Empty:
                    return
                fetch(part)

        if size:
            # Daemon threads, not an executor's: a process that stops (Ctrl-C on the local stack) never waits for
            # a snapshot still arriving. The reader waits on the parts it needs, not on the threads.
            parts: queue.SimpleQueue[int] = queue.SimpleQueue()
            for part in range(arriving.parts):
                parts.put(part)
            for number in range(min(CONNECTIONS, arriving.parts)):
                threading.Thread(target=fetch_parts, args=(parts,), name=f"search-snapshot-{number}",
                                 daemon=True).start()
        return arriving

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=key)

