"""`exporter`: one exporter's throughput into the simulated ingestion service, at batch sizes 100, 500, 1,000."""
from __future__ import annotations

import json
import os
import time
import urllib.request
from collections import Counter
from dataclasses import replace

from .common import RequestCounter, Result, create_resources, products_for_rows, start_ingestion_service

NAME = "exporter"
TITLE = "Exporter throughput into the simulated ingestion service"
GOAL = ("rows/s per exporter at batch sizes 100, 500 and 1,000; gzip bytes per row; AWS requests per batch beyond "
        "the POST a small constant, independent of batch size as far as DynamoDB's batch and transaction APIs allow")
DEFAULT_ROWS = 20_000
BATCH_SIZES = (100, 500, 1000)
API_KEY = "bench-ingestion-key"


def _deliveries(base: str) -> list[dict]:
    with urllib.request.urlopen(base + "/__ingest/deliveries?limit=100000", timeout=30) as response:
        return json.loads(response.read())["deliveries"]


def _measure(batch_size: int, rows: int, base: str) -> dict:
    import boto3
    from moto import mock_aws

    from chalicelib import container
    from chalicelib.services.export import export_batch
    from chalicelib.services.sync import start_sync
    from local_stack.moto_patched import patch_transactions, serialize_requests

    patch_transactions()  # moto's whole-table copy per transaction item would measure moto, not the exporter
    serialize_requests()  # rows are written from several threads: moto's backend has no locks
    with mock_aws():
        settings = replace(create_resources(), destination="http", destination_url=base + "/v1/feeds/products",
                           destination_api_key_set=True, batch_max_rows=batch_size, batch_max_bytes=1_000_000,
                           sample_products=products_for_rows(rows))
        ctx = container.build(settings)
        run = start_sync(ctx, trigger="cli", mode="full")  # reindex and fan out: not timed
        sqs = boto3.client("sqs")
        counter = RequestCounter()
        seconds, batches = 0.0, 0
        while True:
            messages = sqs.receive_message(QueueUrl=settings.export_queue_url, MaxNumberOfMessages=1,
                                           WaitTimeSeconds=0).get("Messages", [])
            if not messages:
                break
            message = messages[0]
            with counter.counting():
                started = time.perf_counter()
                outcome = export_batch(ctx, message["Body"])
                seconds += time.perf_counter() - started
            assert outcome == "exported", outcome
            batches += 1
            sqs.delete_message(QueueUrl=settings.export_queue_url, ReceiptHandle=message["ReceiptHandle"])
        final = ctx.runs.get(run.run_id)
    container.reset()
    return {"rows": final.rows_exported, "batches": batches, "seconds": seconds, "status": final.status,
            "requests": counter.snapshot()}


def run(args) -> Result:
    rows = args.rows or DEFAULT_ROWS
    os.environ["DESTINATION_API_KEY"] = API_KEY
    process, base = start_ingestion_service(API_KEY)
    figures = []
    try:
        for size in BATCH_SIZES:
            print(f"  batch size {size} ...", flush=True)
            before = len(_deliveries(base))
            measured = _measure(size, rows, base)
            sent = _deliveries(base)[before:]
            measured["gzip_bytes"] = sum(d["compressed_bytes"] for d in sent)
            measured["raw_bytes"] = sum(d["raw_bytes"] for d in sent)
            figures.append((size, measured))
    finally:
        process.terminate()
        process.wait(10)

    result = Result(NAME, TITLE, GOAL)
    result.add("rows exported per batch size (sample catalog, full sync)", figures[0][1]["rows"])
    result.add("exporter", "one, in process: receive → `export_batch` (POST + the batch's settlement) → delete; "
               "in-process moto with the local stack's transaction fix; the service in a subprocess")
    table, fixed = [], {}
    for size, m in figures:
        aws = Counter(m["requests"])
        per_batch = sum(aws.values()) / m["batches"]
        fixed[size] = per_batch
        table.append([size, f"{m['rows'] / m['batches']:.0f}", m["batches"], f"{m['rows'] / m['seconds']:,.0f}",
                      f"{1000 * m['seconds'] / m['batches']:.0f}", f"{m['gzip_bytes'] / m['rows']:.0f}",
                      f"{m['raw_bytes'] / m['rows']:.0f}", f"{per_batch:.2f}",
                      ", ".join(f"{op.split('.')[1]} {n / m['batches']:.2f}" for op, n in sorted(aws.items()))])
    result.tables.append(("Per batch size", [
        "BATCH_MAX_ROWS", "rows per batch (mean)", "batches", "rows/s", "ms per batch", "gzip bytes/row",
        "JSON bytes/row", "AWS requests per batch", "by operation, per batch"], table))
    result.met = (max(fixed.values()) - min(fixed.values()) < 0.5
                  and all(m["status"] == "success" for _, m in figures))
    result.verdict = ("AWS requests per batch beyond the POST: " + ", ".join(f"{v:.2f}" for v in fixed.values())
                      + ", the same at every batch size (the settlement's one transaction — the batch's record, the "
                      "run's counters, the search journal's entry — and the finisher's consistent run read, plus the "
                      "run's own end spread over its batches); rows/s " + ", ".join(
                          f"{m['rows'] / m['seconds']:,.0f} at {size}" for size, m in figures))
    return result
