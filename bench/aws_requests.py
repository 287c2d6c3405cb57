"""`requests`: AWS requests of one full sync (start_sync, then every batch exported) against their floor."""
from __future__ import annotations

import time
from dataclasses import replace
from math import ceil

from local_stack import moto_patched

from .common import RequestCounter, Result, create_resources, products_for_rows

NAME = "requests"
TITLE = "AWS requests per full sync"
GOAL_RATIO = 1.1
GOAL = f"total requests / floor ≤ {GOAL_RATIO}"
DEFAULT_ROWS = 20_000
FLOOR = ("ceil(N/25) BatchWriteItem + ceil(M/10) SendMessageBatch + M ReceiveMessage + M DeleteMessage "
         "+ ceil(N/100) TransactWriteItems (marks) + 3·M (per batch: 1 counter TransactWriteItems, "
         "1 consistent GetItem of the run, 1 S3 PutObject)")
SYNC_FLOOR = "ceil(N/25) BatchWriteItem + ceil(M/10) SendMessageBatch + the Scan/Query pages read"


def _drain(ctx, queue_url: str, messages: int) -> None:
    """Receive, export and delete exactly ``messages`` messages, one at a time (Lambda's batch_size=1)."""
    from chalicelib.services.export import export_batch

    sqs = ctx.queue._client
    done = 0
    while done < messages:
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1).get("Messages", []):
            export_batch(ctx, message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            done += 1


def _record_sends(ctx) -> list[tuple[int, int]]:
    """Wrap the queue adapter's send (on this instance only) to record each message's bytes and rows."""
    from chalicelib.domain.batching import decode

    sent: list[tuple[int, int]] = []
    send = ctx.queue.send
    ctx.queue.send = lambda messages: sent.extend((len(m.encode()), len(decode(m).rows)) for m in messages) \
        or send(messages)
    return sent


def run(args) -> Result:
    from moto import mock_aws

    from chalicelib import container
    from chalicelib.services.sync import start_sync

    moto_patched.patch_transactions()  # requests are counted client-side: moto's speed does not change them
    rows = args.rows or DEFAULT_ROWS
    counter = RequestCounter()
    with mock_aws():
        settings = create_resources()
        ctx = container.build(replace(settings, sample_products=products_for_rows(rows)))
        sent = _record_sends(ctx)
        with counter.counting():
            started = time.perf_counter()
            run_ = start_sync(ctx, trigger="cli", mode="full")
            sync_counts = counter.snapshot()
            synced = time.perf_counter()
            _drain(ctx, settings.export_queue_url, run_.batches_total or 0)
            elapsed = time.perf_counter() - started
        final = ctx.runs.get(run_.run_id)
    container.reset()

    n, m = final.rows_changed, final.batches_total or 0
    counts = counter.snapshot()
    total = sum(counts.values())
    pages = sync_counts["dynamodb.Scan"] + sync_counts["dynamodb.Query"]
    floor = ceil(n / 25) + ceil(m / 10) + 2 * m + ceil(n / 100) + 3 * m
    sync_total = sum(sync_counts.values())
    sync_floor = ceil(n / 25) + ceil(m / 10) + pages
    sizes = [size for size, _ in sent]
    per_batch_marks = sum(ceil(rows_b / 100) for _, rows_b in sent)
    byte_floor_sends = ceil(sum(sizes) / 1_048_576)

    result = Result(NAME, TITLE, GOAL)
    result.add("rows N (written and exported)", n)
    result.add("messages M (batches)", m)
    result.add("rows per message, mean", n / m if m else 0.0)
    result.add("message size, mean bytes", sum(sizes) / len(sizes) if sizes else 0.0)
    result.add("run status", f"{final.status} ({final.rows_exported:,} rows exported)")
    result.add("requests, total", total)
    result.add("floor", floor)
    result.add("total / floor", f"{total / floor:.4f}")
    result.add("sync-side requests (start_sync)", sync_total)
    result.add("sync-side floor", sync_floor)
    result.add("sync-side / floor", f"{sync_total / sync_floor:.4f}")
    result.add("export-side requests (drain)", total - sync_total)
    result.add("marks if transactions cannot span messages: Σ ceil(rows_b/100)", per_batch_marks)
    result.add("SendMessageBatch floor by bytes: ceil(Σ size / 1 MiB)", byte_floor_sends)
    result.add("wall time in-process moto, s (sync / total)", f"{synced - started:.1f} / {elapsed:.1f}")
    result.met = total / floor <= GOAL_RATIO
    result.verdict = f"{total:,} requests for a floor of {floor:,}: ratio {total / floor:.4f} (goal ≤ {GOAL_RATIO})."
    header = ["operation", "total", "sync side", "export side", "floor"]
    floors = {"dynamodb.BatchWriteItem": ceil(n / 25), "sqs.SendMessageBatch": ceil(m / 10),
              "sqs.ReceiveMessage": m, "sqs.DeleteMessage": m, "dynamodb.TransactWriteItems": ceil(n / 100) + m,
              "dynamodb.GetItem": m, "s3.PutObject": m}
    table = [[op, counts[op], sync_counts[op], counts[op] - sync_counts[op], floors.get(op, 0)]
             for op in sorted(counts, key=lambda op: -counts[op])]
    result.tables.append(("Requests by operation (floor: " + FLOOR + "; sync-side floor: " + SYNC_FLOOR + ")",
                          header, table))
    return result

