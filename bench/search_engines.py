"""`search`: the products search engines compared in process, at 1,000,000 and 5,000,000 feed rows.

Today's engine (chalicelib/search: an in-memory index, snapshot + journal) against SQLite with an FTS5 trigram
index (bench/sqlite_search.py, the standard library's sqlite3), both built here from the rows of the `products`
benchmark (sample products × 4 store views, a steady catalog's mix of export states): no emulator, since
comparing engines needs none and loading millions of rows into moto takes hours. Each engine's snapshot is
written to a file; a fresh Python process (the API Lambda's stand-in) then starts cold from those bytes, answers
the timed searches and replays exporters' batch outcomes between them; it reports its own memory.

What is timed is the engine's part of GET /api/products: the parameters checked, the total counted, the page
found and its columns read. The rest of a request is the same for both engines and is measured by `products`:
one Query for the journal (usually empty) and one BatchGetItem of the page's export state.
"""
from __future__ import annotations

import gc
import importlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import Result

NAME = "search"
TITLE = "Products search engines: the in-memory index against SQLite FTS5 (trigram), in process"
GOAL_P95_MS, GOAL_COLD_S, GOAL_MEMORY_MB = 300, 3.0, 1_500
GOAL = (f"At 5,000,000 rows: a name search, a status filter and both p95 ≤ {GOAL_P95_MS} ms server-side, cold start "
        f"≤ {GOAL_COLD_S:.0f} s, API memory ≤ {GOAL_MEMORY_MB / 1000:.1f} GB; keep the engine that meets them with "
        "less code")
SIZES = (1_000_000, 5_000_000)
ENGINES = ("memory", "sqlite")
PER_KIND = 100  # timed searches of each kind, every other one a second page through the cursor
OUTCOME_EVERY, OUTCOME_ROWS = 4, 100  # an exporter's batch outcome replayed between searches
SEARCHES = ["hoodie", "yoga mat", "classic tee", "trail", "ms-01234", "sac à dos", "12345", "gourde", "tote",
            "nova jack"]
VIEWS = ("default", "french", "german", "spanish")
LOAD_CHUNK = 5_000
SUBMITTED, AWAITING, ATTENTION, DELETED, NOT_EXPORTED = ("submitted", "awaiting_submission",
                                                         "failed_requires_attention", "deleted", "not_exported")
STATUSES = [ATTENTION, AWAITING, SUBMITTED, DELETED, NOT_EXPORTED]
BOTH = [("hoodie", SUBMITTED), ("tee", ATTENTION), ("ms-02", AWAITING), ("urban", DELETED), ("bag", ATTENTION),
        ("pro", NOT_EXPORTED), ("warranty", SUBMITTED), ("summit", AWAITING)]
SORTS = [("sku", "asc"), ("name", "asc"), ("last_exported", "desc"), ("last_modified", "desc")]
KINDS = ("name search", "status filter", "name search + status")
ROOT = Path(__file__).resolve().parent.parent
# The modules each engine needs besides the package's shared ones (rows, text, journal, query, live copy, upkeep,
# stores, the journaled feed and the port's adapter).
ENGINE_FILES = {"memory": [f"chalicelib/search/{name}.py" for name in ("index", "orders", "snapshot")],
                "sqlite": ["bench/sqlite_search.py"]}


def run(args) -> Result:
    sizes = (args.rows,) if args.rows else SIZES
    engines = tuple(args.engines or ENGINES)
    if set(engines) - set(ENGINES):
        raise SystemExit(f"search: unknown engine(s) in {','.join(engines)}; choose from {', '.join(ENGINES)}")
    figures = {}
    with tempfile.TemporaryDirectory(prefix="search-engines-") as work:
        for rows in sizes:
            print(f"  {rows:,} rows: generating ...", flush=True)
            figures[rows] = _compare(rows, Path(work), engines)
    return _result(figures)


def _state(i: int) -> str:
    """A steady catalog's mix: nearly all submitted; some awaiting, failed, deleted, not exported."""
    roll = (i * 2654435761) % 1000
    for cut, state in ((15, AWAITING), (25, ATTENTION), (35, DELETED), (40, NOT_EXPORTED)):
        if roll < cut:
            return state
    return SUBMITTED


