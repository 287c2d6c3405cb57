"""IngestionService: a simulated SaaS ingestion API that records what it receives, with faults and chosen rejections."""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from .faults import Faults
from .holdings import Holdings
from .routes import QUERY_PATH

if TYPE_CHECKING:
    from .routes import Received

DEFAULT_API_KEY = "local-ingestion-key"
DEFAULT_REASON = "invalid: rejected by the ingestion service"
REJECT_MODES = ("200", "400")


class Delivery(NamedTuple):
    """One POST to the ingest path, as answered."""

    received_at: str
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
    """The ingestion API of docs/ingestion-api.md over HTTP, holding the newest document per row in memory.

    ``api_key`` is checked in the ``key_header`` header; batches are POSTed to ``path``. ``reject_mode`` "200"
    names invalid items in a 200 and stores the others; "400" answers 400 naming them and stores nothing.
    ``clock`` returns the current time (an aware or UTC datetime) for ``receivedAt``. Settings are attributes
    that may be changed while the server runs.
    """

    def __init__(self, api_key: str = DEFAULT_API_KEY, key_header: str = "x-api-key",
                 path: str = "/v1/feeds/products", clock: Callable[[], datetime] | None = None, *,
                 reject_mode: str = "200", max_logged_deliveries: int = 100_000):
        if not path.startswith("/") or path == QUERY_PATH or path.startswith("/__ingest"):
            raise ValueError(f"path must start with / and not be {QUERY_PATH} or under /__ingest")
        self.api_key = api_key
        self.key_header = key_header
        self.path = path
        self.clock = clock or (lambda: datetime.now(UTC))
        self.reject_mode = reject_mode
        self.faults = Faults()
        self.holdings = Holdings()
        self._lock = threading.Lock()
        self._rejections: dict[tuple[str, str], str] = {}
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
        return self.base_url + self.path

    @property
    def query_url(self) -> str:
        return self.base_url + QUERY_PATH

    def now(self) -> str:
        return _iso(self.clock())

    # -- chosen rejections -----------------------------------------------------------------------------

    def reject(self, sku: str, store_view_code: str, reason: str = DEFAULT_REASON) -> None:
        """Refuse this row in every delivery from now on, with ``reason``."""
        with self._lock:
            self._rejections[(sku, store_view_code)] = reason

    def unreject(self, sku: str, store_view_code: str) -> None:
        with self._lock:
            self._rejections.pop((sku, store_view_code), None)

    def rejection(self, sku: str, store_view_code: str) -> str | None:
        return self._rejections.get((sku, store_view_code))

    @property
    def rejections(self) -> list[dict[str, str]]:
        with self._lock:
            return [{"sku": sku, "storeViewCode": view, "reason": reason}
                    for (sku, view), reason in self._rejections.items()]

    # -- what was received -----------------------------------------------------------------------------

    def log_delivery(self, received: Received, status: int | None) -> None:
        self._deliveries.append(Delivery(received.at, received.batch_id, received.items, received.compressed_bytes,
                                         received.raw_bytes, status, received.accepted, received.errors))

    @property
    def deliveries(self) -> list[Delivery]:
        """POSTs to the ingest path so far, oldest first."""
        return list(self._deliveries)

    def clear_deliveries(self) -> None:
        self._deliveries.clear()

    def held(self, sku: str, store_view_code: str) -> dict[str, Any] | None:
        """What GET /v1/items answers for the row: sku, storeViewCode, document, receivedAt, batchId."""
        row = self.holdings.get(sku, store_view_code)
        return None if row is None else row.view()

    def items(self, sku: str | None = None, store_view_code: str | None = None, deleted: bool | None = None,
              batch_id: str | None = None, with_count: bool = False) -> list[dict[str, Any]]:
        """Rows held, filtered, by sku then store view (``with_count`` adds ``receiveCount``)."""
        rows = self.holdings.of_sku(sku) if sku is not None else sorted(
            self.holdings, key=lambda row: (row.sku, row.store_view_code))
        return [row.view(with_count) for row in rows
                if (store_view_code is None or row.store_view_code == store_view_code)
                and (deleted is None or row.deleted == deleted) and (batch_id is None or row.batch_id == batch_id)]

    def receive_count(self, sku: str, store_view_code: str) -> int:
        """How many times the row was accepted (a redelivery counts, even when it did not replace a newer one)."""
        row = self.holdings.get(sku, store_view_code)
        return 0 if row is None else row.receives

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
        return {"base_url": self.base_url, "ingest_url": self.ingest_url, "query_url": self.query_url,
                "key_header": self.key_header, "api_key": self.api_key, "reject_mode": self.reject_mode,
                "rejections": self.rejections, "faults": self.faults.state(), "items_held": len(self.holdings),
                "deliveries": len(self._deliveries)}
