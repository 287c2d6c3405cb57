"""`reconcile`: issue 17's reconciliation of a million products items — the source side (the feed rows' keys,
hashes and deletion flags through DynamoFeedStore.iter_states, indexed) and the destination side
(HttpDestination.holdings against the simulated ingestion service), compared by domain/reconciliation.compare.

Loading a million rows into moto takes hours: the rows come from generated Scan pages served to the real
PynamoDB reader in process (its deserialisation, the store's mapping and the index are what is timed; DynamoDB's
own time per page is not)."""
from __future__ import annotations

import gc
import os
import time
from typing import Any

from .common import Result, start_ingestion_service
from .readback import API_KEY, CHANGED, DEFAULT_ITEMS, _load, _rss_mb

NAME = "reconcile"
TITLE = "Reconcile a feed of a million items (the feed rows against the ingestion service)"
GOAL = ("issue 17: reconciling 1,000,000 items costs ≤ 2 requests per 1,000 items at the destination and ≤ 5 minutes "
        "on this machine")
SCAN_PAGE_ITEMS = 700  # a Scan page is 1 MB of whole items read: rows of ~1.4 KB (the document included)
BATCH = "20261122T100000Z-aaaaaa/00001"


def _pages(expected: dict[tuple[str, ...], str]) -> list[list[dict[str, Any]]]:
    """The Scan pages DynamoDB would answer with (the attributes iter_states asks for), plus the rows the
    destination holds but the source deleted: each row's hash as the feed holds it."""
    items = [{"item_id": {"S": sku}, "feed_scope": {"S": f"products#{view}"}, "hash": {"S": digest},
              "deleted": {"BOOL": False}, "batch": {"S": BATCH}} for (sku, view), digest in expected.items()]
    return [items[start:start + SCAN_PAGE_ITEMS] for start in range(0, len(items), SCAN_PAGE_ITEMS)]


def _serve(pages: list[list[dict[str, Any]]]) -> dict[str, int]:
    """Point the feed rows model's connection at the pages; returns the request counter."""
    from chalicelib.adapters.dynamo_tables import bound

    calls = {"scans": 0}

    def scan(*_args: Any, exclusive_start_key: dict | None = None, **_kwargs: Any) -> dict[str, Any]:
        index = 0 if exclusive_start_key is None else int(exclusive_start_key["page"]["N"]) + 1
        calls["scans"] += 1
        answer: dict[str, Any] = {"Items": pages[index], "Count": len(pages[index]),
                                  "ScannedCount": len(pages[index])}
        if index + 1 < len(pages):
            answer["LastEvaluatedKey"] = {"page": {"N": str(index)}}
        return answer

    bound().feed_rows._get_connection().scan = scan  # type: ignore[method-assign]
    return calls


def _reconcile(base: str, pages: list, page_size: int) -> dict[str, Any]:
    from chalicelib.adapters.dynamo_feed import DynamoFeedStore
    from chalicelib.adapters.http_destination import HttpDestination
    from chalicelib.domain.feeds import feed_named
    from chalicelib.domain.reconciliation import MISSING, ORPHANED, STALE, SourceEntry, SourceIndex, compare

    calls = _serve(pages)
    gc.collect()
    before = _rss_mb(os.getpid())
    started = time.perf_counter()
    index = SourceIndex.for_feed(feed_named("products"))
    for key, state in DynamoFeedStore("products").iter_states():
        index.add(SourceEntry(key, state.hash or "", state.deleted))
    source_seconds = time.perf_counter() - started
    index_mb = _rss_mb(os.getpid()) - before
    destination = HttpDestination(base + "/v1/feeds/{feed}", lambda: API_KEY, timeout_seconds=60,
                                  budget_seconds=120, read_page_size=page_size)
    started = time.perf_counter()
    result = compare(index, destination.holdings("products"))
    compare_seconds = time.perf_counter() - started
    return {"page_size": page_size, "scans": calls["scans"], "source_seconds": source_seconds, "index_mb": index_mb,
            "requests": destination.requests, "compare_seconds": compare_seconds, "held": result.held,
            "found": (result.found[MISSING].count, result.found[STALE].count, result.found[ORPHANED].count),
            "in_sync": result.in_sync}


def run(args) -> Result:
    items = args.rows or DEFAULT_ITEMS
    os.environ["DESTINATION_API_KEY"] = API_KEY
    process, base = start_ingestion_service(API_KEY)
    try:
        print(f"  loading {items:,} items into the service ...", flush=True)
        expected, load_seconds = _load(base, items)
        pages = _pages(expected)
        del expected
        measured = []
        for page_size in (1000, 5000):
            print(f"  reconciling, {page_size} a page ...", flush=True)
            measured.append(_reconcile(base, pages, page_size))
    finally:
        process.terminate()
        process.wait(10)
    result = Result(NAME, TITLE, GOAL)
    result.add("rows in the feed (products, 4 store views) = items the service should hold", items)
    result.add("loaded into the service in (not measured further)", f"{load_seconds:.0f} s")
    result.add("differences planted", f"{CHANGED} missing, {CHANGED} stale, {CHANGED} orphaned")
    result.add("Scan pages served (700 rows: 1 MB of ~1.4 KB rows)", measured[0]["scans"])
    table = []
    for m in measured:
        total = m["source_seconds"] + m["compare_seconds"]
        table.append([m["page_size"], m["scans"], f"{m['source_seconds']:.1f}", f"{m['index_mb']:,.0f}",
                      m["requests"], f"{1000 * m['requests'] / items:.2f}", f"{m['compare_seconds']:.1f}",
                      f"{total:.1f}", " / ".join(map(str, m["found"])) + f" / {m['in_sync']:,}"])
    result.tables.append(("Reconciled (source side in process; service in its own process on this machine)", [
        "destination page size", "Scan pages (source)", "source read + index (s)", "index memory (MB, RSS growth)",
        "destination requests", "requests per 1,000 items", "destination read + compare (s)", "total (s)",
        "missing / stale / orphaned / in sync"], table))
    default = measured[0]
    found = default["found"] == (CHANGED, CHANGED, CHANGED)
    per_thousand = 1000 * default["requests"] / items
    total = default["source_seconds"] + default["compare_seconds"]
    result.met = found and per_thousand <= 2 and total <= 300
    result.verdict = (f"{per_thousand:.2f} destination requests per 1,000 items, {total:.0f} s in all for {items:,} "
                      f"items ({default['source_seconds']:.0f} s source side, {default['compare_seconds']:.0f} s "
                      f"destination side and comparison), {default['index_mb']:,.0f} MB for the source index; every "
                      "planted difference found" if found else "the planted differences were not all found")
    return result
