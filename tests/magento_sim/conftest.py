"""The simulator over real HTTP: a small catalog on a manual clock, and a tiny client for its REST API."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from local_stack.magento import MagentoSimulator, ManualClock

PRODUCTS = 120


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


def criteria(*groups: Iterable[tuple[str, str, str]], sort: Iterable[tuple[str, str]] = (),
             page_size: int | None = None, page: int | None = None) -> list[tuple[str, str]]:
    """searchCriteria query pairs, spelled as the official schema spells them."""
    pairs = []
    for g, group in enumerate(groups):
        for f, (field, value, condition) in enumerate(group):
            prefix = f"searchCriteria[filterGroups][{g}][filters][{f}]"
            pairs += [(f"{prefix}[field]", field), (f"{prefix}[value]", value), (f"{prefix}[conditionType]", condition)]
    for s, (field, direction) in enumerate(sort):
        pairs += [(f"searchCriteria[sortOrders][{s}][field]", field),
                  (f"searchCriteria[sortOrders][{s}][direction]", direction)]
    if page_size is not None:
        pairs.append(("searchCriteria[pageSize]", str(page_size)))
    if page is not None:
        pairs.append(("searchCriteria[currentPage]", str(page)))
    return pairs or [("searchCriteria", "")]


class Http:
    """GET/POST against the simulator with an admin bearer token unless told otherwise."""

    def __init__(self, sim: MagentoSimulator):
        self.sim = sim
        self.token: str | None = sim.admin_token()

    def url(self, path: str, params: Iterable[tuple[str, str]] = ()) -> str:
        query = urlencode(list(params))
        return self.sim.base_url + path + (f"?{query}" if query else "")

    def request(self, method: str, path: str, params: Iterable[tuple[str, str]] = (), body: Any = None,
                headers: Mapping[str, str] | None = None, token: str | None = "") -> Answer:
        sent = {"Accept": "application/json", **(headers or {})}
        token = self.token if token == "" else token
        if token and "Authorization" not in sent:
            sent["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url(path, params), data=data, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode())

    def get(self, path: str, params: Iterable[tuple[str, str]] = (), **kwargs: Any) -> Answer:
        return self.request("GET", path, params, **kwargs)

    def ok(self, path: str, params: Iterable[tuple[str, str]] = (), **kwargs: Any) -> Any:
        answer = self.get(path, params, **kwargs)
        assert answer.status == 200, answer.text
        return answer.json

    def products(self, store: str = "default", *groups: Iterable[tuple[str, str, str]], **kwargs: Any) -> Any:
        return self.ok(f"/rest/{store}/V1/products", criteria(*groups, **kwargs))


def sku_path(sku: str) -> str:
    return quote(sku, safe="")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock):
    """A strict simulator; the test fails if any response it made broke the official schema."""
    with MagentoSimulator(PRODUCTS, seed=7, clock=clock) as simulator:
        yield simulator
    assert simulator.failures == []


@pytest.fixture
def http(sim: MagentoSimulator) -> Http:
    return Http(sim)
