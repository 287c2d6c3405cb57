"""`magento`: read every feed from the simulated Magento through the real adapter (requests per 1,000 items, items/s,
memory), then the products feed at a real store's latency (the simulator's latency fault) and MAGENTO_CONCURRENCY."""
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
from typing import Any, ClassVar

from .common import Result

NAME = "magento"
TITLE = "Read the catalog from the simulated Magento"
GOAL = ("every feed: report requests per 1,000 items and items/s, peak memory bounded (the same at a tenth of the "
        "catalog as at all of it, within 50 MB); products: a full read of 100,000 products × 3 store views at 100 ms "
        "per request in ≤ 15 minutes, never more requests in flight than MAGENTO_CONCURRENCY")
DEFAULT_PRODUCTS = 100_000
SCALED_PRODUCTS = 5_000  # the latency runs read this many products and extrapolate to DEFAULT_PRODUCTS
MEMORY_SLACK_MB = 50
GOAL_SECONDS = 15 * 60
FEEDS = ("products", "productAttributes", "categories", "variants")
REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _kind(path: str, params: Any) -> str:
    query = dict(params)
    if "/get-product-salable-quantity/" in path:
        return "salable quantity (one per managed product in stock, per stock)"
    if path.endswith("/V1/inventory/are-products-salable"):
        return "composites' members salable (100 SKUs each)"
    if path.endswith("/V1/inventory/source-items"):
        return "source items (100 SKUs each)"
    if path.endswith("/V1/products") and "type_id" in query.values():
        return "composites' links / configurables (fields=, 300 each)"
    if path.endswith("/V1/products") and "entity_id" in query.values() and "in" in query.values():
        return "children by id (fields=, 100 each)"
    if path.endswith("/V1/products"):
        return "product pages (one per view and page)"
    if "/V1/categories" in path:
        return "category tree (one per view)"
    if "/V1/products/attributes" in path:
        return "attributes and option labels"
    return "store layout, attribute sets, stock resolution"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pull(url: str, integration: dict, feed: str, concurrency: int,
          page_size: int) -> tuple[int, float, Counter, int]:
    from chalicelib.adapters.magento import MagentoCatalogSource, MagentoClient, OAuth1Auth

    class CountingClient(MagentoClient):
        kinds: ClassVar[Counter] = Counter()

        def get(self, store, path, params=()):
            self.kinds[_kind(path, params)] += 1
            return super().get(store, path, params)

    CountingClient.kinds = Counter()
    auth = OAuth1Auth(integration["consumer_key"], integration["consumer_secret"], integration["access_token"],
                      integration["access_token_secret"])
    client = CountingClient(url, auth, concurrency=concurrency)
    source = MagentoCatalogSource(client, page_size=page_size)
    started = time.perf_counter()
    items = sum(1 for _ in source.read(feed, None))  # each record dropped as a sync drops each page
    return items, time.perf_counter() - started, client.kinds, client.most_in_flight


def _simulator(products: int) -> tuple[subprocess.Popen, str, dict]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "local_stack.magento", "--port", str(port),
                                "--products", str(products), "--lenient"], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/__sim", timeout=2) as response:
                return process, url, json.loads(response.read())["integration"]
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the simulated Magento did not start")


