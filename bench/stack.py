"""`stack`: full sync + export of N rows on a moto server subprocess, against that emulator's own floor."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import replace

from . import stack_floor
from .common import RequestCounter, Result, create_resources, fake_aws_env, products_for_rows
from .stack_server import MotoProcess

NAME = "stack"
TITLE = "Full sync on the embedded stack (moto server)"
GOAL_RATIO = 2.0
GOAL = f"full sync + export wall time ≤ {GOAL_RATIO:g} × the emulator's floor, at 100,000 rows"
GOAL_ROWS = 100_000
DEFAULT_ROWS = 1_000  # stock moto: marks cost O(rows²) (see local_stack/moto_patched.py); 100,000 rows would take days
DEFAULT_ROWS_FIXED = GOAL_ROWS  # about 7 minutes with the fix


@contextmanager
def _exporters(ctx, queue_url: str, count: int):
    """Threads that receive one message, export it and delete it, as the local stack's workers do."""
    from chalicelib.services.export import export_batch

    stop, tally = threading.Event(), {"done": 0, "empty_polls": 0, "errors": []}

    def work() -> None:
        sqs = ctx.queue._client
        while not stop.is_set():
            try:
                messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1,
                                               WaitTimeSeconds=1).get("Messages", [])
                tally["empty_polls"] += not messages
                for message in messages:
                    export_batch(ctx, message["Body"])
                    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                    tally["done"] += 1
            except Exception as error:  # the message stays: redelivered after the visibility timeout
                tally["errors"].append(f"{type(error).__name__}: {error}")
                stop.wait(1)

    threads = [threading.Thread(target=work, name=f"exporter-{i}", daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    try:
        yield tally
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def _pipeline(server: MotoProcess, rows: int, exporters: int) -> dict:
    from chalicelib import container
    from chalicelib.services.sync import start_sync

    container.reset()
    settings = replace(create_resources(), sample_products=products_for_rows(rows))
    ctx = container.build(settings)
    counter, cpu = RequestCounter(), server.cpu_seconds()
    with counter.counting(), _exporters(ctx, settings.export_queue_url, exporters) as tally:
        started, client_cpu = time.perf_counter(), time.process_time()
        run = start_sync(ctx, trigger="cli", mode="full")
        synced = time.perf_counter()
        while tally["done"] < (run.batches_total or 0):  # the last batch exported finishes the run
            if not server.alive:
                cause = f"passed {server.memory_limit_mb:,} MB and was stopped" if server.over_memory else "exited"
                raise RuntimeError(f"the moto server {cause}; last export error: {tally['errors'][-1:]}")
            time.sleep(0.05)
        finished, client_cpu = time.perf_counter(), time.process_time() - client_cpu
        requests = sum(counter.snapshot().values()) - tally["empty_polls"]
        by_operation = [[op, counter.counts[op], f"{counter.seconds[op]:.1f}"]
                        for op in sorted(counter.counts, key=lambda op: -counter.seconds[op])]
    final = ctx.runs.get(run.run_id)
    container.reset()
    return {"run": final, "sync_s": synced - started, "total_s": finished - started, "errors": tally["errors"],
            "requests": requests, "by_operation": by_operation, "server_cpu_s": server.cpu_seconds() - cpu,
            "client_cpu_s": client_cpu,
            "settings": settings, "server_peak_mb": server.peak_rss_mb()}


def run(args) -> Result:
    fixed = args.moto_fix
    rows = args.rows or (DEFAULT_ROWS_FIXED if fixed else DEFAULT_ROWS)
    with MotoProcess(fixed=fixed) as server:
        fake_aws_env(server.url)
        print(f"  moto server {'patched as in the local stack' if fixed else '(stock)'} on {server.url}; pipeline ...",
              flush=True)
        pipe = _pipeline(server, rows, args.exporters)
        print(f"  pipeline {pipe['total_s']:.0f} s; floor ...", flush=True)
        server.reset()
        floor = stack_floor.measure(server, pipe["settings"], pipe["run"].rows_changed)
    fake_aws_env()

    final, n = pipe["run"], pipe["run"].rows_changed
    ratio = pipe["total_s"] / floor["total_s"]
    result = Result(f"{NAME}-motofix" if fixed else NAME, TITLE + (" with the moto fix" if fixed else ""), GOAL)
    result.add("moto server", "stock `python -m moto.server`" if not fixed else
               "`python -m local_stack.moto_patched` (the local stack's moto server: TransactWriteItems backup "
               "fix, DynamoDB requests one at a time)")
    result.add("exporter threads", args.exporters)
    result.add("rows N / messages M", f"{n:,} / {final.batches_total or 0:,}")
    result.add("run status", f"{final.status} ({final.rows_exported:,} rows exported)")
    result.add("pipeline wall time, s (start_sync returned / all exported)",
               f"{pipe['sync_s']:.1f} / {pipe['total_s']:.1f}")
    result.add("pipeline rows/s", n / pipe["total_s"])
    result.add("pipeline AWS requests (without empty polls)", pipe["requests"])
    result.add("moto server CPU, s (pipeline)", pipe["server_cpu_s"])
    result.add("the service's CPU (sync + exporter threads, this process), s (pipeline)", pipe["client_cpu_s"])
    result.add("floor: BatchWriteItem of N rows, s", floor["write_s"])
    result.add("floor: M messages sent + received + deleted, s", floor["queue_s"])
    result.add("floor wall time, s / rows/s", f"{floor['total_s']:.1f} / {n / floor['total_s']:,.0f}")
    result.add("moto server CPU, s (floor)", floor["server_cpu_s"])
    result.add("the client's CPU, s (floor)", floor["client_cpu_s"])
    cpu_ratio = (pipe["server_cpu_s"] + pipe["client_cpu_s"]) / (floor["server_cpu_s"] + floor["client_cpu_s"])
    result.add("CPU (moto + client), pipeline / floor", f"{cpu_ratio:.2f}")
    result.add("moto server peak memory (VmHWM), MB", pipe["server_peak_mb"])
    result.add("pipeline / floor", f"{ratio:.2f}")
    if pipe["errors"]:
        result.add("export errors (redelivered)", f"{len(pipe['errors'])}: {pipe['errors'][0][:120]}")
    result.tables.append(("Pipeline requests by operation (seconds summed over the threads; the receives "
                          "include the exporters' empty long-polls)", ["operation", "calls", "seconds in calls"],
                          pipe["by_operation"]))
    result.met = ratio <= GOAL_RATIO and final.status == "success" and n >= GOAL_ROWS * 0.99
    result.verdict = (f"{n:,} rows in {pipe['total_s']:.0f} s ({n / pipe['total_s']:,.0f} rows/s) against a floor "
                      f"of {floor['total_s']:.1f} s: {ratio:.2f}× (goal ≤ {GOAL_RATIO:g} at 100,000 rows)"
                      + ("" if n >= GOAL_ROWS * 0.99 else "; a smaller run cannot meet the goal")
                      + f"; CPU (moto + client) {cpu_ratio:.2f}× the floor's.")
    return result