def _catalog(rows: int):
    """Feed rows in chunks: sample products in 4 store views (where the sample has no german record, and for
    the 4th view, a copy of the default one), in a steady catalog's mix of export states."""
    from chalicelib.adapters.sample_catalog import SampleCatalogSource
    from chalicelib.domain.feed import StoreView
    from chalicelib.domain.feeds.products import build_row, deletion_of

    products = max(1, rows // len(VIEWS))
    source = SampleCatalogSource(products)
    views = {view.code: view for view in source.store_views()}
    views["spanish"] = StoreView("spanish", "eu_store", "eu", "EUR")
    at, n, per_chunk = "2026-11-22T09:00:00.000Z", 0, LOAD_CHUNK // len(VIEWS)
    for first in range(1, products + 1, per_chunk):
        by_product: dict[int, dict] = {}
        for record in source.products_by_key([], range(first, min(first + per_chunk, products + 1))):
            by_product.setdefault(record["product_id"], {})[record["store_view_code"]] = record
        chunk = []
        for records in by_product.values():
            for code in VIEWS:
                row = build_row(records.get(code) or {**records["default"], "store_view_code": code}, views)
                state = _state(n)
                n += 1
                if state == DELETED:
                    row = deletion_of(row, views[code])
                row.export_status, row.run_id = state, "bench-load"
                if state in (SUBMITTED, DELETED):
                    row.last_exported_at = at
                chunk.append(row)
        yield chunk


def _compare(rows: int, work: Path, engines: tuple[str, ...]) -> dict:
    from chalicelib.search import journal, snapshot
    from chalicelib.search.rows import index_row, millis

    from .sqlite_search import SqliteIndex

    started = time.perf_counter()
    indexed, pending = [], []
    for chunk in _catalog(rows):
        indexed += [index_row(row) for row in chunk]
        pending += [(row.key, row.hash) for row in chunk if row.export_status == AWAITING]
    print(f"    generated in {time.perf_counter() - started:.0f} s", flush=True)
    # Exporters' outcomes to replay during the searches: batches of awaiting rows the destination took.
    outcomes = [journal.encode(entry) for start in range(0, min(len(pending), 40 * OUTCOME_ROWS), OUTCOME_ROWS)
                for entry in journal.rows_marked(SUBMITTED, millis("2026-11-22T10:00:00.000Z"),
                                                 pending[start:start + OUTCOME_ROWS])]
    (work / "outcomes.pickle").write_bytes(pickle.dumps(outcomes))
    builds = {}
    started = time.perf_counter()
    (work / "memory.snapshot").write_bytes(snapshot.encode(snapshot.build(indexed)))
    builds["memory"] = time.perf_counter() - started
    print(f"    in-memory snapshot built in {builds['memory']:.0f} s", flush=True)
    if "sqlite" in engines:
        started = time.perf_counter()
        built = SqliteIndex.build(indexed, str(work / "build.sqlite"))
        (work / "sqlite.snapshot").write_bytes(built.to_bytes())
        built.close()
        builds["sqlite"] = time.perf_counter() - started
        print(f"    SQLite snapshot built in {builds['sqlite']:.0f} s", flush=True)
    del indexed
    gc.collect()
    found = {}
    for engine in engines:
        started = time.perf_counter()
        answer = subprocess.run([sys.executable, "-m", "bench.search_engines", engine, str(work)], cwd=ROOT,
                                capture_output=True, text=True, check=False)
        if answer.returncode:
            raise RuntimeError(f"the {engine} worker failed:\n{answer.stderr[-3000:]}")
        found[engine] = json.loads(answer.stdout.strip().splitlines()[-1])
        found[engine]["build_s"] = builds[engine]
        found[engine]["snapshot_bytes"] = (work / f"{engine}.snapshot").stat().st_size
        print(f"    {engine}: cold start {found[engine]['cold_s']:.2f} s, searches done in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    return found


# The worker: a fresh process, as an API Lambda starting cold

def _rss_mb(field: str = "VmRSS") -> float:
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith(f"{field}:"))


def _worker(engine: str, work: Path) -> dict:
    for module in ("chalicelib.container", "chalicelib.services.products"):  # what the API has imported by then
        importlib.import_module(module)
    from chalicelib.search import journal
    from chalicelib.search.query import parse_query

    gc.collect()
    baseline = _rss_mb()
    data = (work / f"{engine}.snapshot").read_bytes()  # what the store hands over (its transfer is not timed)
    outcomes = pickle.loads((work / "outcomes.pickle").read_bytes())
    started, cpu_started = time.perf_counter(), time.process_time()
    if engine == "memory":
        from chalicelib.search.index import ProductIndex
        from chalicelib.search.query import run_query

        index = ProductIndex.from_bytes(data)

        def search(**params):
            page = run_query(index, parse_query(index, **params))
            return [index.display(row) for row in page.rows], page.total, page.next_cursor
    else:
        from .sqlite_search import SqliteIndex

        index = SqliteIndex.from_bytes(data, str(work))

        def search(**params):
            page = index.run(parse_query(index, **params))
            return index.display(page.rows), page.total, page.next_cursor
    del data
    search(q="hoodie", sort="name")  # the first request's answer ends the cold start
    # Wall time is what the goal counts; CPU time (all this process's threads) is what it costs a Lambda's vCPU
    # share, and what a machine shared with other work stretches least.
    cold_s, cold_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    gc.collect()
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    totals: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for step in range(PER_KIND):
        sort, order = SORTS[step % len(SORTS)]
        q, status = SEARCHES[step % len(SEARCHES)], STATUSES[step % len(STATUSES)]
        both_q, both_status = BOTH[step % len(BOTH)]
        for kind, params in zip(KINDS, ({"q": q}, {"status": status}, {"q": both_q, "status": both_status}),
                                strict=True):
            cursor = None
            if step % 2:  # a second page: the first one untimed, then its cursor
                cursor = search(sort=sort, order=order, **params)[2]
                if cursor is None:
                    continue
            started = time.perf_counter()
            _, total, _ = search(sort=sort, order=order, cursor=cursor, **params)
            timings[kind].append((time.perf_counter() - started) * 1000)
            totals[kind].append(total)
        if step % OUTCOME_EVERY == 0 and outcomes:  # an exporter's batch: the next searches see it
            index.apply(journal.decode(outcomes.pop(0)))
    pending_after = search(status=AWAITING)[1]
    return {"cold_s": cold_s, "cold_cpu_s": cold_cpu_s, "baseline_mb": baseline, "rss_mb": _rss_mb(),
            "peak_mb": _rss_mb("VmHWM"),
            "file_mb": os.path.getsize(index.path) / 1e6 if engine == "sqlite" else 0.0,
            "timings": timings, "totals": totals, "pending_after": pending_after}


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _lines(paths: list[str]) -> int:
    return sum(len((ROOT / path).read_text(encoding="utf-8").splitlines()) for path in paths)


def _result(figures: dict[int, dict]) -> Result:
    result = Result(NAME, TITLE, GOAL)
    shared = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "chalicelib" / "search").glob("*.py")
                    if str(path.relative_to(ROOT)) not in ENGINE_FILES["memory"])
    result.add("lines of code shared by both engines (chalicelib/search/ but the in-memory engine's own)",
               _lines(shared))
    first = next(iter(figures.values()))
    result.add("API process before the snapshot (Python, boto3, PynamoDB, chalicelib imported), MB",
               first["memory"]["baseline_mb"])
    for engine, label in (("memory", "in-memory index.py, orders.py, snapshot.py"),
                          ("sqlite", "SQLite bench/sqlite_search.py")):
        if engine in first:
            result.add(f"lines of code of the engine itself: {label}", _lines(ENGINE_FILES[engine]))
    met: dict[str, bool] = {}
    for rows, found in figures.items():
        table = []
        for engine, f in found.items():
            cells = [engine, f"{f['build_s']:.0f}", f"{f['snapshot_bytes'] / 1e6:,.0f}",
                     f"{f['cold_s']:.2f} / {f['cold_cpu_s']:.2f}",
                     f"{f['rss_mb']:,.0f} / {f['peak_mb']:,.0f}" + (f" (+{f['file_mb']:,.0f} MB file)"
                                                                     if f["file_mb"] else "")]
            worst = 0.0
            for kind in KINDS:
                p50, p95 = _percentiles(f["timings"][kind])
                worst = max(worst, p95)
                cells.append(f"{p50:.0f} / {p95:.0f}")
            table.append(cells)
            if rows >= SIZES[-1]:
                met[engine] = (worst <= GOAL_P95_MS and f["cold_s"] <= GOAL_COLD_S
                               and f["peak_mb"] <= GOAL_MEMORY_MB)
        result.tables.append((f"{rows:,} rows", ["engine", "build, s", "snapshot, MB",
                                                 "cold start: wall / CPU, s",
                                                 "API process memory after / peak, MB", "name search p50 / p95, ms",
                                                 "status filter p50 / p95, ms", "both p50 / p95, ms"], table))
    result.add("load average after the run (1, 5, 15 minutes)", ", ".join(f"{load:.2f}" for load in os.getloadavg()))
    result.met = any(met.values()) if met else None
    result.verdict = ("at 5,000,000 rows: " + "; ".join(f"the {engine} engine {'meets' if ok else 'misses'} the goals"
                                                      for engine, ok in met.items())
                      if met else "not run at 5,000,000 rows")
    return result


if __name__ == "__main__":
    from .common import fake_aws_env

    fake_aws_env()
    print(json.dumps(_worker(sys.argv[1], Path(sys.argv[2]))))
