"""Resync by ids and dry runs on the local stack (the simulated Magento through the real adapter, the simulated
ingestion service as the destination), through the CLI (`--local`, as the README shows it) and the API: a dry run
leaves the destination's counts and the run history as they were."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from chalicelib import settings
from chalicelib.adapters.magento.source import FEEDS
from tests.e2e.test_local_stack import _ingestion
from tests.stack_process import REPO, LocalStack, running_stack

PRODUCTS = 30


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    with running_stack(tmp_path_factory.mktemp("local-resync"), SAMPLE_PRODUCTS=str(PRODUCTS),
                       SYNC_INTERVAL="3600", SELECTED_RESYNC_SECONDS="0") as handle:
        handle.wait_for("the first sync", lambda: (run := handle.status()["last_sync"]) and run["status"] == "Success",
                        90)
        # The schedule syncs every feed, products first: what the destination receives settles once all have ended.
        for feed in FEEDS:
            handle.wait_for(f"the first sync of {feed}", lambda feed=feed: _ended(handle, feed), 90)
        yield handle


def _ended(stack: LocalStack, feed: str) -> bool:
    code, _, body = stack.get(f"/api/sync/status?feed={feed}", stack.token())
    run = json.loads(body)["last_sync"] if code == 200 else None
    return bool(run) and run["status"] != "In Progress"


def _cli(*argv: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in vars(settings).values()
           and not name.startswith("MAGENTO_")}  # everything, credentials included, comes from stack.json
    return subprocess.run([sys.executable, "-m", "chalicelib.cli", "--local", "resync", "--feed", "products", *argv],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=180)


def _api(stack: LocalStack, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
    code, _, answer = stack.request(method, "/api" + path, stack.token(),
                                    json.dumps(body).encode() if body is not None else None)
    return code, json.loads(answer)


def _destination(stack: LocalStack) -> tuple[int, Counter]:
    """What the destination received: its deliveries, and how many times it received each item."""
    deliveries = _ingestion(stack, "/__ingest/deliveries?limit=1")[1]["count"]
    items = _ingestion(stack, "/__ingest/items")[1]["items"]
    return deliveries, Counter({(item["sku"], item["storeViewCode"]): item["receiveCount"] for item in items})


def _runs(stack: LocalStack) -> list[str]:
    return [run["run_id"] for run in _api(stack, "GET", "/sync/runs?limit=100")[1]["items"]]


def test_a_dry_run_sends_nothing_and_writes_its_payloads(stack: LocalStack, tmp_path: Path) -> None:
    before, runs = _destination(stack), _runs(stack)
    done = _cli("--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nothing was written, nothing was sent" in done.stdout and "would send 0 items" in done.stdout
    rows = len(before[1])  # the items the destination holds
    payloads = tmp_path / "items.jsonl"
    done = _cli("--dry-run", "--force", "--output", str(payloads))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"would send {rows} items (0 deletions)" in done.stdout
    items = [json.loads(line) for line in payloads.read_text().splitlines()]
    assert {(item["sku"], item["storeViewCode"]) for item in items} == set(before[1])
    assert '"level"' not in done.stdout  # log lines never in the output
    # Through the API: the summary, and still nothing sent.
    code, answer = _api(stack, "POST", "/sync", {"dry_run": True, "ids": [items[0]["sku"], "NOPE-1"]})
    assert code == 200, answer
    summary = answer["feeds"]["products"]
    assert summary["unknown_ids"] == ["NOPE-1"] and summary["send"]["items"] == summary["rows"]["read"] >= 1
    assert _destination(stack) == before and _runs(stack) == runs


def test_by_ids_sends_those_items_again_and_reports_the_unknown_ones(stack: LocalStack) -> None:
    deliveries, received = _destination(stack)
    skus = sorted({sku for sku, _ in received})[:2]
    done = _cli("--by-ids", ",".join([*skus, "NOPE-1"]), "--timeout", "60")
    assert done.returncode == 0, done.stdout + done.stderr
    [run_id] = re.findall(r"^run (\S+): Success$", done.stdout, re.MULTILINE)
    assert "mode ids, 3 ids" in done.stdout and "unknown ids: NOPE-1" in done.stdout
    assert re.search(r"^reading products: \d+ rows", done.stderr, re.MULTILINE)  # progress: stderr, off a terminal
    after = _destination(stack)[1]
    resent = {key for key in received if after[key] > received[key]}
    assert resent == {key for key in received if key[0] in skus}
    code, run = _api(stack, "GET", f"/sync/runs/{run_id}")
    assert (run["mode"], run["unknown_ids"], run["rows_exported"]) == ("ids", ["NOPE-1"], len(resent))
    # The API, by product id: the same through the trigger queue.
    product_id = _api(stack, "GET", f"/products?q={skus[0]}&limit=1")[1]["items"][0]["product_id"]
    code, accepted = _api(stack, "POST", "/sync", {"ids": [product_id], "id_type": "productId"})
    assert code == 202, accepted

    def ended() -> dict | None:
        detail = _api(stack, "GET", f"/sync/runs/{accepted['run_id']}")[1]
        return detail if detail["status"] != "In Progress" else None
    run = stack.wait_for("the resync by product id", ended, 60)
    assert (run["status"], run["mode"], run["unknown_ids"]) == ("Success", "ids", [])
    assert _destination(stack)[0] > deliveries
