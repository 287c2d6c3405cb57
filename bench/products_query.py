"""`products`: product search and sync status latency at 1,000,000 feed rows on the embedded stack's moto server.

The feed rows table gets N rows (sample products × 4 store views, a mix of export states) by batch writes; the
search index snapshot is built from the same rows, as the sync's first build would; then the measured calls are
the services behind GET /api/products (``search_products``) and GET /api/sync/status (``sync_status``), timed in
this process (server-side: no HTTP client or routing). Between searches an "exporter" marks a batch of pending
rows exported through the journaled feed store, so searches also replay fresh journal entries, as they would
while exports run.
"""
from __future__ import annotations

import gc
import statistics
import sys
import time
from array import array
from collections import Counter
from dataclasses import replace
from pathlib import Path

from .common import RequestCounter, Result, create_resources, fake_aws_env
from .stack_server import MotoProcess

NAME = "products"
TITLE = "Product search and sync status at 1,000,000 feed rows (embedded stack)"
GOAL_SEARCH_MS, GOAL_STATUS_MS = 300, 50
GOAL = (f"GET /api/products with a name search, a status filter, and both: p95 ≤ {GOAL_SEARCH_MS} ms server-side, "
        f"no request reads the whole table; GET /api/sync/status p95 ≤ {GOAL_STATUS_MS} ms; at 1,000,000 feed rows")
DEFAULT_ROWS = 1_000_000
VIEWS = 4
PER_KIND = 120  # timed searches of each kind (half of them a second page, through the cursor)
STATUS_CALLS = 200
MARK_EVERY, MARK_ROWS = 4, 100  # an exporter's batch marked between searches
LOAD_CHUNK = 5_000

SEARCHES = ["hoodie", "yoga mat", "classic tee", "trail", "ms-01234", "sac à dos", "12345", "gourde", "tote",
            "nova jack"]
STATUSES = ["failed", "pending", "exported", "deleted", "not_exported"]
BOTH = [("hoodie", "exported"), ("tee", "failed"), ("ms-02", "pending"), ("urban", "deleted"), ("bag", "failed"),
        ("pro", "not_exported"), ("warranty", "exported"), ("summit", "pending")]
SORTS = [("sku", "asc"), ("name", "asc"), ("last_exported", "desc"), ("last_modified", "desc")]


def _state(i: int) -> str:
    """A steady catalog's mix: nearly all exported; some pending, failed, deleted, not exported."""
    roll = (i * 2654435761) % 1000
    if roll < 15:
        return "pending"
    if roll < 25:
        return "failed"
    if roll < 35:
        return "deleted"
    if roll < 40:
        return "not_exported"
    return "exported"


def _catalog(rows: int):
    """Feed rows in chunks: sample products in 4 store views (where the sample has no german record, and for
    the 4th view, a copy of the default one)."""
    from chalicelib.adapters.sample_catalog import SampleCatalogSource
    from chalicelib.domain.feed import DELETED, StoreView
    from chalicelib.domain.feeds.products import build_row, deletion_of

    products = max(1, rows // VIEWS)
    source = SampleCatalogSource(products)
    views = {view.code: view for view in source.store_views()}
    views["spanish"] = StoreView("spanish", "eu_store", "eu", "EUR")
    at, n, per_chunk = "2026-11-22T09:00:00.000Z", 0, LOAD_CHUNK // VIEWS
    for first in range(1, products + 1, per_chunk):
        by_product: dict[int, dict] = {}
        for record in source.products_by_key([], range(first, min(first + per_chunk, products + 1))):
            by_product.setdefault(record["product_id"], {})[record["store_view_code"]] = record
        chunk = []
        for records in by_product.values():
            for code in ("default", "french", "german", "spanish"):
                row = build_row(records.get(code) or {**records["default"], "store_view_code": code}, views)
                state = _state(n)
                n += 1
                if state == "deleted":
                    row = deletion_of(row, views[code])
                row.export_status, row.run_id = (DELETED if state == "deleted" else state), "bench-load"
                if state in ("exported", "deleted"):
                    row.last_exported_hash, row.last_exported_at = row.hash, at
                if state == "failed":
                    row.error, row.failure = "invalid: rejected by the ingestion service", "rejected"
                chunk.append(row)
        yield chunk


def _load(rows: int, server: MotoProcess):
    from chalicelib.adapters.dynamo_feed import DynamoFeedStore
    from chalicelib.search.rows import index_row

    store, indexed, pending, started = DynamoFeedStore("products"), [], [], time.perf_counter()
    for chunk in _catalog(rows):
        store.put_rows(chunk)
        indexed += [index_row(row) for row in chunk]
        pending += [(row.key, row.hash) for row in chunk if row.export_status == "pending"]
        if len(indexed) % 100_000 < LOAD_CHUNK:
            elapsed = time.perf_counter() - started
            print(f"  loaded {len(indexed):,} rows in {elapsed:.0f} s ({len(indexed) / elapsed:,.0f} rows/s; "
                  f"moto server {server.peak_rss_mb():,.0f} MB)", flush=True)
        if not server.alive:
            raise RuntimeError("the moto server stopped while loading (memory?)")
    return indexed, pending, time.perf_counter() - started


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    return (statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)], ordered[-1])


