"""HTTP to Magento's REST API: authentication, retries within a budget, and errors a person can act on."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

import urllib3

from ...domain.backoff import retry_after_seconds
from ...domain.errors import SourceError
from ...domain.retry import RetriesExhaustedError, RetryPolicy, TransientError
from ...observability import RETRIES, count, logger
from .oauth1 import Signer

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
THROTTLED_STATUS = frozenset({429, 503})  # the store asks everyone to slow down, not just this request


class NotFoundError(SourceError):
    """Magento answered 404 for an entity (``No such entity with …``)."""


class NoRouteError(NotFoundError):
    """Magento has no REST route for the path (a module that is not installed, or an unknown store code)."""


class Auth:
    """Adds credentials to a request."""

    mode = ""
    hint = ""

    def headers(self, method: str, url: str) -> dict[str, str]:
        raise NotImplementedError


class BearerAuth(Auth):
    mode = "token"
    hint = ("check the access token (MAGENTO_TOKEN): admin tokens expire after 4 hours, and on Magento 2.4.4+ an "
            "integration token is accepted as a bearer token only when 'Allow OAuth Access Tokens to be used as "
            "standalone Bearer tokens' is on; otherwise use MAGENTO_AUTH=oauth1")

    def __init__(self, token: str):
        self._token = token

    def headers(self, method: str, url: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def __repr__(self) -> str:
        return "BearerAuth(***)"


class OAuth1Auth(Auth):
    """OAuth 1.0a request signing (HMAC-SHA256) with an integration's four credentials."""

    mode = "oauth1"
    hint = ("check the integration's consumer key and secret and access token and secret (MAGENTO_CONSUMER_KEY, "
            "MAGENTO_CONSUMER_SECRET, MAGENTO_ACCESS_TOKEN, MAGENTO_ACCESS_TOKEN_SECRET), and that the integration "
            "is active and allowed this resource")

    def __init__(self, consumer_key: str, consumer_secret: str, access_token: str, access_token_secret: str):
        self._signer = Signer(consumer_key, consumer_secret, access_token, access_token_secret)

    def headers(self, method: str, url: str) -> dict[str, str]:
        return {"Authorization": self._signer.authorization(method, url)}

    def __repr__(self) -> str:
        return "OAuth1Auth(***)"


class _Retryable(TransientError):
    def __init__(self, message: str, retry_after: float | None = None, throttled: bool = False):
        super().__init__(message, retry_after)
        self.throttled = throttled


def _snippet(body: bytes) -> str:
    text = body[:80].decode("utf-8", "replace").strip().replace("\n", " ")
    return text + ("…" if len(body) > 80 else "")


