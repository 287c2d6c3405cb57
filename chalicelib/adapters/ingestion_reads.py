"""Reading back what the ingestion service holds (docs/ingestion-api.md, Reading back): one item while a person
waits (one attempt), or a whole feed in pages for a reconciliation (each page retried within the time budget)."""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson
import urllib3

from ..domain.backoff import retry_after_seconds
from ..domain.budget import Deadline
from ..domain.errors import DestinationError
from ..domain.feed import RowKey
from ..domain.feeds import Feed
from ..domain.holdings import HeldItem
from ..domain.retry import RetriesExhaustedError, RetryPolicy, TransientError
from ..observability import RETRIES, count, logger
from .ingestion_codes import (
    KEY_HINT,
    THROTTLED,
    TIMEOUT,
    UNAUTHORIZED,
    UNAVAILABLE,
    UNREACHABLE,
    UNREADABLE,
    message_of,
    reason_of,
    retryable,
)

ITEMS_PATH = "/v1/items"  # one item, at the service base
LISTING_PATH = "/v1/feeds/{feed}/items"  # a feed's items, page by page
PAGE_SIZE = 1000  # items per listing page (the contract allows up to 5,000 without documents)
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 10.0  # a read-back for a person waiting (the product detail) waits at most this
MIN_ATTEMPT_SECONDS = 0.5  # a request is not started with less time than this left


def ingestion_retry(sleep: Callable[[float], None], rng: random.Random) -> RetryPolicy:
    """The ingestion API's retries (deliveries and reads): full jitter from 1 s up to 20 s, at least Retry-After,
    while the caller's deadline leaves time for one more request."""
    return RetryPolicy(budget_seconds=None, sleep=sleep, rng=rng, base_seconds=1.0, cap_seconds=20.0,
                       reserve_seconds=MIN_ATTEMPT_SECONDS)


class _Transient(TransientError):
    """One read failed in a way the next may not (no answer, 408, 429, 5xx)."""

    def __init__(self, code: str, what: str, retry_after: float | None = None):
        super().__init__(what, retry_after)
        self.code, self.what = code, what


def _retrying(error: Exception, attempts: int, pause: float) -> None:
    count(RETRIES)
    logger.info("destination read retry", extra={"attempt": attempts, "cause": getattr(error, "what", str(error)),
                                                 "wait_seconds": round(pause, 2)})


