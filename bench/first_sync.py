"""`first-sync`: `make run`'s first sync — from the API being up to every run of the first firing ending Success.

The local stack is started as `make run` starts it (`python -m local_stack`, a subprocess; the default catalog:
the simulated Magento and the simulated ingestion service). The clock starts when the API answers (`/api/health`,
the stack file written) and stops at the end of the last run the first scheduled firing started (the time its
"run finished" line carries, read from the stack's output, so that watching costs the stack nothing; the runs'
status is then read once through the API). The products feed runs first: the time to its Success (the figure
the goal was first set for, when the first sync was products alone) and each feed's are reported too. The firing
itself goes on after the syncs with each feed's first daily reconciliation: when it returns is reported apart. The
CPU time of each of the stack's processes (the stack itself, its moto server, the simulated Magento) is measured until
the firing's end: on a shared machine it is the figure that load does not stretch.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from .common import Result

NAME = "first-sync"
TITLE = "The first sync on `make run`"
GOAL_SECONDS = 10.0
GOAL = (f"≤ {GOAL_SECONDS:g} s from the API being up to the first sync's Success (`make run`'s defaults: 2,000 "
        "products × 3 store views), on this 2-core machine")
REPO = Path(__file__).resolve().parent.parent
STACK_FILE = REPO / ".local" / "stack.json"
TIMEOUT = 600.0
_FIRED = re.compile(r"scheduled sync #1 returned (\{.*\}) in ([\d.]+) s")
_FINISHED = re.compile(r'"message":\s*"run finished".*?"run_id":\s*"([^"]+)"')
_LOG_TIME = "%Y-%m-%d %H:%M:%S,%f%z"  # the structured log's "timestamp"


def _finished_at(text: str) -> dict[str, float]:
    """run id → when its "run finished" line was logged (epoch seconds)."""
    found = {}
    for line in text.splitlines():
        if '"run finished"' in line and line.startswith("{"):
            try:
                record = json.loads(line)
                found[record["run_id"]] = datetime.strptime(record["timestamp"], _LOG_TIME).timestamp()
            except (ValueError, KeyError):
                continue
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _role(pid: int) -> str:
    """moto, magento (the simulator) or stack, from the process's command line."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "gone"
    return "moto" if "moto" in command else "magento" if "local_stack.magento" in command else "stack"


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _kind(path: str) -> str:
    if "/get-product-salable-quantity/" in path:
        return "salable quantity (one product each)"
    if "/V1/inventory/are-product-salable-for-requested-qty" in path:
        return "salable for its quantity? (bulk)"
    if path.endswith("/V1/products"):
        return "product pages"
    if path.endswith("/V1/inventory/source-items"):
        return "source items"
    return "store layout, attributes, categories, stock"


def _get_json(url: str, token: str | None = None) -> tuple[int, object]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


