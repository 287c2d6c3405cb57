"""Injected faults: 429 bursts, 5xx (JSON or a proxy's HTML), HTML pages, dropped connections, latency, stock items."""
from __future__ import annotations

import time
import urllib.error
from http.client import RemoteDisconnected

import pytest

from .conftest import criteria

PATH = "/rest/V1/products"


def test_throttling_answers_429_with_retry_after_then_recovers(http, sim):
    sim.faults.throttle(2, retry_after=3)

    first, second, third = (http.get(PATH, criteria()) for _ in range(3))

    assert first.status == second.status == 429
    assert first.headers["Retry-After"] == "3"
    assert third.status == 200
    assert sim.faults.pending == 0 and sim.faults.injected == 2


def test_500_is_magentos_json_error(http, sim):
    sim.faults.fail(1, status=500)

    answer = http.get(PATH, criteria())

    assert answer.status == 500
    assert answer.json["message"].startswith("Internal Error. Details are available in Magento log file.")


@pytest.mark.parametrize("status", [502, 503])
def test_gateway_errors_are_html_pages(http, sim, status):
    sim.faults.fail(1, status=status)

    answer = http.get(PATH, criteria())

    assert answer.status == status
    assert answer.headers["Content-Type"].startswith("text/html") and "<html" in answer.text


def test_html_page_with_200(http, sim):
    sim.faults.html(1, status=200)

    answer = http.get(PATH, criteria())

    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        answer.json  # noqa: B018  (the property parses the body)


def test_dropped_connection(http, sim):
    sim.faults.drop(1)

    with pytest.raises((urllib.error.URLError, RemoteDisconnected, ConnectionError)):
        http.get(PATH, criteria())
    assert http.get(PATH, criteria()).status == 200


def test_latency(http, sim):
    sim.faults.latency = 0.2
    started = time.monotonic()

    http.get("/rest/V1/store/websites")

    assert time.monotonic() - started >= 0.2


def test_faults_can_be_limited_to_a_path(http, sim):
    sim.faults.path_contains = "/inventory/"
    sim.faults.fail(1, status=503)

    assert http.get(PATH, criteria()).status == 200
    assert http.get("/rest/all/V1/inventory/sources").status == 503


def test_list_responses_without_stock_item(http, sim):
    sim.faults.list_stock_item = False
    sku = sim.skus("simple")[0]

    listed = http.products("default", [("sku", sku, "eq")])["items"][0]
    single = http.ok(f"/rest/V1/products/{sku}")

    assert "stock_item" not in listed["extension_attributes"]
    assert "stock_item" in single["extension_attributes"]


def test_reset_clears_everything(sim):
    sim.faults.throttle(3)
    sim.faults.latency = 1
    sim.faults.reset()

    assert sim.faults.pending == 0 and sim.faults.latency == 0 and sim.faults.list_stock_item


def test_faults_over_the_admin_http_endpoint(http, sim):
    answer = http.request("POST", "/__sim/faults", body={"throttle": {"count": 1, "retry_after": 2},
                                                         "fail": {"count": 1, "status": 502}}, token=None)

    assert answer.status == 200 and len(answer.json["queued"]) == 2
    assert http.get(PATH, criteria()).status == 429
    assert http.get(PATH, criteria()).status == 502
    assert http.get(PATH, criteria()).status == 200