class IngestionReader:
    """Reads of the ingestion API at ``base_url`` (scheme and host), with the headers ``headers()`` gives (the key
    is read at each request)."""

    def __init__(self, base_url: str, headers: Callable[[], dict[str, str]], pool: urllib3.PoolManager,
                 timeout_seconds: float, budget_seconds: float, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None, page_size: int = PAGE_SIZE):
        self._base = base_url
        self._headers = headers
        self._pool = pool
        self._timeout = timeout_seconds
        self._budget = budget_seconds
        self._retry = ingestion_retry(sleep, rng or random.Random())
        self.page_size = page_size
        self.requests = 0

    def held(self, feed: Feed, key: RowKey) -> dict[str, Any] | None:
        """The item's document as the service holds it; None on a 404."""
        fields = {"feed": feed.name, **dict(zip(feed.identity, feed.identity_values(key), strict=True))}
        url = self._base + ITEMS_PATH
        try:
            status, payload = self._get(url, fields, min(self._timeout, READ_TIMEOUT_SECONDS))
        except _Transient as error:
            raise DestinationError(error.what, retryable=True, code=error.code) from None
        if status == 404:
            return None
        document = payload.get("document") if isinstance(payload, dict) else None
        if status != 200 or not isinstance(document, dict):
            raise _unreadable(status, payload, url)
        return document

    def holdings(self, feed: Feed) -> Iterator[HeldItem]:
        """Every item of the feed the service holds, page after page until ``nextCursor`` is null."""
        url = self._base + LISTING_PATH.format(feed=feed.name)
        fields = {"limit": str(self.page_size)}
        while True:
            payload = self._page(url, fields)
            for entry in payload["items"]:
                yield _held_item(entry, feed.identity, url)
            cursor = payload.get("nextCursor")
            if not cursor:
                return
            fields = {"limit": str(self.page_size), "cursor": str(cursor)}

    def _page(self, url: str, fields: Mapping[str, str]) -> dict[str, Any]:
        """One page, retried with backoff and full jitter while the budget allows."""
        deadline = Deadline.after(self._budget)
        try:
            status, payload = self._retry.call(lambda: self._get(url, fields, min(self._timeout, deadline.remaining())),
                                               deadline, _retrying)
        except RetriesExhaustedError as gave_up:
            error = gave_up.last
            assert isinstance(error, _Transient)  # the only error retried
            raise DestinationError(f"{error.what}: gave up reading {url} after {gave_up.attempts} attempts",
                                   retryable=True, code=error.code) from None
        if status != 200 or not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
            raise _unreadable(status, payload, url)
        return payload

    def _get(self, url: str, fields: Mapping[str, str], seconds: float) -> tuple[int, Any]:
        """One GET: its status and JSON body (None when empty or not JSON); _Transient when it may pass later,
        DestinationError when the key is refused."""
        timeout = urllib3.Timeout(total=seconds, connect=min(CONNECT_TIMEOUT_SECONDS, seconds))
        headers = self._headers()
        self.requests += 1
        try:
            response = self._pool.request("GET", url, fields=dict(fields), headers=headers, retries=False,
                                          timeout=timeout)
        except urllib3.exceptions.NewConnectionError as error:  # (a ConnectTimeoutError subclass: first)
            raise _Transient(UNREACHABLE, f"cannot reach the destination: {reason_of(error, url)}") from None
        except urllib3.exceptions.TimeoutError:
            raise _Transient(TIMEOUT, f"the destination did not answer in time (no answer within {seconds:.3g} s "
                                      f"from {url})") from None
        except urllib3.exceptions.HTTPError as error:
            raise _Transient(UNREACHABLE, f"cannot reach the destination: {reason_of(error, url)}") from None
        try:
            payload = orjson.loads(response.data) if response.data else None
        except orjson.JSONDecodeError:
            payload = None
        status = response.status
        if retryable(status):
            raise _Transient(THROTTLED if status == 429 else UNAVAILABLE,
                             f"the destination answered {status} to a read: {message_of(payload)}",
                             retry_after_seconds(response.headers.get("Retry-After")))
        if status in (401, 403):
            raise DestinationError(f"the destination refused the API key ({status}): {KEY_HINT}; it said: "
                                   f"{message_of(payload)}", retryable=False, next_sync=True, code=UNAUTHORIZED)
        return status, payload


def _unreadable(status: int, payload: Any, url: str) -> DestinationError:
    return DestinationError(f"the destination cannot be read back ({status} from {url}): {message_of(payload)}",
                            retryable=False, code=UNREADABLE)


def _held_item(entry: Any, identity: tuple[str, ...], url: str) -> HeldItem:
    """A listed item; DestinationError when it is not what the contract promises."""
    named = entry.get("identity") if isinstance(entry, dict) else None
    values = [named.get(name) for name in identity] if isinstance(named, dict) else []
    texts = tuple(value for value in values if isinstance(value, str))
    hash_ = entry.get("hash") if isinstance(entry, dict) else None
    if len(texts) != len(identity) or not isinstance(hash_, str):
        raise DestinationError(f"the destination's listing at {url} holds an item without its identity "
                               f"({', '.join(identity)}) or hash: {str(entry)[:200]}", retryable=False,
                               code=UNREADABLE)
    modified_at, document = entry.get("modifiedAt"), entry.get("document")
    return HeldItem(texts, hash_, modified_at if isinstance(modified_at, str) else None,
                    entry.get("deleted") is True, document if isinstance(document, dict) else None)