class _Stack:
    """`python -m local_stack` with `make run`'s defaults, on free ports; stopped with Ctrl-C."""

    def __init__(self) -> None:
        from chalicelib import credentials, settings

        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {name: value for name, value in os.environ.items()
                       if name not in vars(settings).values() and name != credentials.EVENTS_SECRET
                       and not name.startswith(("AWS_", "POWERTOOLS_"))}
        environment.update(PORT=str(self.port), PYTHONUNBUFFERED="1")
        self._log = tempfile.NamedTemporaryFile(prefix="bench-first-sync-", suffix=".log", delete=False)  # noqa: SIM115  (closed in stop())
        STACK_FILE.unlink(missing_ok=True)
        self.started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-m", "local_stack"], cwd=REPO, env=environment,
                                        stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        self.info: dict = {}

    def output(self) -> str:
        return Path(self._log.name).read_text(encoding="utf-8", errors="replace")

    def _alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"the local stack exited:\n{self.output()[-3000:]}")

    def wait_up(self) -> float:
        """When the API answered: the stack file written by this process and /api/health 200."""
        while time.perf_counter() - self.started < TIMEOUT:
            self._alive()
            try:
                info = json.loads(STACK_FILE.read_text(encoding="utf-8"))
                if info.get("pid") == self.process.pid and _get_json(f"{self.base}/api/health")[0] == 200:
                    self.info = info
                    return time.perf_counter()
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        raise RuntimeError("the local stack did not come up")

    def wait_runs(self, on_finished: Callable[[int], None]) -> tuple[list[str], float, float]:
        """(the first firing's run ids, the seconds the firing took, when the last of its runs ended); calls
        ``on_finished(n)`` as soon as it sees n runs finished."""
        seen = 0
        while time.perf_counter() - self.started < TIMEOUT:
            self._alive()
            text = self.output()
            finished = len(_FINISHED.findall(text))
            while seen < finished:  # one call per count, when several runs' lines came at once
                seen += 1
                on_finished(seen)
            fired = _FIRED.search(text)
            if fired:
                run_ids = json.loads(fired.group(1).replace("'", '"'))["run_ids"]
                if set(run_ids) <= set(_FINISHED.findall(text)):
                    return run_ids, float(fired.group(2)), time.perf_counter()
            time.sleep(0.02)
        raise RuntimeError("the first sync did not end")

    def runs(self, run_ids: list[str]) -> list[dict]:
        from chalicelib.adapters.cognito_sign_in import access_token

        cognito = self.info["cognito"]
        user = cognito["users"]["admin"]
        token = access_token(cognito["endpoint_url"], cognito["region"], cognito["client_id"], user["username"],
                             user["password"])
        return [body for run_id in run_ids for code, body in [_get_json(f"{self.base}/api/sync/runs/{run_id}", token)]
                if code == 200 and isinstance(body, dict)]

    def magento_requests(self) -> dict[str, int]:
        """The simulated Magento's requests so far, by kind (its request log)."""
        url = self.info.get("magento_url")
        counts: dict[str, int] = {}
        if url:
            _, log = _get_json(f"{url}/__sim/requests")
            for record in log if isinstance(log, list) else []:
                counts[_kind(record["path"])] = counts.get(_kind(record["path"]), 0) + 1
        return counts

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        if os.environ.get("BENCH_KEEP_LOG"):  # the stack's log, to read where a start's time went
            print(f"    the stack's log: {self._log.name}", flush=True)
        else:
            os.unlink(self._log.name)


def _measure() -> dict:
    stack = _Stack()
    try:
        up = stack.wait_up()
        up_at = time.time()
        pids = [stack.process.pid, *_children(stack.process.pid)]
        roles = {pid: _role(pid) for pid in pids}
        cpu_up = {pid: _cpu_seconds(pid) for pid in pids}
        load_up = os.getloadavg()[0]

        def cpu_now() -> dict[str, float]:
            return {role: sum(_cpu_seconds(pid) - cpu_up[pid] for pid in pids if roles[pid] == role)
                    for role in ("stack", "moto", "magento")}

        cpu_at: dict[int, dict[str, float]] = {}  # runs finished → CPU then (read within 20 ms of the line)
        run_ids, firing_s, done = stack.wait_runs(lambda n: cpu_at.setdefault(n, cpu_now()))
        cpu = cpu_now()
        finished = _finished_at(stack.output())
        success_s = max(finished[run_id] for run_id in run_ids) - up_at
        runs = stack.runs(run_ids)
        feed_s = {run["feed"]: finished[run["run_id"]] - up_at for run in runs if run.get("run_id") in finished}
        # the first run to finish is products' (the feeds run one after another, products first)
        return {"up_s": up - stack.started, "sync_s": success_s, "firing_end_s": done - up, "firing_s": firing_s,
                "cpu": cpu, "sync_cpu": cpu_at.get(len(run_ids), cpu), "products_cpu": cpu_at.get(1, cpu),
                "feed_s": feed_s, "load": (load_up, os.getloadavg()[0]), "runs": runs,
                "magento_requests": stack.magento_requests()}
    finally:
        stack.stop()


def _cpu_text(measured: dict, key: str = "cpu") -> str:
    cpu = measured[key]
    return f"{sum(cpu.values()):.1f} s (" + ", ".join(f"{name} {cpu[name]:.1f}" for name in cpu if cpu[name]) + ")"


