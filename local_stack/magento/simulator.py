"""MagentoSimulator: a simulated Magento 2 REST server over a generated catalog, with faults and admin edits."""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from . import layout, products
from .auth import ADMIN_TOKEN_LIFETIME, Authenticator, Integration
from .catalog import MALFORMATIONS, SET_PREFIX, SIMPLE_LIKE, TYPE_CODE, magento_time, to_epoch
from .contract import Contract, default_contract
from .faults import Faults
from .generate import generate
from .product_search import ProductSearch

SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


class ManualClock:
    """A clock tests move by hand: ``clock.advance(seconds)``."""

    def __init__(self, start: datetime = datetime(2025, 7, 1, 12, 0, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class RequestRecord(NamedTuple):
    method: str
    path: str
    query: dict[str, str]  # the last value of each parameter
    headers: dict[str, str]  # secrets reduced to their scheme ("Bearer ***", "OAuth ***")


def _redacted(headers: Mapping[str, str]) -> dict[str, str]:
    result = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            value = f"{value.partition(' ')[0]} ***" if " " in value else "***"
        result[name] = value
    return result


class MagentoSimulator:
    """A Magento 2 REST API over ``products`` generated products (plus configurable children in that count).

    ``version`` "2.4" or "2.3" sets the defaults of ``paging`` (a page past the end: empty on 2.4, the last
    page again on 2.3) and ``integration_as_bearer`` (integration tokens as bearer tokens: off since 2.4.4).
    ``input_limits`` answers a pageSize over ``max_page_size`` with 400 and applies ``default_page_size``
    when none is given. ``strict`` answers off-schema requests with 400 and fails (500) responses the schema
    does not describe (both noted in ``failures``). ``clock`` returns the current time (an aware or UTC datetime):
    it stamps edits and expires admin tokens.
    """

    def __init__(self, products: int = 2000, seed: int = 42, *, version: str = "2.4", paging: str | None = None,
                 input_limits: bool = False, max_page_size: int = 300, default_page_size: int = 20,
                 strict: bool = True, integration_as_bearer: bool | None = None,
                 admin_users: Mapping[str, str] | None = None, admin_token_lifetime: float = ADMIN_TOKEN_LIFETIME,
                 integration: Integration | None = None, integration_resources: Collection[str] | None = None,
                 clock: Callable[[], datetime] | None = None, contract: Contract | None = None,
                 max_logged_requests: int = 100_000, msi: bool = True):
        if version not in ("2.3", "2.4") or (paging or version) not in ("2.3", "2.4"):
            raise ValueError("version and paging are '2.3' or '2.4'")
        self.version = version
        self.paging = paging or version
        self.input_limits = input_limits
        self.max_page_size = max_page_size
        self.default_page_size = default_page_size
        self.strict = strict
        self.msi = msi  # False: a store without Multi-Source Inventory (its /V1/inventory routes do not exist)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.catalog = generate(products, seed)
        self.search = ProductSearch(self.catalog)
        self.contract = contract or default_contract()
        self.faults = Faults()
        self.integration = integration or Integration.for_seed(seed)
        self.admin_users = dict(admin_users or {"admin": "admin123"})
        self.authenticator = Authenticator(
            self.integration, self.admin_users, lambda: to_epoch(self.clock()), admin_token_lifetime,
            version == "2.3" if integration_as_bearer is None else integration_as_bearer, integration_resources)
        self._requests: deque[RequestRecord] = deque(maxlen=max_logged_requests)
        self.failures: list[str] = []  # responses off the schema (strict mode) or handler errors: simulator bugs
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- settings that live elsewhere ------------------------------------------------------------------

    @property
    def integration_as_bearer(self) -> bool:
        return self.authenticator.integration_as_bearer

    @integration_as_bearer.setter
    def integration_as_bearer(self, value: bool) -> None:
        self.authenticator.integration_as_bearer = value

    @property
    def admin_token_lifetime(self) -> float:
        return self.authenticator.token_lifetime

    @admin_token_lifetime.setter
    def admin_token_lifetime(self, seconds: float) -> None:
        self.authenticator.token_lifetime = seconds

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

    def __enter__(self) -> MagentoSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, method: str, path: str, query: Iterable[tuple[str, str]], headers: Mapping[str, str]) -> None:
        self._requests.append(RequestRecord(method, path, dict(query), _redacted(headers)))

    @property
    def requests(self) -> list[RequestRecord]:
        """Requests under /rest received so far, oldest first."""
        return list(self._requests)

    def clear_requests(self) -> None:
        self._requests.clear()

    def admin_token(self, username: str = "admin") -> str:
        """An admin bearer token, as POST /V1/integration/admin/token would issue it."""
        return self.authenticator.issue_admin_token(username, self.admin_users[username])

    # -- admin operations ------------------------------------------------------------------------------

    def _row(self, sku: str) -> int:
        row = self.catalog.row_of_sku(sku)
        if row is None:
            raise KeyError(f"no product with SKU {sku!r}")
        return row

    def _now(self) -> int:
        return to_epoch(self.clock())

    def _touch(self, row: int, touch: bool) -> None:
        if touch:  # a product save stamps updated_at; mass attribute updates (touch=False) do not
            self.catalog.updated[row] = max(self._now(), self.catalog.created[row])
        self.catalog.changed()

    @staticmethod
    def _store(code: str) -> layout.StoreView:
        store = layout.STORE_BY_CODE.get(code)
        if store is None or store.id == 0:
            raise KeyError(f"no store view {code!r}")
        return store

    def set_price(self, sku: str, price: float, store: str | None = None, touch: bool = True) -> None:
        """The price everywhere, or in ``store``'s website (price scope is the website, as it often is)."""
        with self.catalog.lock:
            row = self._row(sku)
            cents = round(price * 100)
            if store is None:
                self.catalog.price[row] = cents
            else:
                self.catalog.prices[(self.catalog.entity_id[row], self._store(store).website_id)] = cents
            self._touch(row, touch)

    def set_name(self, sku: str, name: str, store: str | None = None, touch: bool = True) -> None:
        """The default name, or ``store``'s own name for the product."""
        with self.catalog.lock:
            row = self._row(sku)
            store_id = 0 if store is None else self._store(store).id
            self.catalog.names[(self.catalog.entity_id[row], store_id)] = name
            self._touch(row, touch)

    def set_status(self, sku: str, status: int, store: str | None = None, touch: bool = True) -> None:
        """1 enabled, 2 disabled; everywhere or in ``store``'s website."""
        with self.catalog.lock:
            row = self._row(sku)
            if store is None:
                self.catalog.status[row] = status
            else:
                self.catalog.statuses[(self.catalog.entity_id[row], self._store(store).website_id)] = status
            self._touch(row, touch)

    def set_quantity(self, sku: str, quantity: int, source: str = "default", status: int | None = None) -> None:
        """A source item's quantity (and status: in stock when quantity > 0 unless given). updated_at stays."""
        with self.catalog.lock:
            row = self._row(sku)
            if source not in self.catalog.qty:
                raise KeyError(f"no source {source!r}")
            if self.catalog.type[row] not in SIMPLE_LIKE:
                raise ValueError(f"{sku!r} is a composite product: it has no source items")
            self.catalog.qty[source][row] = int(quantity)
            self.catalog.source_status[source][row] = (1 if quantity > 0 else 0) if status is None else status
            self.catalog.changed()

    def add_product(self, name: str, price: float = 10.0, type_id: str = "simple", sku: str | None = None,
                    attribute_set_id: int = 4, websites: Iterable[int | str] = (1, 2),
                    quantities: Mapping[str, int] | None = None, status: int = 1, visibility: int = 4) -> str:
        """A new product (the next entity id), created and updated now; returns its SKU."""
        if TYPE_CODE.get(type_id) not in SIMPLE_LIKE:
            raise ValueError("add_product makes simple, virtual or downloadable products")
        website_ids = {w if isinstance(w, int) else next(x.id for x in layout.WEBSITES if x.code == w)
                       for w in websites}
        mask = sum(layout.WEBSITE_BITS[w] for w in website_ids)
        if quantities is None:
            quantities = {s.code: 100 for s in layout.SOURCES if s.website_id in website_ids}
        with self.catalog.lock:
            entity_id = self.catalog.entity_id[-1] + 1 if len(self.catalog) else 1
            sku = sku or f"{SET_PREFIX.get(attribute_set_id, 'PRD')}-{entity_id:06d}"
            if self.catalog.row_of_sku(sku) is not None:
                raise ValueError(f"SKU {sku!r} exists")
            now = self._now()
            self.catalog.append(entity_id, sku, TYPE_CODE[type_id], attribute_set_id, created=now, updated=now,
                                status=status, visibility=visibility, websites=mask, price=round(price * 100),
                                weight=100 if type_id == "simple" else -1, quantities=dict(quantities))
            self.catalog.names[(entity_id, 0)] = name
            self.catalog.changed()
        return sku

    def delete_product(self, sku: str) -> None:
        with self.catalog.lock:
            self.catalog.delete(self._row(sku))
            self.catalog.changed()

    def malform_product(self, sku: str, kind: str = "missing_name") -> None:
        """Make one product's REST representation broken: ``missing_sku``, ``missing_name`` or ``bad_price``
        (a string such as "12,50"). Strict mode leaves such products out of its response check."""
        if kind not in MALFORMATIONS:
            raise ValueError(f"kind is one of {', '.join(MALFORMATIONS)}")
        with self.catalog.lock:
            self.catalog.malformed[self.catalog.entity_id[self._row(sku)]] = kind
            self.catalog.changed()

    # -- reading without HTTP --------------------------------------------------------------------------

    def product(self, sku: str, store: str = "default") -> dict[str, Any]:
        """The product as GET /rest/<store>/V1/products/{sku} shows it."""
        with self.catalog.lock:
            scope = layout.ADMIN_STORE if store == layout.ALL_STORES_CODE else self._store(store)
            return products.product(self.catalog, self._row(sku), scope)

    def updated_at(self, sku: str) -> str:
        with self.catalog.lock:
            return magento_time(self.catalog.updated[self._row(sku)])

    def skus(self, type_id: str | None = None) -> list[str]:
        """SKUs of live products (of one type), in entity id order."""
        with self.catalog.lock:
            code = None if type_id is None else TYPE_CODE[type_id]
            return [self.catalog.sku[r] for r in self.catalog.live_rows()
                    if code is None or self.catalog.type[r] == code]

    def info(self) -> dict[str, Any]:
        """What a client needs to connect, and the current settings."""
        return {"base_url": self.base_url, "version": self.version, "paging": self.paging,
                "input_limits": self.input_limits, "strict": self.strict,
                "integration_as_bearer": self.integration_as_bearer, "admin_token_lifetime": self.admin_token_lifetime,
                "integration": self.integration.__dict__, "admin_users": self.admin_users,
                "products": len(self.catalog.live_rows()), "store_views": [s.code for s in layout.STORES if s.id]}