class MagentoClient:
    """GET (and POST) JSON from ``{base_url}/rest/{store}/V1/...``; every failure becomes a SourceError.

    Safe to share between threads: at most ``concurrency`` requests are in flight at once, over keep-alive
    connections (one pool of that size), and a 429 or 503 makes every thread wait out the pause it asked for.
    """

    def __init__(self, base_url: str, auth: Auth, timeout_seconds: float = 30.0,
                 retry: RetryPolicy | None = None, pool: urllib3.PoolManager | None = None, concurrency: int = 8):
        self.base_url = base_url.rstrip("/")
        self._auth = auth
        self._timeout_seconds = timeout_seconds
        self._timeout = urllib3.Timeout(connect=min(10.0, timeout_seconds), read=timeout_seconds)
        self._retry = retry or RetryPolicy()
        self.concurrency = max(1, concurrency)
        self._pool = pool or urllib3.PoolManager(maxsize=self.concurrency, block=True, retries=False)
        self._slots = threading.BoundedSemaphore(self.concurrency)
        self._lock = threading.Lock()
        self._resume_at = 0.0  # monotonic time before which no request starts (the store said to slow down)
        self._local = threading.local()  # per thread: until when it has already waited
        self.requests = 0  # made, retries included (benchmarks read it)
        self.in_flight = self.most_in_flight = 0

    def with_concurrency(self, concurrency: int) -> MagentoClient:
        """A client of the same store, credentials and retries with at most ``concurrency`` requests in flight
        (its own connection pool): one run's --thread-count in place of MAGENTO_CONCURRENCY."""
        return MagentoClient(self.base_url, self._auth, self._timeout_seconds, self._retry, concurrency=concurrency)

    def get(self, store: str, path: str, params: Sequence[tuple[str, str]] = ()) -> Any:
        return self._call("GET", store, path, params)

    def post(self, store: str, path: str, body: Any) -> Any:
        """POST a JSON body (Magento's bulk reads, e.g. prices by SKU lists); retried like a GET: the reads it is
        used for change nothing."""
        return self._call("POST", store, path, (), json.dumps(body).encode())

    def _call(self, method: str, store: str, path: str, params: Sequence[tuple[str, str]],
              body: bytes | None = None) -> Any:
        shown = f"/rest/{store}{path}"  # what messages name: never the query, which may hold SKUs by the hundred
        url = f"{self.base_url}/rest/{quote(store)}{path}"
        if params:
            url += "?" + urlencode(params)
        try:
            return self._retry.call(lambda: self._once(method, url, shown, store, body), on_retry=self._retrying)
        except RetriesExhaustedError as gave_up:
            raise SourceError(f"{gave_up.last} (gave up after {gave_up.attempts} attempts and "
                              f"{gave_up.waited:.0f} s of retrying)") from None

    def _retrying(self, error: Exception, attempts: int, pause: float) -> None:
        count(RETRIES)
        logger.info("retrying a Magento request", extra={"error": str(error), "pause_s": round(pause, 2)})
        until = time.monotonic() + pause
        if isinstance(error, _Retryable) and error.throttled:
            with self._lock:
                self._resume_at = max(self._resume_at, until)
        self._local.slept_until = max(until, getattr(self._local, "slept_until", 0.0))

    def _once(self, method: str, url: str, shown: str, store: str, body: bytes | None) -> Any:
        headers = {"Accept": "application/json", **self._auth.headers(method, url)}
        if body is not None:
            headers["Content-Type"] = "application/json"
        resume_at = self._resume_at
        wait = resume_at - max(time.monotonic(), getattr(self._local, "slept_until", 0.0))
        if wait > 0:  # another thread was told to slow down: so is this one (one pause, not a loop)
            self._retry.sleep(wait)
            self._local.slept_until = resume_at
        with self._slots:
            with self._lock:
                self.requests += 1
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                return self._answer(method, url, shown, store, headers, body)
            finally:
                with self._lock:
                    self.in_flight -= 1

    def _answer(self, method: str, url: str, shown: str, store: str, headers: dict[str, str],
                body: bytes | None) -> Any:
        try:
            response = self._pool.request(method, url, body=body, headers=headers, timeout=self._timeout,
                                          retries=False)
        except urllib3.exceptions.NewConnectionError as error:  # (a ConnectTimeoutError subclass: first)
            raise _Retryable(self._unreachable(shown, error)) from None
        except urllib3.exceptions.TimeoutError:
            raise _Retryable(f"Magento did not answer {shown} in time") from None
        except urllib3.exceptions.HTTPError as error:
            raise _Retryable(self._unreachable(shown, getattr(error, "reason", None) or error)) from None
        status, body = response.status, response.data
        if status in RETRYABLE_STATUS:
            raise _Retryable(f"Magento returned {status} for {shown}",
                             retry_after_seconds(response.headers.get("Retry-After")), status in THROTTLED_STATUS)
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type")
            raise SourceError(f"Magento answered {shown} with HTTP {status} and a non-JSON body ({kind}: "
                              f"{_snippet(body)!r}): check MAGENTO_BASE_URL (the store's base URL, without /rest) "
                              "and any proxy or firewall in front of the store") from None
        if status >= 400:
            raise _typed_error(status, payload)(self._error(status, shown, store, payload))
        return payload

    def _unreachable(self, shown: str, reason: object) -> str:
        return (f"cannot reach Magento at {self.base_url} ({type(reason).__name__}) for {shown}: "
                "check MAGENTO_BASE_URL and that the store is up")

    def _error(self, status: int, shown: str, store: str, payload: Any) -> str:
        message = _magento_message(payload)
        if status == 401:
            return f"Magento returned 401 for {shown}: {self._auth.hint}"
        if status == 403:
            return f"Magento returned 403 for {shown}: the credentials lack access ({message}); {self._auth.hint}"
        if "store that was requested" in message.lower() or "requested store is not found" in message.lower():
            return (f"Magento has no store view {store!r} ({shown}: {message}): check MAGENTO_STORE_VIEWS")
        if _no_route(status, payload):
            # Magento reads an unknown store code as part of the path, so it too ends here.
            store_hint = f"that the store view {store!r} exists and " if store not in ("all", "default") else ""
            return (f"Magento returned 404 for {shown}: no such REST route; check {store_hint}MAGENTO_BASE_URL (the "
                    "store's base URL, without /rest) and that the module serving the route is enabled")
        return f"Magento returned {status} for {shown}: {message or 'no message'}"


def _no_route(status: int, payload: Any) -> bool:
    # Magento's answer has no code for this: its (untranslated) phrase is the only sign, read here and only here.
    return status == 404 and "does not match any route" in _magento_message(payload).lower()


def _typed_error(status: int, payload: Any) -> type[SourceError]:
    if _no_route(status, payload):
        return NoRouteError
    return NotFoundError if status == 404 else SourceError


def _magento_message(payload: Any) -> str:
    """Magento's error text with its %name / %1 placeholders filled in."""
    if not isinstance(payload, dict):
        return ""
    message = str(payload.get("message") or "")
    parameters = payload.get("parameters")
    if isinstance(parameters, dict):
        for name, value in parameters.items():
            message = message.replace(f"%{name}", str(value))
    elif isinstance(parameters, list):
        for index, value in enumerate(parameters, start=1):
            message = message.replace(f"%{index}", str(value))
    return message
