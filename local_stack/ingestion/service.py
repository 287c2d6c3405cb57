"""IngestionService: a simulated SaaS ingestion API that records what it receives, with faults and chosen rejections."""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from .faults import Faults
from .feeds import IDENTITIES, PRODUCTS, Key, identity_fields, key_text, named
from .holdings import Holdings
from .reads import LISTING_PREFIX, LISTING_SUFFIX, QUERY_PATH

if TYPE_CHECKING:
    from .routes import Received

DEFAULT_API_KEY = "local-ingestion-key"
DEFAULT_PATH = "/v1/feeds/{feed}"
DEFAULT_REASON = "invalid: rejected by the ingestion service"
REJECT_MODES = ("200", "400")


class Delivery(NamedTuple):
    """One POST to the ingest path, as answered."""

    received_at: str
    feed: str
    batch_id: str | None  # X-Catalog-Sync-Batch, else the body's batchId
    items: int | None  # None: the body was not read (fault, refused key, unreadable body)
    compressed_bytes: int  # the body as sent
    raw_bytes: int | None  # the body decompressed
    status: int | None  # None: the connection was closed without an answer
    accepted: int
    errors: int


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class IngestionService:
    """The ingestion API of docs/ingestion-api.md over HTTP, holding the newest version of each item of each feed
    in memory.

    ``api_key`` is checked in the ``key_header`` header; a feed's batches are POSTed to ``path`` with ``{feed}``
    its name (the identity fields of an item are the feed's: feeds.py). ``reject_mode`` "200"
    names invalid items in a 200 and stores the others; "400" answers 400 naming them and stores nothing.
    ``clock`` returns the current time (an aware or UTC datetime) for ``receivedAt``. Settings are attributes
    that may be changed while the server runs.
    """

    def __init__(self, api_key: str = DEFAULT_API_KEY, key_header: str = "x-api-key",
                 path: str = DEFAULT_PATH, clock: Callable[[], datetime] | None = None, *,
                 reject_mode: str = "200", max_logged_deliveries: int = 100_000):
        listing = LISTING_PREFIX + "{feed}" + LISTING_SUFFIX
        if not path.startswith("/") or path.count("{feed}") != 1 or path in (QUERY_PATH, listing) \
                or path.startswith("/__ingest"):
            raise ValueError(f"path must start with /, hold {{feed}} once, and not be {QUERY_PATH}, {listing} or "
                             "under /__ingest")
        self.api_key = api_key
        self.key_header = key_header
        self.path = path
        self.clock = clock or (lambda: datetime.now(UTC))
        self.reject_mode = reject_mode
        self.faults = Faults()
        self.holdings = Holdings()
        self._lock = threading.Lock()
        self._rejections: dict[tuple[str, Key], str] = {}
        self._deliveries: deque[Delivery] = deque(maxlen=max_logged_deliveries)
        self.failures: list[str] = []  # handler errors: simulator bugs
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    @property
    def reject_mode(self) -> str:
        return self._reject_mode

    @reject_mode.setter
    def reject_mode(self, mode: str) -> None:
        if mode not in REJECT_MODES:
            raise ValueError("reject_mode is '200' or '400'")
        self._reject_mode = mode

    # -- serving ---------------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns the base URL (``http://host:port``)."""
        from .server import serve
        if self._server is None:
            self._server, self._thread = serve(self, host, port)
            bound_host, bound_port = self._server.server_address[:2]
            self.base_url = f"http://{bound_host}:{bound_port}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server, self._thread = None, None

    def __enter__(self) -> IngestionService:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def ingest_url(self) -> str:
        """Where batches go, ``{feed}`` standing for the feed's name (DESTINATION_URL)."""
        return self.base_url + self.path

    def ingest_path(self, feed: str) -> str:
        return self.path.replace("{feed}", feed)

    def feed_of_path(self, path: str) -> str | None:
        """The feed a POST to ``path`` delivers to (known or not), None when it is no ingest path."""
        prefix, suffix = self.path.split("{feed}")
        if len(path) > len(prefix) + len(suffix) and path.startswith(prefix) and path.endswith(suffix):
            feed = path[len(prefix):len(path) - len(suffix)]
            return feed if "/" not in feed else None
        return None

    @property
    def query_url(self) -> str:
        return self.base_url + QUERY_PATH

    def items_url(self, feed: str) -> str:
        """A feed's listing (GET, paged with a cursor)."""
        return self.base_url + LISTING_PREFIX + feed + LISTING_SUFFIX

    def now(self) -> str:
        return _iso(self.clock())

    # -- chosen rejections -----------------------------------------------------------------------------

    def reject(self, *identity: str | int, reason: str = DEFAULT_REASON, feed: str = PRODUCTS) -> None:
        """Refuse this item (its identity values, in the feed's order) in every delivery from now on, with
        ``reason``."""
        key = _key(feed, identity)
        with self._lock:
            self._rejections[(feed, key)] = reason

    def unreject(self, *identity: str | int, feed: str = PRODUCTS) -> None:
        key = _key(feed, identity)
        with self._lock:
            self._rejections.pop((feed, key), None)

    def rejection(self, feed: str, key: Key) -> str | None:
        return self._rejections.get((feed, key))

    @property
    def rejections(self) -> list[dict[str, str]]:
        with self._lock:
            return [{"feed": feed, **named(feed, key), "reason": reason}
                    for (feed, key), reason in self._rejections.items()]

    # -- what was received -----------------------------------------------------------------------------

    def log_delivery(self, received: Received, status: int | None) -> None:
        self._deliveries.append(Delivery(received.at, received.feed, received.batch_id, received.items,
                                         received.compressed_bytes, received.raw_bytes, status, received.accepted,
                                         received.errors))

    @property
    def deliveries(self) -> list[Delivery]:
        """POSTs to the ingest path so far, oldest first."""
        return list(self._deliveries)

    def clear_deliveries(self) -> None:
        self._deliveries.clear()

    def held(self, *identity: str | int, feed: str = PRODUCTS) -> dict[str, Any] | None:
        """What GET /v1/items answers for the item (its identity values, in the feed's order): feed, identity,
        hash, modifiedAt, deleted, receivedAt, batchId, document."""
        held = self.holdings.of(feed).get(_key(feed, identity))
        return None if held is None else held.view(feed)

    def items(self, feed: str = PRODUCTS, *, deleted: bool | None = None, batch_id: str | None = None,
              with_count: bool = False, **identity: str) -> list[dict[str, Any]]:
        """A feed's items, filtered (by identity fields given by name, e.g. ``storeViewCode="default"``), in
        identity order (``with_count`` adds ``receiveCount``)."""
        fields = identity_fields(feed)
        unknown = set(identity) - set(fields)
        if unknown:
            raise ValueError(f"a {feed} item is named by {', '.join(fields)}, not {', '.join(sorted(unknown))}")
        wanted = [(fields.index(name), value) for name, value in identity.items()]
        return [held.view(feed, with_count) for held in self.holdings.of(feed)
                if all(held.key[index] == value for index, value in wanted)
                and (deleted is None or held.deleted == deleted) and (batch_id is None or held.batch_id == batch_id)]

    def receive_count(self, *identity: str | int, feed: str = PRODUCTS) -> int:
        """How many times the item was accepted (a redelivery counts, even when it did not replace a newer one)."""
        held = self.holdings.of(feed).get(_key(feed, identity))
        return 0 if held is None else held.receives

    def reset(self) -> None:
        """Forget everything received, the rejections and the faults; reject_mode back to "200"."""
        self.holdings.clear()
        self.clear_deliveries()
        with self._lock:
            self._rejections.clear()
        self.faults.reset()
        self.reject_mode = "200"

    def info(self) -> dict[str, Any]:
        """Where to send what, and the current settings and counts."""
        feeds = {name: {"ingest_url": self.base_url + self.ingest_path(name), "items_url": self.items_url(name),
                        "identity": list(fields), "items_held": len(self.holdings.of(name)),
                        "deleted_held": self.holdings.of(name).deleted} for name, fields in IDENTITIES.items()}
        return {"base_url": self.base_url, "ingest_url": self.ingest_url, "query_url": self.query_url,
                "key_header": self.key_header, "api_key": self.api_key, "reject_mode": self.reject_mode,
                "rejections": self.rejections, "faults": self.faults.state(), "items_held": len(self.holdings),
                "deliveries": len(self._deliveries), "feeds": feeds}


def _key(feed: str, identity: tuple[str | int, ...]) -> Key:
    fields = identity_fields(feed)
    key = tuple(text for text in map(key_text, identity) if text is not None)
    if len(key) != len(fields) or len(identity) != len(fields):
        raise ValueError(f"a {feed} item is named by {', '.join(fields)}: got {identity!r}")
    return key
