"""`magento`: read every feed from the simulated Magento through the real adapter (requests per 1,000 items, items/s,
memory), then a full read of the store — the products feed and the inventoryStockStatus feed's salable quantities,
what the products read used to cost — at a real store's latency (the simulator's latency fault) and
MAGENTO_CONCURRENCY."""
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
        "catalog as at all of it, within 50 MB); a full read of 100,000 products × 3 store views (the products feed "
        "and the inventoryStockStatus feed's salable quantities) at 100 ms per request in ≤ 15 minutes, never more "
        "requests in flight than MAGENTO_CONCURRENCY")
DEFAULT_PRODUCTS = 100_000
SCALED_PRODUCTS = 5_000  # the latency runs read this many products and extrapolate to DEFAULT_PRODUCTS
MEMORY_SLACK_MB = 50
GOAL_SECONDS = 15 * 60
FEEDS = ("products", "productAttributes", "categories", "variants", "inventoryStockStatus")
FULL_READ = ("products", "inventoryStockStatus")  # a full read of a real store: what the latency runs read
REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _kind(path: str, params: Any) -> str:
    query = dict(params)
    if "/get-product-salable-quantity/" in path:
        return "salable quantity (one per product the bulk check did not settle, per stock)"
    if "/V1/inventory/are-product-salable-for-requested-qty" in path:
        return "salable for its quantity? (bulk, up to 100 SKUs each)"
    if path.endswith("/V1/inventory/are-products-salable"):
        return "Magento's salable answers (100 SKUs each)"
    if path.endswith("/V1/products") and query.get("fields") == "items[id,status]":
        return "status per page and website (fields=)"
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
    """A full read (products, then inventoryStockStatus) at each latency (ms) and concurrency, on one simulator:
    (feed, latency, concurrency) → (items, seconds, requests, most in flight)."""
    found = {}
    process, url, integration = _simulator(products)
    try:
        for latency in latencies:
            _latency(url, latency / 1000)
            for concurrency in concurrencies:
                for feed in FULL_READ:
                    print(f"  {feed} at {latency} ms, concurrency {concurrency}, {products:,} products ...", flush=True)
                    items, seconds, kinds, most = _pull(url, integration, feed, concurrency, page_size)
                    found[(feed, latency, concurrency)] = (items, seconds, sum(kinds.values()), most)
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
    for feed in FULL_READ:
        items, _, kinds, _, _ = figures[large][feed]
        result.tables.append((f"{feed}: requests by kind", ["kind", "requests", "per 1,000 items"],
                              [[kind, f"{count:,}", f"{1000 * count / items:.1f}"]
                               for kind, count in kinds.most_common()]))
    latency_rows, best = [], None
    for latency in latencies:
        for conc in concurrencies:
            total_half = total_projected = total_floor = 0.0
            for feed in FULL_READ:
                rows, seconds, requests, most = full[(feed, latency, conc)]
                _, half_seconds, _, half_most = half[(feed, latency, conc)]
                slope = (seconds - half_seconds) / (scaled - scaled // 2)  # seconds per product, fixed costs apart
                projected = half_seconds + slope * (large - scaled // 2)
                floor = sum(figures[large][feed][2].values()) * latency / 1000 / conc
                total_half, total_projected, total_floor = (total_half + half_seconds, total_projected + projected,
                                                            total_floor + floor)
                latency_rows.append([feed, latency, conc, f"{half_seconds:,.1f} / {seconds:,.1f}",
                                     f"{1000 * requests / rows:.0f}", max(most, half_most), f"{projected / 60:,.1f}",
                                     f"{floor / 60:,.1f}"])
            latency_rows.append(["**full read**", latency, conc, "", "", "", f"**{total_projected / 60:,.1f}**",
                                 f"{total_floor / 60:,.1f}"])
            if latency == max(latencies):
                best = total_projected if best is None else min(best, total_projected)
    result.tables.append((f"A full read at a store's latency (products, then inventoryStockStatus): {scaled // 2:,} "
                          f"and {scaled:,} products read, the wall time extrapolated along the line through both to "
                          f"{large:,} products",
                          ["feed", "latency, ms", "MAGENTO_CONCURRENCY", "wall time, s", "requests per 1,000 items",
                           "most in flight", f"projected for {large:,} products, min",
                           f"floor: the {large:,}-product read's requests × latency / concurrency, min"],
                          latency_rows))
    peak_small, peak_large = figures[small]["products"][4], figures[large][FEEDS[-1]][4]
    bounded = peak_large - peak_small <= MEMORY_SLACK_MB
    fast = best is not None and best <= GOAL_SECONDS
    capped = all(row[3] <= conc for (_, _, conc), row in [*full.items(), *half.items()])
    result.met = bounded and fast and capped
    result.verdict = (f"memory {peak_small:.0f} MB at {small:,} products, {peak_large:.0f} MB at {large:,} "
                      f"({'bounded' if bounded else 'it grows'}); at {max(latencies)} ms the best projected full read "
                      f"(products and salable quantities) of {large:,} products is {(best or 0) / 60:.1f} min "
                      f"({'within' if fast else 'over'} 15); in "
                      f"flight never above the setting: {capped}.")
    return result