def _rss_mb() -> float:
    """This process's resident memory now (not its peak: loading the rows set that)."""
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:"))


def _held_mb(index) -> float:
    """What the index's own texts, arrays and tables take (its orders included)."""
    def size(value) -> int:
        if isinstance(value, (str, bytes, bytearray, array)):
            return sys.getsizeof(value)
        if isinstance(value, dict):
            return sys.getsizeof(value) + sum(size(v) for v in value.values())
        if isinstance(value, list):
            return sys.getsizeof(value) + sum(size(v) for v in value)
        return 0
    total = sum(size(value) for value in vars(index).values())
    total += sum(size(value) for order in index.orders.values() for value in vars(order).values())
    return total / 1e6


def run(args) -> Result:
    rows = args.rows or DEFAULT_ROWS
    with MotoProcess(fixed=True, memory_limit_mb=18_000) as server:
        fake_aws_env(server.url)
        print(f"  moto server (the local stack's) on {server.url}; loading {rows:,} rows ...", flush=True)
        figures = _measure(server, rows)
        figures["server_peak_mb"] = server.peak_rss_mb()
    fake_aws_env()
    return _result(figures, rows)


def _measure(server: MotoProcess, rows: int) -> dict:
    from chalicelib import container
    from chalicelib.adapters.dynamo_runs import DynamoRunStore
    from chalicelib.domain.runs import SUCCESS, iso, start_run, utcnow
    from chalicelib.ports import ExportMark
    from chalicelib.search import snapshot
    from chalicelib.services.products import search_products
    from chalicelib.services.status import sync_status

    container.reset()
    settings = replace(create_resources(), destination="none")
    ctx = container.build(settings)
    indexed, pending, load_s = _load(rows, server)

    # The snapshot, as the sync's first build makes it from the rows (here from the rows loaded, not a scan).
    started = time.perf_counter()
    data = snapshot.encode(snapshot.build(indexed))
    build_s = time.perf_counter() - started
    store = ctx.product_search.store
    position = store.position_now()
    published = store.publish(data, position, len(indexed))
    del indexed
    gc.collect()

    # A finished run and the feed's totals, for the status.
    runs = DynamoRunStore()
    run = start_run("products", "schedule", "partial", utcnow(), 3600)
    runs.create(run)
    run.batches_total, run.rows_seen, run.rows_changed = 0, rows, 0
    runs.seal(run)
    runs.finish(run.run_id, SUCCESS, None, iso(utcnow()))
    ctx.control.feed_states.record_catalog("products", rows, rows // VIEWS, absolute=True)
    ctx.control.feed_states.record_success("products", run.run_id, iso(utcnow()), iso(utcnow()))
    # The journal's backlog just below a compaction: 199 exporter batches of 20 rows, marked as exporters do.
    exported = [ExportMark(key, row_hash) for key, row_hash in pending]
    backlog = min(199 * 20, len(exported) // 4)
    for start in range(0, backlog, 20):
        ctx.rows("products").mark_exported(exported[start:start + 20], iso(utcnow()))
    to_mark = exported[backlog:]

    # The API's cold start: the snapshot read and decoded, the journal replayed.
    gc.collect()
    rss_before = _rss_mb()
    started = time.perf_counter()
    index = ctx.product_search.index()
    cold_s = time.perf_counter() - started
    gc.collect()
    index_mb, held_mb = _rss_mb() - rss_before, _held_mb(index)

    counter = RequestCounter()
    timings: dict[str, list[float]] = {"name search": [], "status filter": [], "name search + status": []}
    totals: dict[str, list[int]] = {kind: [] for kind in timings}
    marked = calls = 0
    with counter.counting():
        for step in range(PER_KIND):
            sort, order = SORTS[step % len(SORTS)]
            q, status = SEARCHES[step % len(SEARCHES)], STATUSES[step % len(STATUSES)]
            bq, bstatus = BOTH[step % len(BOTH)]
            for kind, params in (("name search", {"q": q}), ("status filter", {"status": status}),
                                 ("name search + status", {"q": bq, "status": bstatus})):
                cursor = None
                if step % 2:  # a second page: the first one untimed, then its cursor
                    cursor = search_products(ctx, sort=sort, order=order, **params)["next_cursor"]
                    calls += 1
                    if cursor is None:
                        continue
                started = time.perf_counter()
                page = search_products(ctx, sort=sort, order=order, cursor=cursor, **params)
                timings[kind].append((time.perf_counter() - started) * 1000)
                totals[kind].append(page["total"])
                calls += 1
            if step % MARK_EVERY == 0 and to_mark:  # an exporter's batch, journaled: the next searches replay it
                batch, to_mark = to_mark[:MARK_ROWS], to_mark[MARK_ROWS:]
                ctx.rows("products").mark_exported(batch, iso(utcnow()))
                marked += len(batch)
        searches = counter.snapshot()
    status_counter = RequestCounter()
    status_ms = []
    with status_counter.counting():
        for _ in range(STATUS_CALLS):
            started = time.perf_counter()
            sync_status(ctx)
            status_ms.append((time.perf_counter() - started) * 1000)
    final_pending = search_products(ctx, status="pending")["total"]
    container.reset()
    return {"load_s": load_s, "build_s": build_s, "snapshot_bytes": len(data), "chunks": published.chunks,
            "cold_s": cold_s, "index_mb": index_mb, "held_mb": held_mb, "index_rows": len(index),
            "timings": timings, "totals": totals,
            "searches": searches, "status_ms": status_ms, "status_requests": status_counter.snapshot(),
            "marked": marked, "pending_before": len(to_mark) + marked, "pending_after": final_pending,
            "calls": calls}


def _result(f: dict, rows: int) -> Result:
    result = Result(NAME, TITLE, GOAL)
    result.add("feed rows in the table / in the index", f"{rows:,} / {f['index_rows']:,}")
    result.add("moto server", "`python -m local_stack.moto_patched` (the local stack's), a subprocess")
    result.add("load: BatchWriteItem of the rows, s (setup, not measured)", f["load_s"])
    result.add("moto server peak memory (VmHWM), MB", f["server_peak_mb"])
    result.add("snapshot build from the rows (sort + encode), s (the sync's side)", f["build_s"])
    result.add("snapshot size, MB / DynamoDB chunks", f"{f['snapshot_bytes'] / 1e6:.1f} / {f['chunks']}")
    result.add("API cold start: snapshot read + decoded, the journal's backlog replayed, s", f["cold_s"])
    result.add("API memory for the index, MB: its texts and arrays / the process's RSS growth at the cold start",
               f"{f['held_mb']:.0f} / {f['index_mb']:.0f}")
    result.add("rows marked exported by the 'exporter' during the searches (journaled)", f["marked"])
    result.add("status filter 'pending': rows before / after those marks", f"{f['pending_before']:,} / "
               f"{f['pending_after']:,}")
    table, worst = [], 0.0
    for kind, values in f["timings"].items():
        p50, p95, top = _percentiles(values)
        worst = max(worst, p95)
        totals = f["totals"][kind]
        table.append([kind, len(values), f"{p50:.1f}", f"{p95:.1f}", f"{top:.1f}",
                      f"{min(totals):,} – {max(totals):,}"])
    s50, s95, stop = _percentiles(f["status_ms"])
    table.append(["sync status", len(f["status_ms"]), f"{s50:.1f}", f"{s95:.1f}", f"{stop:.1f}", "—"])
    result.tables.append(("Server-side latency, ms (searches: limit 50, sorts cycling sku / name / last exported "
                          "desc / last modified desc, every other one a second page through the cursor)",
                          ["call", "calls", "p50", "p95", "max", "matching rows (total)"], table))
    calls = f["calls"]
    ops = Counter(f["searches"])
    result.tables.append(("AWS requests of the searches (untimed first pages and the exporter's marks included)",
                          ["operation", "calls"], [[op, n] for op, n in sorted(ops.items())]))
    result.tables.append(("AWS requests of the status calls", ["operation", "calls"],
                          [[op, n] for op, n in sorted(f["status_requests"].items())]))
    scans = ops.get("dynamodb.Scan", 0) + f["status_requests"].get("dynamodb.Scan", 0)
    result.met = worst <= GOAL_SEARCH_MS and s95 <= GOAL_STATUS_MS and scans == 0 and rows >= DEFAULT_ROWS
    result.verdict = (f"searches p95 ≤ {worst:.0f} ms (goal {GOAL_SEARCH_MS}), sync status p95 {s95:.1f} ms "
                      f"(goal {GOAL_STATUS_MS}), {scans} scans in {calls:,} calls"
                      + ("" if rows >= DEFAULT_ROWS else f"; at {rows:,} rows, not the goal's 1,000,000") + ".")
    return result
