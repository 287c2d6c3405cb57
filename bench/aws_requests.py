"""`requests`: AWS requests and DynamoDB write units of one full sync (start_sync, then every batch exported),
each against its floor."""
from __future__ import annotations

import time
from dataclasses import replace
from math import ceil

from local_stack import moto_patched

from .common import RequestCounter, Result, create_resources, products_for_rows
from .write_units import WriteUnits

NAME = "requests"
TITLE = "AWS requests and DynamoDB write units per full sync"
GOAL_RATIO = 1.1
GOAL_UNITS_RATIO = 1.25
GOAL = (f"total requests / floor ≤ {GOAL_RATIO}; DynamoDB write units / the floor of writing each changed row "
        f"once ≤ {GOAL_UNITS_RATIO}")
DEFAULT_ROWS = 20_000
FLOOR = ("ceil((N+M)/25) BatchWriteItem (the rows and the M batch records) + max(ceil(M/10), ceil(bytes/1 MiB)) "
         "SendMessageBatch + per batch 5·M: 1 ReceiveMessage, 1 TransactWriteItems (its outcome and the run's "
         "counters, once), 1 GetItem of the run (complete?), 1 S3 PutObject (the delivery), 1 DeleteMessage")
SYNC_FLOOR = "ceil((N+M)/25) BatchWriteItem + the SendMessageBatch floor + the Scan/Query pages read"


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
    ctx.queue.send = lambda messages: sent.extend((len(m.body.encode()), len(decode(m.body).rows)) for m in messages) \
        or send(messages)
    return sent


def run(args) -> Result:
    from moto import mock_aws

    from chalicelib import container
    from chalicelib.services.sync import start_sync

    moto_patched.patch_transactions()  # requests are counted client-side: moto's speed does not change them
    moto_patched.serialize_requests()  # rows are written from several threads: moto's backend has no locks
    rows = args.rows or DEFAULT_ROWS
    counter, meter = RequestCounter(), WriteUnits()
    with mock_aws():
        settings = create_resources()
        ctx = container.build(replace(settings, sample_products=products_for_rows(rows)))
        sent = _record_sends(ctx)
        with meter.metering(), counter.counting():
            started = time.perf_counter()
            run_ = start_sync(ctx, trigger="cli", mode="full")
            sync_counts, sync_units = counter.snapshot(), meter.total
            synced = time.perf_counter()
            _drain(ctx, settings.export_queue_url, run_.batches_total or 0)
            elapsed = time.perf_counter() - started
        final = ctx.runs.get(run_.run_id)
        written, floor_units = meter.stored_units(settings.feed_rows_table,
                                                  lambda item: item.get("run_id") == {"S": run_.run_id})
    container.reset()

    n, m = final.rows_changed, final.batches_total or 0
    counts = counter.snapshot()
    total = sum(counts.values())
    pages = sync_counts["dynamodb.Scan"] + sync_counts["dynamodb.Query"]
    sizes = [size for size, _ in sent]
    sends = max(ceil(m / 10), ceil(sum(sizes) / 1_048_576))
    floor = ceil((n + m) / 25) + sends + 5 * m
    sync_total = sum(sync_counts.values())
    sync_floor = ceil((n + m) / 25) + sends + pages
    ratio, units_ratio = total / floor, meter.total / floor_units

    result = Result(NAME, TITLE, GOAL)
    result.add("rows N (written and exported)", n)
    result.add("messages M (batches)", m)
    result.add("rows per message, mean", n / m if m else 0.0)
    result.add("message size, mean bytes", sum(sizes) / len(sizes) if sizes else 0.0)
    result.add("run status", f"{final.status} ({final.rows_exported:,} rows exported)")
    result.add("requests, total", total)
    result.add("requests floor", floor)
    result.add("requests / floor", f"{ratio:.4f}")
    result.add("sync-side requests (start_sync) / floor", f"{sync_total:,} / {sync_floor:,}")
    result.add("export-side requests (drain)", total - sync_total)
    result.add("DynamoDB write units, total (tables + indexes)", meter.total)
    result.add("write units floor: each changed row written once (Σ ceil(row KB))", floor_units)
    result.add("rows written, mean write units per row", f"{floor_units / max(written, 1):.2f}")
    result.add("write units / floor", f"{units_ratio:.4f}")
    result.add("write units, sync side / export side", f"{sync_units:,} / {meter.total - sync_units:,}")
    result.add("wall time in-process moto, s (sync / total)", f"{synced - started:.1f} / {elapsed:.1f}")
    result.met = ratio <= GOAL_RATIO and units_ratio <= GOAL_UNITS_RATIO
    result.verdict = (f"{total:,} requests for a floor of {floor:,}: {ratio:.4f} (goal ≤ {GOAL_RATIO}); "
                      f"{meter.total:,} write units for a floor of {floor_units:,}: {units_ratio:.4f} "
                      f"(goal ≤ {GOAL_UNITS_RATIO}).")
    floors = {"dynamodb.BatchWriteItem": ceil((n + m) / 25), "sqs.SendMessageBatch": sends,
              "sqs.ReceiveMessage": m, "sqs.DeleteMessage": m, "dynamodb.TransactWriteItems": m,
              "dynamodb.GetItem": m, "s3.PutObject": m}
    table = [[op, counts[op], sync_counts[op], counts[op] - sync_counts[op], floors.get(op, 0)]
             for op in sorted(counts, key=lambda op: -counts[op])]
    result.tables.append((f"Requests by operation (floor: {FLOOR}; sync-side floor: {SYNC_FLOOR})",
                          ["operation", "total", "sync side", "export side", "floor"], table))
    result.tables.append(("DynamoDB write units by table, index and operation (an operation's row includes the "
                          "index writes it caused)", ["what", "write units", "share"],
                          [[name, n_units, f"{n_units / meter.total:.1%}"] for name, n_units in
                           sorted([*meter.table_units.items(), *meter.index_units.items()], key=lambda i: -i[1])]
                          + [[f"by operation: {name}", n_units, f"{n_units / meter.total:.1%}"] for name, n_units in
                             sorted(meter.by_operation.items(), key=lambda i: -i[1])]))
    return result
