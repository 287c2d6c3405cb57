"""`readback`: read a whole feed back from the simulated ingestion service through the HTTP destination's bulk
read (HttpDestination.holdings) and compare it with the rows' hashes, as issue 17's reconciliation would."""
from __future__ import annotations

import gzip
import os
import time

import orjson
import urllib3

from .common import Result, start_ingestion_service

NAME = "readback"
TITLE = "Read a feed back from the ingestion service (reconciliation's destination side)"
GOAL = ("issue 17: reading back and comparing 1,000,000 items costs ≤ 2 requests per 1,000 items at the destination "
        "and ≤ 5 minutes on this machine")
DEFAULT_ITEMS = 1_000_000
VIEWS = ("default", "french", "german", "spanish")
LOAD_BATCH = 5000  # items per POST while loading (not measured)
CHANGED = 100  # items the service holds in another version (stale), items it lacks (missing), extra ones (orphaned)
API_KEY = "bench-ingestion-key"
SENT_AT = "2026-11-22T10:00:00.000Z"


def _document(n: int) -> dict:
    """A products feed document of realistic shape (~600 bytes of JSON)."""
    view = VIEWS[n % len(VIEWS)]
    product = n // len(VIEWS)
    return {"sku": f"SKU-{product:07d}", "productId": product + 1, "storeViewCode": view, "storeCode": f"{view}_store",
            "websiteCode": "base", "name": f"Product {product} in {view}", "type": "simple", "status": "Enabled",
            "visibility": "Catalog, Search", "attributeSet": "Default", "urlKey": f"product-{product}",
            "description": f"Description of product {product}.", "shortDescription": None, "weight": 1.5,
            "currency": "USD", "price": 10.0 + product % 97, "displayable": True, "buyable": True, "inStock": True,
            "attributes": [{"attributeCode": "color", "value": ["Blue"]}],
            "categoryData": [{"categoryId": "3", "categoryPath": "gear", "productPosition": 1}],
            "inventory": {"qty": 100.0, "salableQty": 100.0}, "images": [], "parents": [], "deleted": False}


def _load(base: str, items: int) -> tuple[dict[tuple[str, ...], str], float]:
    """POST the feed to the service (the first CHANGED left out, the next CHANGED in another version, CHANGED
    extra ones); the rows' hashes by identity, as the feed rows hold them."""
    from chalicelib.domain.feed import canonical, content_hash, exported_item

    pool = urllib3.PoolManager(maxsize=2, retries=False)
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", "x-api-key": API_KEY}
    expected: dict[tuple[str, ...], str] = {}
    started = time.perf_counter()
    for start in range(0, items + CHANGED, LOAD_BATCH):
        batch = []
        for n in range(start, min(start + LOAD_BATCH, items + CHANGED)):
            document = _document(n)
            if n < items:
                expected[(document["sku"], document["storeViewCode"])] = content_hash(canonical(document))
            if n < CHANGED:
                continue  # missing at the destination
            if n < 2 * CHANGED:
                document = {**document, "name": "Changed at the destination"}  # stale
            batch.append(exported_item(document, "2026-11-20 10:00:00", SENT_AT))
        body = gzip.compress(orjson.dumps({"feed": "products", "items": batch}), compresslevel=1)
        reply = pool.request("POST", base + "/v1/feeds/products", body=body, headers=headers, timeout=120)
        assert reply.status == 200 and orjson.loads(reply.data)["errors"] == [], reply.data[:300]
    return expected, time.perf_counter() - started


class _CountingPool(urllib3.PoolManager):
    """Counts the bytes of the answers as they came over the wire (gzip-compressed)."""

    def __init__(self) -> None:
        super().__init__(maxsize=2, retries=False)
        self.wire_bytes = 0

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        self.wire_bytes += int(response.headers.get("Content-Length") or 0)
        return response


def _reconcile(base: str, expected: dict[tuple[str, ...], str], page_size: int) -> dict:
    """Read the feed back and compare: missing, stale, orphaned, in sync; requests, bytes and wall time."""
    from chalicelib.adapters.http_destination import HttpDestination

    pool = _CountingPool()
    destination = HttpDestination(base + "/v1/feeds/{feed}", lambda: API_KEY, timeout_seconds=60,
                                  budget_seconds=120, pool=pool, read_page_size=page_size)
    unseen = set(expected)
    stale = orphaned = in_sync = held = 0
    started = time.perf_counter()
    for item in destination.holdings("products"):
        held += 1
        want = expected.get(item.identity)
        if want is None:
            orphaned += 1
            continue
        unseen.discard(item.identity)
        if item.hash == want:
            in_sync += 1
        else:
            stale += 1
    seconds = time.perf_counter() - started
    return {"page_size": page_size, "held": held, "requests": destination.requests, "seconds": seconds,
            "wire_bytes": pool.wire_bytes, "missing": len(unseen), "stale": stale, "orphaned": orphaned,
            "in_sync": in_sync}


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def run(args) -> Result:
    items = args.rows or DEFAULT_ITEMS
    os.environ["DESTINATION_API_KEY"] = API_KEY
    process, base = start_ingestion_service(API_KEY)
    try:
        print(f"  loading {items:,} items into the service ...", flush=True)
        expected, load_seconds = _load(base, items)
        service_mb = _rss_mb(process.pid)
        measured = []
        for page_size in (1000, 5000):
            print(f"  reading back, {page_size} a page ...", flush=True)
            measured.append(_reconcile(base, expected, page_size))
    finally:
        process.terminate()
        process.wait(10)

    result = Result(NAME, TITLE, GOAL)
    result.add("items in the feed (products, 4 store views, ~600 B of JSON each)", items)
    result.add("loaded in (POSTs of 5,000, not measured further)", f"{load_seconds:.0f} s")
    result.add("service memory holding them (RSS)", f"{service_mb:,.0f} MB")
    result.add("differences planted", f"{CHANGED} missing, {CHANGED} stale, {CHANGED} orphaned")
    table = []
    for m in measured:
        table.append([m["page_size"], m["held"], m["requests"], f"{1000 * m['requests'] / items:.2f}",
                      f"{m['seconds']:.1f}", f"{m['held'] / m['seconds']:,.0f}", f"{m['wire_bytes'] / m['held']:.1f}",
                      f"{m['missing']} / {m['stale']} / {m['orphaned']} / {m['in_sync']:,}"])
    result.tables.append(("Read back and compared (client and service on this machine, separate processes)", [
        "page size", "items listed", "requests", "requests per 1,000 items", "wall time (s)", "items/s",
        "gzip bytes per item", "missing / stale / orphaned / in sync"], table))
    default = measured[0]
    found = (default["missing"], default["stale"], default["orphaned"]) == (CHANGED, CHANGED, CHANGED)
    per_thousand = 1000 * default["requests"] / items
    result.met = found and per_thousand <= 2 and default["seconds"] <= 300
    result.verdict = (f"{per_thousand:.2f} requests per 1,000 items and {default['seconds']:.0f} s for {items:,} "
                      f"items at 1,000 a page ({1000 * measured[1]['requests'] / items:.2f} and "
                      f"{measured[1]['seconds']:.0f} s at 5,000); every planted difference found"
                      if found else "the planted differences were not all found")
    return result
