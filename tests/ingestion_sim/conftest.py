"""The ingestion service over real HTTP: a service on a manual clock, a client for it, and feed items."""
from __future__ import annotations

import gzip as gzip_module
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import urllib3

from local_stack.ingestion import IngestionService

KEY = "test-key"
START = datetime(2026, 11, 22, 5, 19, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def item(sku: str = "PRD-000001", view: str = "default", modified_at: str = "2026-11-22T05:00:00.000Z",
         **fields: Any) -> dict[str, Any]:
    """A feed item in the products feed's shape (the fields a check looks at, and a few more)."""
    return {"sku": sku, "productId": 1, "storeViewCode": view, "storeCode": "main_website_store",
            "websiteCode": "base", "name": f"Product {sku}", "type": "simple", "price": 12.5, "currency": "USD",
            "inventory": {"qty": 3.0, "salableQty": 3.0}, "deleted": False, "updatedAt": "2026-11-20 10:00:00",
            "modifiedAt": modified_at, **fields}


# One item of each feed (the identity fields and a few more), named by its identity values in the feed's order.
def feed_item(feed: str, *identity: str | int, modified_at: str = "2026-11-22T05:00:00.000Z",
              **fields: Any) -> dict[str, Any]:
    names = {"products": ("sku", "storeViewCode"), "productAttributes": ("attributeCode", "storeViewCode"),
             "categories": ("categoryId", "storeViewCode"), "variants": ("id",),
             "prices": ("sku", "websiteCode", "customerGroupCode"), "inventoryStockStatus": ("stockId", "sku")}[feed]
    extra = {"products": {"name": "A product", "price": 12.5}, "prices": {"regular": 12.5, "discounts": []},
             "variants": {"parentSku": "CFG", "productSku": "CHILD", "optionValues": []},
             "inventoryStockStatus": {"qty": 3.0, "isSalable": True}}.get(feed, {"label": "x"})
    return {**dict(zip(names, identity, strict=True)), **extra, "deleted": False, "updatedAt": None,
            "modifiedAt": modified_at, **fields}


def deletion(sku: str = "PRD-000001", view: str = "default", modified_at: str = "2026-11-22T06:00:00.000Z"):
    return {"sku": sku, "productId": 1, "storeViewCode": view, "storeCode": "main_website_store",
            "websiteCode": "base", "deleted": True, "updatedAt": None, "modifiedAt": modified_at}


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    data: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.data)


class Client:
    """Deliveries, queries and admin calls as an exporter and a test would make them (no retries)."""

    def __init__(self, service: IngestionService):
        self.service = service
        self.pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=2, read=5))

    def request(self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] | None = None,
                fields: Mapping[str, str] | None = None, **options: Any) -> Reply:
        response = self.pool.request(method, self.service.base_url + path, body=body, headers=dict(headers or {}),
                                     fields=fields, **options)
        return Reply(response.status, response.headers, response.data)

    def deliver(self, items: list[Any] | None = None, *, payload: Any = None, body: bytes | None = None,
                key: str | None = KEY, gzip: bool = True, batch: str | None = "20261122T051900Z-1a2b3c/00001",
                headers: Mapping[str, str] | None = None, feed: str = "products", **options: Any) -> Reply:
        if body is None:
            if payload is None:
                payload = {"feed": feed, "batchId": batch, "items": items or []}
            body = json.dumps(payload).encode()
            if gzip:
                body = gzip_module.compress(body)
        sent = {"Content-Type": "application/json"}
        if gzip:
            sent["Content-Encoding"] = "gzip"
        if key is not None:
            sent["x-api-key"] = key
        if batch is not None:
            sent["X-Catalog-Sync-Batch"] = batch
        sent.update(headers or {})
        return self.request("POST", self.service.ingest_path(feed), body, sent, **options)

    def query(self, sku: str, view: str | None = None, key: str | None = KEY) -> Reply:
        fields = {"sku": sku, **({"storeViewCode": view} if view is not None else {})}
        return self.request("GET", "/v1/items", headers={"x-api-key": key} if key else {}, fields=fields)

    def read(self, path: str, key: str | None = KEY, headers: Mapping[str, str] | None = None,
             **fields: str) -> Reply:
        """GET a read-back path (``/v1/items``, ``/v1/feeds/<feed>/items``) with the key."""
        sent = {**({"x-api-key": key} if key else {}), **(headers or {})}
        return self.request("GET", path, headers=sent, fields=fields or None)

    def admin(self, method: str, path: str = "", payload: Any = None, **fields: str) -> Reply:
        body = None if payload is None else json.dumps(payload).encode()
        return self.request(method, "/__ingest" + path, body, fields=fields or None)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(clock: Clock):
    """A running service; the test fails if a handler broke (service.failures)."""
    with IngestionService(api_key=KEY, clock=clock) as running:
        yield running
    assert running.failures == []


@pytest.fixture
def client(service: IngestionService) -> Client:
    return Client(service)
