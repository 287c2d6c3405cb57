"""The HTTP ingestion destination: each batch one gzip-compressed JSON POST with an API key.

The contract is docs/ingestion-api.md. Transient failures are retried within the exporter's time budget;
every other outcome is a per-row result or a DestinationError that says what becomes of the batch.
"""
from __future__ import annotations

import gzip
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
import urllib3

from .. import credentials
from ..domain.backoff import retry_after_seconds
from ..domain.batching import ExportBatch
from ..domain.budget import Deadline
from ..domain.errors import DestinationError, Failure
from ..domain.feed import RowKey, exported_item
from ..domain.feeds import feed_named
from ..domain.holdings import HeldItem
from ..domain.retry import RetriesExhaustedError, TransientError
from ..domain.runs import SyncRun
from ..observability import RETRIES, count, logger
from ..ports import Destination
from ..settings import BATCH_MAX_BYTES, DESTINATION_URL, Settings
from .ingestion_codes import (
    DROPPED,
    KEY_HINT,
    KEY_UNAVAILABLE,
    NO_ENDPOINT,
    NO_TIME,
    REASON_MAX_CHARS,
    REFUSED,
    REJECTED,
    THROTTLED,
    TIMEOUT,
    TOO_LARGE,
    UNAUTHORIZED,
    UNAVAILABLE,
    UNREACHABLE,
    message_of,
    reason_of,
    retryable,
)
from .ingestion_reads import MIN_ATTEMPT_SECONDS, PAGE_SIZE, IngestionReader, ingestion_retry

BATCH_HEADER = "X-Catalog-Sync-Batch"
CONNECT_TIMEOUT_SECONDS = 5.0


class _Transient(TransientError):
    """One attempt failed in a way the next may not; ``code`` and ``what`` group the failure, ``detail`` varies."""

    def __init__(self, code: str, what: str, detail: str = "", retry_after: float | None = None):
        super().__init__(what, retry_after)
        self.code, self.what, self.detail = code, what, detail


@dataclass(frozen=True)
class _Answer:
    status: int
    payload: Any  # the JSON body; None when empty
    content_type: str


def _identity(item: Mapping[str, Any], fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(item.get(name)) for name in fields)


def _named(payload: Any, sent: Mapping[RowKey, Any], identity: tuple[str, ...]) -> dict[RowKey, Failure]:
    """The rows of ``sent`` that the answer's ``errors`` name by the feed's identity fields, with their reasons
    (others are ignored)."""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    named: dict[RowKey, Failure] = {}
    by_identity = {_identity(item, identity): key for key, item in sent.items()}
    for entry in errors if isinstance(errors, list) else []:
        if not isinstance(entry, dict):
            continue
        key = by_identity.get(_identity(entry, identity))
        if key is not None:
            reason = str(entry.get("reason") or "rejected by the destination")[:REASON_MAX_CHARS]
            named[key] = Failure(REJECTED, reason)
    if isinstance(errors, list) and len(named) < len(errors):
        logger.warning("the destination named rows that were not sent", extra={"named": len(errors),
                                                                                "matched": len(named)})
    return named


def _retrying(error: Exception, attempts: int, pause: float) -> None:
    count(RETRIES)
    logger.info("destination retry", extra={"attempt": attempts, "cause": getattr(error, "what", str(error)),
                                            "wait_seconds": round(pause, 2)})


