"""The local stack as `make run` starts it (the simulated Magento as the source, read through the real
adapter; the simulated ingestion service as the destination, reached by the real HTTP destination): first
sync, what the service holds, a partial sync of products edited in Magento, the CLI (clean stop:
test_local_stack_stop.py). The tests run in any order: each starts what it needs from a finished run."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from typing import Any

import boto3
import pytest

from chalicelib import settings
from chalicelib.adapters.magento import MagentoCatalogSource, MagentoClient, OAuth1Auth
from tests.stack_process import REPO, LocalStack, running_stack

PRODUCTS = 300


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    # One scheduled sync, at start; a test that needs another fires the schedule itself, so no run starts in the
    # middle of a test's setup.
    with running_stack(tmp_path_factory.mktemp("local-stack"), SAMPLE_PRODUCTS=str(PRODUCTS), SYNC_INTERVAL="3600",
                       BATCH_MAX_ROWS="100") as handle:
        handle.info["first_run"] = handle.first_sync()
        yield handle


def _magento(stack: LocalStack, path: str, body: dict | None = None) -> Any:
    """The simulator's admin endpoints (what a merchant's edits in the Magento admin stand for)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(stack.info["magento_url"] + "/__sim" + path, data=data,
                                     method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _source(stack: LocalStack) -> MagentoCatalogSource:
    """The same adapter the stack uses, on the same simulated store."""
    assert stack.info["source"] == "magento" and stack.info["magento_simulated"]
    i = _magento(stack, "")["integration"]
    auth = OAuth1Auth(i["consumer_key"], i["consumer_secret"], i["access_token"], i["access_token_secret"])
    return MagentoCatalogSource(MagentoClient(stack.info["magento_url"], auth))


def test_first_sync_succeeds_behind_sign_in(stack: LocalStack) -> None:
    code, _, detail = stack.get(f"/api/sync/runs/{stack.info['first_run']['run_id']}", stack.token())
    assert code == 200, detail
    first = json.loads(detail)
    assert (first["trigger"], first["mode"], first["status"]) == ("schedule", "full", "Success")
    status = stack.status()
    assert stack.get("/api/sync/status")[0] == 401
    assert stack.get("/api/sync/status", "not-a-token")[0] == 401
    # The operator signs in through the same user pool; the products are the admins' alone.
    assert stack.get("/api/sync/status", stack.token("operator"))[0] == 200
    assert stack.get("/api/products", stack.token("operator"))[0] == 403

    code, headers, page = stack.get("/")
    assert code == 200 and headers["Content-Type"].startswith("text/html")
    assert b"Catalog Sync" in page
    config = json.loads(stack.get("/config.json")[2])
    cognito = stack.info["cognito"]
    assert config == {"apiBase": "/api", "cognito": {
        "region": cognito["region"], "userPoolId": cognito["user_pool_id"], "clientId": cognito["client_id"],
        "endpoint": cognito["endpoint_url"] + "/"}}

    records = list(_source(stack).products(None))
    assert status["products_synced"]["products"] == len({r["sku"] for r in records})
    assert status["products_synced"]["rows"] == len(records)
    assert status["export"] == {"enabled": True, "destination": "http", "reason": None}
    assert first["rows_exported"] == len(records) and first["rows_failed"] == 0


def _ingestion(stack: LocalStack, path: str, key: str | None = None) -> tuple[int, Any]:
    """The simulated ingestion service: its read-back API (with the key) or its admin (/__ingest, local only)."""
    assert stack.info["destination_simulated"]
    base = stack.info["ingestion_admin_url"].removesuffix("/__ingest")
    request = urllib.request.Request(base + path, headers={"x-api-key": key} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _feed_row(stack: LocalStack, sku: str, view: str) -> dict[str, Any]:
    env = stack.info["env"]
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.info["aws_endpoint_url"],
                            region_name=stack.info["region"], aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    item = dynamodb.get_item(TableName=stack.info["tables"]["feed_rows"], ConsistentRead=True,
                             Key={"item_id": {"S": sku}, "feed_scope": {"S": f"products#{view}"}})["Item"]
    return {name: next(iter(value.values())) for name, value in item.items()}


def test_the_service_holds_each_products_feed_document(stack: LocalStack) -> None:
    record = next(r for r in _source(stack).products(None) if r["type"] == "configurable")
    sku, view = record["sku"], record["store_view_code"]
    key = stack.info["simulated_destination_api_key"]
    assert _ingestion(stack, f"/v1/items?sku={sku}&storeViewCode={view}")[0] == 401  # the key is needed
    code, held = _ingestion(stack, f"/v1/items?sku={sku}&storeViewCode={view}", key)
    assert code == 200, held
    row = _feed_row(stack, sku, view)
    document = dict(held["document"])
    assert (document.pop("updatedAt"), document.pop("modifiedAt") <= held["receivedAt"]) == (
        row["last_modified"], True)
    assert document == json.loads(row["document"])  # what the service holds is the feed row's document
    # The row names the batch its version was sent in; a later full resync (the CLI test's, when the random order
    # runs it first) sends the same version again in a batch of its own, and leaves the unchanged row as it is.
    assert row["batch"].startswith(row["run_id"] + "/")
    assert held["batchId"] == row["batch"] or held["batchId"].split("/")[0] > row["run_id"], (held, row)
    assert key not in stack.output_tail(100_000)  # the key is in the stack file only, never in the output


def _received(stack: LocalStack) -> dict[tuple[str, str], dict[str, Any]]:
    """What the simulated service holds, by row (its admin lists each row with its batch and receive count)."""
    code, held = _ingestion(stack, "/__ingest/items")
    assert code == 200
    return {(item["sku"], item["storeViewCode"]): item for item in held["items"]}


def test_partial_sync_exports_exactly_the_touched_rows(stack: LocalStack) -> None:
    # given the products edited in Magento while no run is in flight (the schedule fires when the test says)
    before = stack.status()["last_sync"]["run_id"]
    received_before = {key: item["receiveCount"] for key, item in _received(stack).items()}
    prices: dict[str, set[Any]] = {}
    views: dict[str, list[str]] = {}
    for record in _source(stack).products(None):
        if record["type"] == "simple":
            prices.setdefault(record["sku"], set()).add(record["price"])
            views.setdefault(record["sku"], []).append(record["store_view_code"])
    # Products without a website price of their own: a new default price changes each of their rows.
    skus = sorted(sku for sku, seen in prices.items() if len(seen) == 1)
    touched = {skus[0], skus[len(skus) // 2], skus[-1]}
    expected = Counter((sku, view) for sku in touched for view in views[sku])
    assert len(expected) >= len(touched)
    for n, sku in enumerate(sorted(touched)):
        _magento(stack, f"/products/{sku}/price", {"price": 101.5 + n})  # bumps updated_at, as Magento does

    # when the hourly schedule fires
    stack.fire_scheduled_sync()
    run = stack.next_run(before, "the partial sync of the touched products")

    # then it read what changed since the last sync and exported exactly the touched rows, once each
    assert (run["trigger"], run["mode"], run["status"]) == ("schedule", "partial", "Success"), run
    assert run["rows_changed"] == run["rows_exported"] == sum(expected.values())
    assert run["rows_failed"] == 0
    received = _received(stack)
    exported = Counter(key for key, item in received.items() if item["batchId"].startswith(run["run_id"] + "/"))
    assert exported == expected
    assert {key: item["receiveCount"] - received_before.get(key, 0) for key, item in received.items()
            if item["receiveCount"] != received_before.get(key, 0)} == dict.fromkeys(expected, 1)


def test_the_cli_resyncs_the_running_stack_from_the_stack_file(stack: LocalStack) -> None:
    env = {name: value for name, value in os.environ.items() if name not in vars(settings).values()
           and not name.startswith("MAGENTO_")}  # everything, credentials included, comes from stack.json
    # No run is in flight: every test waits for the runs it starts, and the schedule fires only when asked.
    done = subprocess.run([sys.executable, "-m", "chalicelib.cli", "--local", "resync", "--feed", "products",
                           "--force", "--timeout", "120"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    # The CLI's own summary: the status may already show a scheduled run that started after it.
    [run_id] = re.findall(r"^run (\S+): Success$", done.stdout, re.MULTILINE)
    assert "trigger cli" in done.stdout
    # A forced full resync sends every row again: the service now holds each from the CLI's run.
    held = _ingestion(stack, "/__ingest/items")[1]["items"]
    assert held and all(item["batchId"].startswith(run_id + "/") for item in held)
