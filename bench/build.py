"""`build`: feed rows built and hashed per second on one core (build_row over pre-generated records)."""
from __future__ import annotations

import cProfile
import pstats
import time
from itertools import islice

from .common import Result, products_for_rows, summary

NAME = "build"
TITLE = "Feed building + hashing"
GOAL_ROWS_PER_S = 50_000
GOAL = f"≥ {GOAL_ROWS_PER_S:,} rows/s on one core (median of the timed passes)"
DEFAULT_ROWS = 100_000


def _records(rows: int) -> tuple[list, dict]:
    from chalicelib.adapters.sample_catalog import SampleCatalogSource

    source = SampleCatalogSource(products_for_rows(rows) + 10, seed=42)
    views = {view.code: view for view in source.store_views()}
    return list(islice(source.products(None), rows)), views


def _timed(function, items) -> float:
    """Seconds for one pass of ``function`` over ``items`` (results dropped, as a sync drops each page)."""
    start = time.perf_counter()
    for item in items:
        function(item)
    return time.perf_counter() - start


def _breakdown(records: list, views: dict, repeat: int) -> list[list[str]]:
    """Best time per row of the two library calls build_row makes, and of everything else."""
    from chalicelib.domain import feed

    documents = []
    original = feed._canonical
    feed._canonical = lambda document: documents.append(document) or original(document)
    try:
        texts = [feed.build_row(record, views).document.encode() for record in records]
    finally:
        feed._canonical = original
    total = min(_timed(lambda r: feed.build_row(r, views), records) for _ in range(repeat))
    encode = min(_timed(original, documents) for _ in range(repeat))
    hashing = min(_timed(feed.content_hash, texts) for _ in range(repeat))
    parts = [("json encode (feed._canonical: orjson, sorted keys)", encode),
             ("content_hash (blake2b-128 + hexdigest)", hashing),
             ("the rest of build_row (document dict, field checks, FeedRow)", total - encode - hashing)]
    return [[label, f"{1e6 * t / len(records):.2f}", f"{100 * t / total:.0f}%"] for label, t in parts]


def _profile(records: list, views: dict, top: int = 8) -> list[list[str]]:
    from chalicelib.domain.feeds.products import build_row

    profiler = cProfile.Profile()
    profiler.runcall(lambda: [build_row(record, views) for record in records])
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]
    return [[f"{func[0].rsplit('/', 1)[-1]}:{func[1]}({func[2]})", f"{calls:,}", f"{tottime:.3f}",
             f"{100 * tottime / total:.0f}%"] for func, (_, calls, tottime, _, _) in rows]


def run(args) -> Result:
    from chalicelib.domain.feeds.products import build_row

    rows = args.rows or DEFAULT_ROWS
    records, views = _records(rows)
    sizes = [len(build_row(record, views).document.encode()) for record in records]  # also the warm-up pass
    rates = [len(records) / _timed(lambda r: build_row(r, views), records) for _ in range(max(1, args.repeat))]
    best, median = summary(rates)

    result = Result(NAME, TITLE, GOAL)
    result.add("rows per pass (pre-generated sample records, generation not timed)", len(records))
    result.add("timed passes", len(rates))
    result.add("rows/s, median", median)
    result.add("rows/s, best", best)
    result.add("rows/s, worst", min(rates))
    result.add("µs per row, median", 1e6 / median)
    result.add("mean feed document size, bytes (UTF-8)", sum(sizes) / len(sizes))
    result.met = median >= GOAL_ROWS_PER_S
    result.verdict = (f"median {median:,.0f} rows/s (best {best:,.0f}) against {GOAL_ROWS_PER_S:,}: "
                      + ("met." if result.met else f"{GOAL_ROWS_PER_S / median:.2f}× short."))
    result.tables.append(("Where a row's time goes (best of the passes, µs per row)",
                          ["part", "µs/row", "share"], _breakdown(records, views, max(1, args.repeat))))
    result.tables.append(("cProfile of one pass (top functions by own time; profiling inflates call costs)",
                          ["function", "calls", "own s", "share"], _profile(records, views)))
    return result
