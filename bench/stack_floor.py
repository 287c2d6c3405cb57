"""The emulator's floor for the stack benchmark: the same rows batch-written, the same messages moved."""
from __future__ import annotations

import time
from itertools import islice

TABLE, RECORDS, QUEUE = "bench-floor-rows", "bench-floor-batches", "bench-floor-queue"
MAX_CALL_BYTES = 1_048_576  # SendMessageBatch: at most 10 entries and 1 MiB per call


def _rows(settings, n: int) -> list:
    from chalicelib.adapters.sample_catalog import SampleCatalogSource
    from chalicelib.domain.feeds.products import build_row

    source = SampleCatalogSource(settings.sample_products, settings.sample_seed)
    views = {view.code: view for view in source.store_views()}
    return [build_row(record, views) for record in islice(source.products(None), n)]


def _item(row) -> dict:
    """The row as the service writes it (its feed store's item, naming its batch), in DynamoDB's wire format."""
    from chalicelib.adapters.dynamo_feed import DynamoFeedStore

    row.run_id, row.batch = "20260101T000000Z-abcdef", "20260101T000000Z-abcdef/00001"
    return DynamoFeedStore("products")._item(row).serialize()


def _record(number: int, rows: list) -> dict:
    """A batch record as the fan-out writes it (open, in the outbox), in DynamoDB's wire format."""
    from chalicelib.adapters.dynamo_batches import DynamoBatchStore
    from chalicelib.domain.batches import BatchOutcome, batch_id

    return DynamoBatchStore.record_item(BatchOutcome(batch_id("20260101T000000Z-abcdef", number), "products",
                                                     keys=tuple(row.key for row in rows))).serialize()


def _calls(messages: list[str]) -> list[list[str]]:
    calls, size = [[]], 0
    for body in messages:
        length = len(body.encode())
        if calls[-1] and (len(calls[-1]) == 10 or size + length > MAX_CALL_BYTES):
            calls.append([])
            size = 0
        calls[-1].append(body)
        size += length
    return [call for call in calls if call]


def measure(server, settings, n: int) -> dict:
    """Seconds to batch-write ``n`` rows and their batches' records (25 per call) and to send, receive and delete
    their messages."""
    import boto3

    from chalicelib.domain.batching import decode, pack

    rows = _rows(settings, n)
    size = settings.batch_max_rows or 100  # the products feed's batch size
    messages = list(pack("products", "20260101T000000Z-abcdef", rows, size, settings.batch_max_bytes))
    packed = [len(decode(message).rows) for message in messages]
    starts = [sum(packed[:i]) for i in range(len(packed))]
    # The rows and their batches' records, as the fan-out writes them: each record before its rows.
    items = []
    for number, (start, count) in enumerate(zip(starts, packed, strict=True), start=1):
        items += [(RECORDS, _record(number, rows[start:start + count]))]
        items += [(TABLE, _item(row)) for row in rows[start:start + count]]
    dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
    for table, keys in ((TABLE, ("item_id", "feed_scope")), (RECORDS, ("run_id", "item"))):
        dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in keys],
                              KeySchema=[{"AttributeName": keys[0], "KeyType": "HASH"},
                                         {"AttributeName": keys[1], "KeyType": "RANGE"}])
    url = sqs.create_queue(QueueName=QUEUE, Attributes={"MaximumMessageSize": str(MAX_CALL_BYTES)})["QueueUrl"]

    cpu, started, client_cpu = server.cpu_seconds(), time.perf_counter(), time.process_time()
    for start in range(0, len(items), 25):
        pending: dict = {}
        for table, item in items[start:start + 25]:
            pending.setdefault(table, []).append({"PutRequest": {"Item": item}})
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems")
    written = time.perf_counter()
    for call in _calls(messages):  # the queue is drained after each call, as the workers keep it
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": body}
                                                      for i, body in enumerate(call)])
        received = 0
        while received < len(call):
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", []):
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                received += 1
    finished = time.perf_counter()
    return {"write_s": written - started, "queue_s": finished - written, "total_s": finished - started,
            "messages": len(messages), "server_cpu_s": server.cpu_seconds() - cpu,
            "client_cpu_s": time.process_time() - client_cpu}