def _products_s(measured: dict) -> float:
    return measured["feed_s"].get("products", float("nan"))


def _feeds_text(measured: dict) -> str:
    return ", ".join(f"{feed} {s:.1f}" for feed, s in sorted(measured["feed_s"].items(), key=lambda item: item[1]))


def run(args) -> Result:
    repeats = args.repeat if args.repeat != 5 else 3  # --repeat N (default 3 here)
    measured = []
    for attempt in range(repeats):
        print(f"  start {attempt + 1}/{repeats} ...", flush=True)
        m = _measure()
        measured.append(m)
        print(f"    API up after {m['up_s']:.1f} s; products {_products_s(m):.1f} s; first sync {m['sync_s']:.1f} s "
              f"(each feed's Success: {_feeds_text(m)}; the firing, with the daily "
              f"reconciliations, {m['firing_end_s']:.1f} s); CPU {_cpu_text(m, 'sync_cpu')} until Success, "
              f"{_cpu_text(m)} until the firing's end; load "
              f"{m['load'][0]:.1f} → {m['load'][1]:.1f}", flush=True)
    by_time = sorted(measured, key=lambda m: m["sync_s"])
    best, median = by_time[0], by_time[len(by_time) // 2]
    rows = sum(r.get("rows_exported", 0) for r in best["runs"])
    result = Result(NAME, TITLE, GOAL)
    result.add("what runs", "`python -m local_stack` as `make run` starts it: the simulated Magento (2,000 products × "
               "3 store views, OAuth 1.0a) in its own process, the simulated ingestion service, 2 export workers, "
               "the local stack's moto server")
    result.add("runs of the first firing", "; ".join(
        f"{r['feed']}: {r['status']}, {r['rows_exported']:,} rows exported in {r['batches_total']} batches"
        for r in best["runs"]))
    result.add("starts measured", repeats)
    result.add("API up after the process started, s (best)", min(m["up_s"] for m in measured))
    result.add("first sync: API up → Success, s (best / median / worst)",
               f"{best['sync_s']:.1f} / {median['sync_s']:.1f} / {by_time[-1]['sync_s']:.1f}")
    by_products = sorted(measured, key=_products_s)
    result.add("products feed: API up → its Success (it runs first), s (best / median / worst)",
               f"{_products_s(by_products[0]):.1f} / {_products_s(by_products[len(by_products) // 2]):.1f} / "
               f"{_products_s(by_products[-1]):.1f}")
    result.add("each feed's Success, s after the API was up (best start)", _feeds_text(best))
    result.add("CPU until the products feed's Success, s (best start; per process)", _cpu_text(best, "products_cpu"))
    result.add("the first firing's end (its syncs, then each feed's first daily reconciliation), s after the API "
               "was up (best start)", f"{best['firing_end_s']:.1f}")
    result.add("rows exported per second (best start)", rows / best["sync_s"] if best["sync_s"] else 0.0)
    result.add("CPU until Success, s (best start; per process)", _cpu_text(best, "sync_cpu"))
    result.add("CPU until the firing's end, s (best start; per process)", _cpu_text(best))
    result.add("CPU until the firing's end, s (each start)",
               ", ".join(f"{sum(m['cpu'].values()):.1f}" for m in measured))
    result.add("load average (1 min) at the start and end of each start", ", ".join(
        f"{m['load'][0]:.1f} → {m['load'][1]:.1f}" for m in measured))
    result.add("Magento requests (best start)", ", ".join(
        f"{kind} {n:,}" for kind, n in sorted(best["magento_requests"].items(), key=lambda i: -i[1])))
    result.met = best["sync_s"] <= GOAL_SECONDS and all(r["status"] == "Success" for r in best["runs"])
    result.verdict = (f"first sync {best['sync_s']:.1f} s (best of {repeats}; median {median['sync_s']:.1f} s) from "
                      f"the API being up to Success, against {GOAL_SECONDS:g} s (the products feed alone: "
                      f"{_products_s(by_products[0]):.1f} s at best); CPU until then "
                      f"{_cpu_text(best, 'sync_cpu')}; load "
                      f"{best['load'][0]:.1f} at its start.")
    return result
