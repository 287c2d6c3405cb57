"""MagentoSimulator: a simulated Magento 2 REST server over a generated catalog, with faults and admin edits."""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from . import composites, layout, prices, products, stock
from .auth import ADMIN_TOKEN_LIFETIME, Authenticator, Integration
from .catalog import TYPE_CODE, TYPES, magento_time, to_epoch
from .category_routes import assigned, category_item
from .composite_edits import CompositeEdits
from .contract import Contract, default_contract
from .faults import Faults
from .generate import generate
from .price_edits import PriceEdits
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


class MagentoSimulator(PriceEdits, CompositeEdits):
    """A Magento 2 REST API over ``products`` generated products (configurable children included in that count).

    ``version`` "2.4" or "2.3" sets the defaults of ``paging`` (a page past the end: empty on 2.4, the last
    page again on 2.3) and ``integration_as_bearer`` (integration tokens as bearer tokens: off since 2.4.4).
    ``input_limits`` answers a pageSize over ``max_page_size`` with 400 and applies ``default_page_size``
    when none is given. ``strict`` answers off-schema requests with 400 and fails (500) responses the schema
    does not describe (both noted in ``failures``); ``check_responses`` False leaves the responses unchecked (the
    check costs far more than the answer: the local stack's default, the tests check them). ``clock`` returns the
    current time (an aware or UTC datetime): it stamps edits, expires admin tokens and anchors the generated special
    price windows (by day).
    ``missing_endpoints`` holds schema paths (``/V1/products/base-prices-information``) answered as a store
    without them answers: 404, no route.
    """

    def __init__(self, products: int = 2000, seed: int = 42, *, version: str = "2.4", paging: str | None = None,
                 input_limits: bool = False, max_page_size: int = 300, default_page_size: int = 20,
                 strict: bool = True, check_responses: bool = True, integration_as_bearer: bool | None = None,
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
        self.check_responses = check_responses
        self.msi = msi  # False: a store without Multi-Source Inventory (its /V1/inventory routes do not exist)
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.missing_endpoints: set[str] = set()
        self.catalog = generate(products, seed, anchor=to_epoch(self.clock()))
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

    def parents(self, sku: str) -> list[dict[str, str]]:
        """The composites holding a product: [{"sku", "type"}] (what REST never says, for comparisons)."""
        with self.catalog.lock:
            found = composites.parents(self.catalog, self.catalog.entity_id[self._row(sku)])
            rows = [(self.catalog.row_of_id(parent), kind) for parent, kind in found]
            return [{"sku": self.catalog.sku[r], "type": kind} for r, kind in rows if r is not None]

    def prices(self, sku: str) -> dict[str, list[dict[str, Any]]]:
        """What the three bulk price reads answer for this SKU alone."""
        with self.catalog.lock:
            return {"base": prices.base_prices(self.catalog, [sku]),
                    "special": prices.special_prices(self.catalog, [sku]),
                    "tier": prices.tier_prices(self.catalog, [sku])}

    def stock(self, sku: str, stock_id: int) -> dict[str, Any]:
        """A product's quantity, salable quantity and salability in a stock, and whether stock is managed."""
        with self.catalog.lock:
            row = self._row(sku)
            simple_like = self.catalog.type[row] not in (TYPE_CODE["configurable"], TYPE_CODE["bundle"],
                                                         TYPE_CODE["grouped"])
            return {"quantity": stock.stock_quantity(self.catalog, row, stock_id) if simple_like else None,
                    "salable_quantity": stock.salable_quantity(self.catalog, row, stock_id) if simple_like else None,
                    "is_salable": stock.is_salable(self.catalog, row, stock_id),
                    "manage_stock": bool(self.catalog.manage_stock[row])}

    def category(self, category_id: int, store: str = "default") -> dict[str, Any]:
        """The category as GET /rest/<store>/V1/categories/list shows it."""
        with self.catalog.lock:
            category = self.catalog.categories.get(category_id)
            if category is None:
                raise KeyError(f"no category {category_id}")
            scope = layout.ADMIN_STORE if store == layout.ALL_STORES_CODE else self._store(store)
            return category_item(self.catalog.categories, category, scope)

    def category_skus(self, category_id: int) -> list[str]:
        """SKUs assigned to the category itself, as GET /V1/categories/{id}/products lists them."""
        with self.catalog.lock:
            return [self.catalog.sku[row] for row, _ in assigned(self.catalog, category_id)]

    def summary(self) -> dict[str, Any]:
        """Counts of what the catalog holds (the README's figures come from here)."""
        with self.catalog.lock:
            c = self.catalog
            live = c.live_rows()
            options = [o for b in c.bundles.values() for o in b.options]
            return {"products": len(live), "types": {t: sum(1 for r in live if TYPES[c.type[r]] == t) for t in TYPES},
                    "configurable_children": sum(len(v) for v in c.configurable.values()),
                    "bundle_options": len(options), "optional_bundle_options": sum(not o.required for o in options),
                    "bundle_selections": sum(len(o.selections) for o in options),
                    "fixed_price_bundles": sum(b.fixed_price for b in c.bundles.values()),
                    "grouped_links": sum(len(v) for v in c.grouped.values()),
                    "manage_stock_off": sum(1 for r in live if not c.manage_stock[r]),
                    "special_prices": len(c.special), "tier_price_products": len(c.tier_prices),
                    "tier_prices": sum(len(v) for v in c.tier_prices.values()),
                    "eu_prices": sum(1 for (_, website) in c.prices if website == 2),
                    "categories": len(c.categories.by_id)}

    def set_clock(self, now: datetime | None = None, advance: float = 0) -> datetime:
        """Move the simulator's clock (a ManualClock from now on): to ``now``, then by ``advance`` seconds."""
        if not isinstance(self.clock, ManualClock):
            self.clock = ManualClock(self.clock())
        if now is not None:
            self.clock.now = now if now.tzinfo else now.replace(tzinfo=UTC)
        return self.clock.advance(advance)

    def info(self) -> dict[str, Any]:
        """What a client needs to connect, and the current settings."""
        return {"base_url": self.base_url, "version": self.version, "paging": self.paging,
                "input_limits": self.input_limits, "strict": self.strict,
                "check_responses": self.check_responses,
                "integration_as_bearer": self.integration_as_bearer, "admin_token_lifetime": self.admin_token_lifetime,
                "integration": self.integration.__dict__, "admin_users": self.admin_users,
                "products": len(self.catalog.live_rows()), "store_views": [s.code for s in layout.STORES if s.id],
                "now": magento_time(to_epoch(self.clock())), "missing_endpoints": sorted(self.missing_endpoints)}
