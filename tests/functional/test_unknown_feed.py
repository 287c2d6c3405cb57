"""An unknown feed, wherever a client can name one: a 400 from every API route that takes a feed (found in the
OpenAPI document, so a new one is covered or this test says so) and exit 2 from each CLI command that takes
--feed, naming the valid feeds; nothing is started."""
from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib import cli, container
from chalicelib.api.openapi import document
from chalicelib.domain.event_signatures import sign
from chalicelib.domain.feeds import FEEDS
from chalicelib.domain.runs import utcnow
from tests.functional.conftest import EVENTS_SECRET

UNKNOWN = ["pricez", "Products", "", "products#default"]
VALID = f"valid feeds: {', '.join(FEEDS)}"

Call = Callable[[Any, Any, str], Any]


def _schema(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def routes_taking_a_feed() -> set[tuple[str, str, str]]:
    """(method, path, where) of every operation with a ``feed`` query parameter or body field."""
    doc = document()
    found = set()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            if any(p.get("name") == "feed" and p.get("in") == "query" for p in operation.get("parameters", [])):
                found.add((method.upper(), path, "query"))
            for content in (operation.get("requestBody") or {}).get("content", {}).values():
                if "feed" in (_schema(doc, content["schema"]).get("properties") or {}):
                    found.add((method.upper(), path, "body"))
    return found


def _get(path: str) -> Call:
    return lambda client, pool, feed: client.http.get(f"{path}?feed={quote(feed)}", headers=pool.operator())


def _admin(method: str, path: str) -> Call:
    """A reconciliation route (admins only), its feed in the query."""
    return lambda client, pool, feed: getattr(client.http, method)(f"{path}?feed={quote(feed)}", headers=pool.admin())


REPORT = "/api/reconciliation/20261122T100000Z-abcdef"


def _force(client: Any, pool: Any, feed: str) -> Any:
    return client.http.post("/api/sync", headers={**pool.operator(), "Content-Type": "application/json"},
                            body=json.dumps({"feed": feed, "mode": "full"}).encode())


def _event(client: Any, pool: Any, feed: str) -> Any:
    raw = json.dumps({"feed": feed, "skus": ["SKU-0001"]}).encode()
    return client.http.post("/api/events/products", body=raw, headers={
        "Content-Type": "application/json",
        "X-Catalog-Sync-Signature": sign(EVENTS_SECRET, raw, int(utcnow().timestamp()))})


CALLS: dict[tuple[str, str, str], Call] = {
    ("GET", "/api/sync/status", "query"): _get("/api/sync/status"),
    ("GET", "/api/sync/runs", "query"): _get("/api/sync/runs"),
    ("POST", "/api/sync", "body"): _force,
    ("POST", "/api/events/products", "body"): _event,
    ("GET", "/api/reconciliation", "query"): _admin("get", "/api/reconciliation"),
    ("POST", "/api/reconcile", "query"): _admin("post", "/api/reconcile"),
    ("GET", "/api/reconciliation/{report_id}", "query"): _admin("get", REPORT),
    ("POST", "/api/reconciliation/{report_id}/resend", "query"): _admin("post", f"{REPORT}/resend"),
    ("POST", "/api/reconciliation/{report_id}/delete", "query"): _admin("post", f"{REPORT}/delete"),
}


def test_every_route_that_takes_a_feed_is_called_here():
    assert routes_taking_a_feed() == set(CALLS)


@pytest.mark.parametrize("route", sorted(CALLS))
@pytest.mark.parametrize("feed", UNKNOWN)
def test_an_unknown_feed_is_a_400_naming_the_valid_feeds(client, aws, user_pool, route, feed):
    response = CALLS[route](client, user_pool, feed)
    message = json.loads(response.body)["Message"]
    assert response.status_code == 400, message
    assert message.startswith("unknown feed '") and message.endswith(VALID), message
    assert container.context().runs.latest("products") is None, "nothing was started"


@pytest.mark.parametrize("feed", list(FEEDS))
def test_every_feed_by_its_name_is_taken(client, aws, user_pool, feed):
    for path in ("/api/sync/status", "/api/sync/runs"):
        assert _get(path)(client, user_pool, feed).status_code == 200


@pytest.mark.parametrize("command", [["resync", "--feed"], ["status", "--feed"], ["reconcile", "--feed"]])
@pytest.mark.parametrize("feed", ["pricez", "Products", ""])
def test_the_cli_exits_2_naming_the_valid_feeds(fake_ctx, monkeypatch, capsys, command, feed):
    monkeypatch.setattr(container, "context", lambda: fake_ctx)
    with pytest.raises(SystemExit) as exit_:
        cli.main([*command, feed], out=io.StringIO())
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert f"invalid choice: '{feed}'" in error and all(f"'{name}'" in error for name in FEEDS), error
    assert fake_ctx.runs.latest("products") is None and fake_ctx.source.reads == []
