"""`magento`: pull a catalog from the simulated Magento through the real adapter (requests, rows/s, memory)."""
from __future__ import annotations

import json
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import ClassVar

from .common import Result

NAME = "magento"
TITLE = "Pull the catalog from the simulated Magento"
GOAL = ("report requests per 1,000 rows and rows/s; the sync process's peak memory stays bounded "
        "(the same at a tenth of the catalog as at all of it, within 50 MB)")
DEFAULT_PRODUCTS = 100_000
MEMORY_SLACK_MB = 50
REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _kind(path: str) -> str:
    if "/get-product-salable-quantity/" in path:
        return "salable quantity (one per product with stock)"
    if path.endswith("/V1/inventory/source-items"):
        return "source items (100 SKUs each)"
    if path.endswith("/V1/products"):
        return "product pages (and composites' children)"
    return "store layout, attributes, categories, stock resolution"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pull(url: str, integration: dict, page_size: int) -> tuple[int, float, Counter]:
    from chalicelib.adapters.magento import MagentoCatalogSource, MagentoClient, OAuth1Auth

    class CountingClient(MagentoClient):
        kinds: ClassVar[Counter] = Counter()

        def get(self, store, path, params=()):
            self.kinds[_kind(path)] += 1
            return super().get(store, path, params)

    auth = OAuth1Auth(integration["consumer_key"], integration["consumer_secret"], integration["access_token"],
                      integration["access_token_secret"])
    client = CountingClient(url, auth)
    source = MagentoCatalogSource(client, page_size=page_size)
    started = time.perf_counter()
    rows = sum(1 for _ in source.products(None))  # each record dropped as a sync drops each page
    return rows, time.perf_counter() - started, client.kinds


def _simulator(products: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "local_stack.magento", "--port", str(port),
                                "--products", str(products), "--lenient"], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/__sim", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the simulated Magento did not start")


def run(args) -> Result:
    products = args.rows or DEFAULT_PRODUCTS
    page_size = 200
    figures = []
    for size in (max(1, products // 10), products):
        process, url = _simulator(size)
        try:
            with urllib.request.urlopen(url + "/__sim", timeout=10) as response:
                integration = json.loads(response.read())["integration"]
            print(f"  pulling {size:,} products ...", flush=True)
            rows, seconds, kinds = _pull(url, integration, page_size)
            figures.append((size, rows, seconds, kinds, _peak_mb()))
        finally:
            process.terminate()
            process.wait(10)

    (small, small_rows, _, _, small_peak), (large, rows, seconds, kinds, peak) = figures
    requests = sum(kinds.values())
    result = Result(NAME, TITLE, GOAL)
    result.add("simulated Magento", "`python -m local_stack.magento --lenient` (a subprocess; no schema "
               "check per answer), 2.4 paging, OAuth 1.0a signed requests")
    result.add("products / store views", f"{large:,} / 3 (default, french on website base; german on eu)")
    result.add("rows read (product × store view of its website)", rows)
    result.add("page size", page_size)
    result.add("wall time, s", seconds)
    result.add("rows/s", rows / seconds)
    result.add("requests, total", requests)
    result.add("requests per 1,000 rows", 1000 * requests / rows)
    result.add(f"peak RSS of the sync process after {small:,} products ({small_rows:,} rows), MB", small_peak)
    result.add(f"peak RSS of the sync process after {large:,} products ({rows:,} rows), MB", peak)
    result.tables.append(("Requests by kind", ["kind", "requests", "per 1,000 rows"],
                          [[kind, count, f"{1000 * count / rows:.1f}"] for kind, count in kinds.most_common()]))
    result.met = peak - small_peak <= MEMORY_SLACK_MB
    result.verdict = (f"{rows / seconds:,.0f} rows/s, {1000 * requests / rows:.0f} requests per 1,000 rows; "
                      f"peak memory "
                      f"{small_peak:.0f} MB at {small:,} products and {peak:.0f} MB at {large:,}: "
                      + ("bounded." if result.met else "it grows with the catalog."))
    return result
