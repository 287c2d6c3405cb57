"""`partial`: AWS requests of a partial sync with no changes, at two catalog sizes (goal: none per row)."""
from __future__ import annotations

import time
from dataclasses import replace
from itertools import islice

from .common import RequestCounter, Result, create_resources, products_for_rows

NAME = "partial"
TITLE = "Partial sync with no changes"
GOAL = "0 AWS requests per row: no operation's count grows with the catalog"
DEFAULT_ROWS = 100_000
SMALL_SHARE = 10  # the first measurement is at rows / 10


def _exported_rows(source, rows: int) -> list:
    """The catalog's rows as a successful full sync and export leaves them: each names its (done) batch."""
    from chalicelib.domain.feeds.products import build_row

    views = {view.code: view for view in source.store_views()}
    built = []
    for n, record in enumerate(islice(source.products(None), rows)):
        row = build_row(record, views)
        row.run_id, row.batch = "bench-load", f"bench-load/{n // 100 + 1:05d}"
        built.append(row)
    return built


def _done_batches(rows: list, at: str) -> list:
    """The records of the batches that carried them, delivered."""
    from chalicelib.domain.batches import DONE, BatchOutcome

    by_batch: dict[str, list] = {}
    for row in rows:
        by_batch.setdefault(row.batch, []).append(row.key)
    return [BatchOutcome(batch, "products", DONE, tuple(keys), at) for batch, keys in by_batch.items()]


def _measure(ctx) -> tuple[dict, float, object]:
    from chalicelib.services.sync import start_sync

    counter = RequestCounter()
    with counter.counting():
        started = time.perf_counter()
        run = start_sync(ctx, trigger="cli", mode="partial")
        elapsed = time.perf_counter() - started
    return counter.snapshot(), elapsed, run


def run(args) -> Result:
    from moto import mock_aws

    from chalicelib import container
    from chalicelib.adapters.dynamo_batches import DynamoBatchStore
    from chalicelib.adapters.dynamo_control import dynamo_control
    from chalicelib.adapters.dynamo_feed import DynamoFeedStore
    from chalicelib.domain.runs import iso, utcnow
    from local_stack.moto_patched import serialize_requests

    serialize_requests()  # rows are written from several threads: moto's backend has no locks
    total_rows = args.rows or DEFAULT_ROWS
    sizes = [max(1, total_rows // SMALL_SHARE), total_rows]
    measured: list[tuple[int, dict, float, object]] = []
    with mock_aws():
        settings = replace(create_resources(), sample_products=products_for_rows(total_rows) + 10)
        ctx = container.build(settings)
        now = iso(utcnow())
        rows = _exported_rows(ctx.source, total_rows)
        loaded = 0
        for size in sizes:
            started = time.perf_counter()
            DynamoBatchStore().create(_done_batches(rows[loaded:size], now))  # setup, not counted
            DynamoFeedStore("products").put_rows(rows[loaded:size])
            dynamo_control().feed_states.record_success("products", "bench-load", now, now)
            print(f"  loaded {size:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
            loaded = size
            counts, elapsed, run_ = _measure(ctx)
            measured.append((size, counts, elapsed, run_))
    container.reset()

    (small, small_counts, _, _), (large, large_counts, large_time, large_run) = measured
    operations = sorted(set(small_counts) | set(large_counts))
    growing = [op for op in operations if large_counts[op] > small_counts[op]]
    total = sum(large_counts.values())
    result = Result(NAME, TITLE, GOAL)
    result.add("catalog rows (loaded as exported, watermark set)", large)
    result.add("run status / mode", f"{large_run.status} / {large_run.mode}")
    result.add("rows read from the source", large_run.rows_seen)
    result.add("batches sent", large_run.batches_total or 0)
    result.add(f"requests, total at {small:,} rows", sum(small_counts.values()))
    result.add(f"requests, total at {large:,} rows", total)
    result.add("requests per row", "0 (only fixed per-run requests)" if not growing else f"{total / large:.4f}")
    result.add("operations whose count grows with rows", ", ".join(growing) or "none")
    result.add("wall time of the sync (in-process moto), s", large_time)
    result.met = not growing
    result.verdict = (f"{total} requests in all, the same at {small:,} and {large:,} rows: none scales with rows."
                      if not growing else f"{', '.join(growing)} grow with the catalog.")
    result.tables.append(("Requests by operation", ["operation", f"at {small:,} rows", f"at {large:,} rows"],
                          [[op, small_counts[op], large_counts[op]] for op in operations]))
    return result