class HttpDestination(Destination):
    kind = "http"

    def __init__(self, url: str, api_key: Callable[[], str], key_header: str = "x-api-key",
                 timeout_seconds: float = 30.0, budget_seconds: float = 120.0,
                 pool: urllib3.PoolManager | None = None, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None, read_page_size: int = PAGE_SIZE):
        self.url = url
        self._api_key = api_key  # called per request: the secret is cached by Powertools, a rotation picked up
        self._key_header = key_header
        self._timeout = timeout_seconds
        self._budget = budget_seconds
        self._pool = pool or urllib3.PoolManager(maxsize=4, retries=False)
        self._rng = rng or random.Random()
        self._retry = ingestion_retry(sleep, self._rng)
        self._posts = 0  # made, retries included
        parts = urlsplit(url)
        self._reader = IngestionReader(f"{parts.scheme}://{parts.netloc}", lambda: self._headers(None), self._pool,
                                       timeout_seconds, budget_seconds, sleep, self._rng, read_page_size)

    def __repr__(self) -> str:
        return f"HttpDestination({self.url!r}, key header {self._key_header!r})"  # never the key

    def deliver(self, batch: ExportBatch, modified_at: str,
                deadline: Deadline | None = None) -> dict[RowKey, Failure]:
        deadline = deadline or Deadline.after(self._budget)
        identity = feed_named(batch.feed).identity
        items = {row.key: exported_item(row.document, row.last_modified, modified_at) for row in batch.rows}
        answer = self._post(batch, items, deadline)
        rejected = self._results(answer, items, identity)
        if answer.status != 400:
            return rejected
        # A 400 naming rows stored nothing: the other rows go again at once, once, without them.
        rest = {key: item for key, item in items.items() if key not in rejected}
        if not rest:
            return rejected
        again = self._post(batch, rest, deadline)
        rejected.update(self._results(again, rest, identity))
        if again.status == 400:
            refused = Failure(REFUSED, f"the destination refused the batch (400): {message_of(again.payload)}")
            rejected.update({key: refused for key in rest if key not in rejected})
        return rejected

    def url_of(self, feed: str) -> str:
        """Where a feed's batches go: ``{feed}`` in DESTINATION_URL is the feed's name."""
        return self.url.replace("{feed}", feed)

    def complete_run(self, run: SyncRun) -> None:
        """The ingestion API has no notion of a run: nothing to do."""

    reads_back = True

    def held(self, feed: str, key: RowKey) -> dict[str, Any] | None:
        """``GET <service base>/v1/items?feed=&<identity>``: one attempt (a person is waiting), its ``document``;
        None when the service holds no such item."""
        return self._reader.held(feed_named(feed), key)

    def holdings(self, feed: str) -> Iterator[HeldItem]:
        """``GET <service base>/v1/feeds/{feed}/items`` page by page (``read_page_size`` items a request, 1,000 by
        default), each page retried within the time budget."""
        return self._reader.holdings(feed_named(feed))

    @property
    def requests(self) -> int:
        """Requests made, retries and reads included."""
        return self._posts + self._reader.requests

    def _results(self, answer: _Answer, sent: Mapping[RowKey, Any],
                 identity: tuple[str, ...]) -> dict[RowKey, Failure]:
        """Rows rejected for good; raises DestinationError when the answer fails the whole batch."""
        status, payload = answer.status, answer.payload
        if 200 <= status < 300:
            if payload is not None and not isinstance(payload, dict):
                raise self._not_ingestion_api(answer)
            return _named(payload, sent, identity)
        if status == 400:
            named = _named(payload, sent, identity)
            if not named:
                raise DestinationError(f"the destination refused the batch (400): {message_of(payload)}",
                                       retryable=False, code=REFUSED)
            return named
        if status in (401, 403):
            raise DestinationError(f"the destination refused the API key ({status}): {KEY_HINT}; it said: "
                                   f"{message_of(payload)}", retryable=False, next_sync=True, code=UNAUTHORIZED)
        if status in (404, 405):
            raise DestinationError(f"the destination has no ingestion endpoint at {DESTINATION_URL} ({status}): "
                                   f"check {self.url}; it said: {message_of(payload)}", retryable=False, next_sync=True,
                                   code=NO_ENDPOINT)
        if status == 413:
            raise DestinationError(f"the batch is too large for the destination (413): lower {BATCH_MAX_BYTES}; "
                                   f"it said: {message_of(payload)}", retryable=False, code=TOO_LARGE)
        raise DestinationError(f"the destination refused the batch ({status}): {message_of(payload)}", retryable=False,
                               code=REFUSED)

    def _not_ingestion_api(self, answer: _Answer) -> DestinationError:
        return DestinationError(f"the destination's answer is not the ingestion API's ({answer.status}, "
                                f"{answer.content_type or 'no content type'}): check {DESTINATION_URL} ({self.url})",
                                retryable=False, next_sync=True, code=NO_ENDPOINT)

    def _post(self, batch: ExportBatch, items: Mapping[RowKey, Any], deadline: Deadline) -> _Answer:
        """POST the items, retrying transient failures with backoff and full jitter until the deadline."""
        body = gzip.compress(orjson.dumps({"feed": batch.feed, "batchId": batch.batch_id,
                                           "items": list(items.values())}), compresslevel=6, mtime=0)
        if deadline.remaining() < MIN_ATTEMPT_SECONDS:
            raise DestinationError(f"no time left to deliver the batch: {deadline.remaining():.1f} s of the "
                                   "export time budget", retryable=True, code=NO_TIME)
        started = time.monotonic()
        try:
            return self._retry.call(lambda: self._once(body, batch.batch_id, self.url_of(batch.feed), deadline),
                                    deadline, _retrying)
        except RetriesExhaustedError as gave_up:
            error, attempts, left = gave_up.last, gave_up.attempts, deadline.remaining()
            assert isinstance(error, _Transient)  # the only error retried
            details = [error.detail] if error.detail else []
            if error.retry_after is not None and error.retry_after + MIN_ATTEMPT_SECONDS > left:
                details.append(f"Retry-After {error.retry_after:g} s is beyond the time left ({left:.1f} s)")
            details.append(f"gave up after {attempts} attempt{'s' if attempts > 1 else ''} in "
                           f"{time.monotonic() - started:.1f} s (the export time budget)")
            raise DestinationError(f"{error.what}: {'; '.join(details)}", retryable=True, code=error.code) from None

    def _headers(self, batch_id: str | None) -> dict[str, str]:
        try:
            key = self._api_key()
        except credentials.CredentialsError as error:
            raise DestinationError(f"the destination's API key cannot be read: {error}", retryable=False,
                                   next_sync=True, code=KEY_UNAVAILABLE) from None
        if batch_id is None:  # a read
            return {"Accept": "application/json", "Accept-Encoding": "gzip", "User-Agent": "catalog-sync",
                    self._key_header: key}
        return {"Content-Type": "application/json", "Content-Encoding": "gzip", "Accept": "application/json",
                "User-Agent": "catalog-sync", self._key_header: key, BATCH_HEADER: batch_id}

    def _once(self, body: bytes, batch_id: str, url: str, deadline: Deadline) -> _Answer:
        seconds = min(self._timeout, deadline.remaining())
        timeout = urllib3.Timeout(total=seconds, connect=min(CONNECT_TIMEOUT_SECONDS, seconds))
        headers = self._headers(batch_id)
        self._posts += 1
        try:
            response = self._pool.request("POST", url, body=body, headers=headers, timeout=timeout,
                                          retries=False)
        except urllib3.exceptions.NewConnectionError as error:  # (a ConnectTimeoutError subclass: first)
            raise _Transient(UNREACHABLE, "cannot reach the destination", self._reason(error)) from None
        except urllib3.exceptions.TimeoutError:
            raise _Transient(TIMEOUT, "the destination did not answer in time",
                             f"no answer within {seconds:.1f} s") from None
        except urllib3.exceptions.ProtocolError as error:
            raise _Transient(DROPPED, "the destination dropped the connection", self._reason(error)) from None
        except urllib3.exceptions.HTTPError as error:
            raise _Transient(UNREACHABLE, "cannot reach the destination", self._reason(error)) from None
        status, content_type = response.status, response.headers.get("Content-Type", "")
        if retryable(status):
            raise _Transient(THROTTLED if status == 429 else UNAVAILABLE, f"the destination answered {status}", "",
                             retry_after_seconds(response.headers.get("Retry-After")))
        try:
            payload = orjson.loads(response.data) if response.data else None
        except orjson.JSONDecodeError:
            payload = None
            if 200 <= status < 300:
                raise self._not_ingestion_api(_Answer(status, None, content_type)) from None
        return _Answer(status, payload, content_type)

    def _reason(self, error: Exception) -> str:
        return reason_of(error, self.url)


def from_settings(settings: Settings) -> HttpDestination:
    """The destination the settings describe; the key is read (and cached) at each request."""
    secret = settings.destination_api_key_secret

    def api_key() -> str:
        return credentials.require((credentials.DESTINATION_API_KEY,), secret)[credentials.DESTINATION_API_KEY]

    return HttpDestination(settings.destination_url, api_key, settings.destination_api_key_header,
                           settings.destination_timeout_seconds, settings.export_time_budget_seconds)