def _latency(url: str, seconds: float) -> None:
    request = urllib.request.Request(url + "/__sim/faults", data=json.dumps({"latency": seconds}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


def _every_feed(products: int, page_size: int, concurrency: int) -> dict[int, dict[str, tuple]]:
    """Every feed read whole at no added latency, at a tenth of the catalog and then all of it."""
    figures: dict[int, dict[str, tuple]] = {}
    for size in (max(1, products // 10), products):
        process, url, integration = _simulator(size)
        try:
            figures[size] = {}
            for feed in FEEDS:
                print(f"  {feed}: {size:,} products ...", flush=True)
                items, seconds, kinds, most = _pull(url, integration, feed, concurrency, page_size)
                figures[size][feed] = (items, seconds, Counter(kinds), most, _peak_mb())
        finally:
            process.terminate()
            process.wait(10)
    return figures


def _at_latency(products: int, page_size: int, latencies: list[int], concurrencies: list[int]) -> dict[tuple, tuple]:
    """The products feed read at each latency (ms) and concurrency, on one simulator: (latency, concurrency) →
    (rows, seconds, requests, most in flight)."""
    found = {}
    process, url, integration = _simulator(products)
    try:
        for latency in latencies:
            _latency(url, latency / 1000)
            for concurrency in concurrencies:
                print(f"  products at {latency} ms, concurrency {concurrency}, {products:,} products ...", flush=True)
                items, seconds, kinds, most = _pull(url, integration, "products", concurrency, page_size)
                found[(latency, concurrency)] = (items, seconds, sum(kinds.values()), most)
    finally:
        process.terminate()
        process.wait(10)
    return found


def run(args) -> Result:
    products = args.rows or DEFAULT_PRODUCTS
    scaled = getattr(args, "scaled", None) or min(SCALED_PRODUCTS, products)
    page_size = 200
    concurrency = 8
    latencies = getattr(args, "latency", None) or [0, 50, 100]
    concurrencies = getattr(args, "concurrency", None) or [8, 16]
    figures = _every_feed(products, page_size, concurrency)
    half, full = _at_latency(scaled // 2, page_size, latencies, concurrencies), \
        _at_latency(scaled, page_size, latencies, concurrencies)

    small, large = sorted(figures)
    result = Result(NAME, TITLE, GOAL)
    result.add("simulated Magento", "`python -m local_stack.magento --lenient` (a subprocess; no schema check per "
               "answer), 2.4 paging, OAuth 1.0a signed requests")
    result.add("products / store views", f"{large:,} / 3 (default, french on website base; german on eu)")
    result.add("page size / MAGENTO_CONCURRENCY (every-feed reads)", f"{page_size} / {concurrency}")
    feed_rows = []
    for feed in FEEDS:
        items, seconds, kinds, most, _ = figures[large][feed]
        requests = sum(kinds.values())
        feed_rows.append([feed, f"{items:,}", f"{seconds:,.1f}", f"{items / seconds:,.0f}", f"{requests:,}",
                          f"{1000 * requests / max(items, 1):.1f}", most,
                          f"{figures[small][feed][4]:.0f} / {figures[large][feed][4]:.0f}"])
    result.tables.append((f"Every feed read whole, no added latency ({large:,} products)",
                          ["feed", "items", "s", "items/s", "requests", "per 1,000 items", "most in flight",
                           f"peak RSS MB after {small:,} / {large:,} products"], feed_rows))
    items, _, kinds, _, _ = figures[large]["products"]
    requests_at_large = sum(kinds.values())
    result.tables.append(("Products: requests by kind", ["kind", "requests", "per 1,000 rows"],
                          [[kind, f"{count:,}", f"{1000 * count / items:.1f}"] for kind, count in kinds.most_common()]))
    latency_rows, best = [], None
    for (latency, conc), (rows, seconds, requests, most) in full.items():
        _, half_seconds, _, half_most = half[(latency, conc)]
        slope = (seconds - half_seconds) / (scaled - scaled // 2)  # seconds per product, fixed costs set apart
        projected = half_seconds + slope * (large - scaled // 2)
        floor = requests_at_large * latency / 1000 / conc
        latency_rows.append([latency, conc, f"{half_seconds:,.1f} / {seconds:,.1f}", f"{1000 * requests / rows:.0f}",
                             max(most, half_most), f"{projected / 60:,.1f}", f"{floor / 60:,.1f}"])
        if latency == max(latencies):
            best = projected if best is None else min(best, projected)
    result.tables.append((f"Products at a store's latency: {scaled // 2:,} and {scaled:,} products read, the wall time "
                          f"extrapolated along the line through both to {large:,} products",
                          ["latency, ms", "MAGENTO_CONCURRENCY", "wall time, s", "requests per 1,000 rows",
                           "most in flight", f"projected for {large:,} products, min",
                           "floor: requests × latency / concurrency, min"], latency_rows))
    peak_small, peak_large = figures[small]["products"][4], figures[large]["variants"][4]
    bounded = peak_large - peak_small <= MEMORY_SLACK_MB
    fast = best is not None and best <= GOAL_SECONDS
    capped = all(row[3] <= conc for (_, conc), row in [*full.items(), *half.items()])
    result.met = bounded and fast and capped
    result.verdict = (f"memory {peak_small:.0f} MB at {small:,} products, {peak_large:.0f} MB at {large:,} "
                      f"({'bounded' if bounded else 'it grows'}); at {max(latencies)} ms the best projected full read "
                      f"of {large:,} products is {(best or 0) / 60:.1f} min ({'within' if fast else 'over'} 15); in "
                      f"flight never above the setting: {capped}.")
    return result
