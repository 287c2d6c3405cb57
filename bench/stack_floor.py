"""The emulator's floor for the stack benchmark: the same rows batch-written, the same messages moved."""
from __future__ import annotations

import time
from itertools import islice

TABLE, QUEUE = "bench-floor-rows", "bench-floor-queue"
MAX_CALL_BYTES = 1_048_576  # SendMessageBatch: at most 10 entries and 1 MiB per call


def _rows(settings, n: int) -> list:
    from chalicelib.adapters.sample_catalog import SampleCatalogSource
    from chalicelib.domain.feeds.products import build_row

    source = SampleCatalogSource(settings.sample_products, settings.sample_seed)
    views = {view.code: view for view in source.store_views()}
    return [build_row(record, views) for record in islice(source.products(None), n)]


def _item(row) -> dict:
    """The attributes the service writes for a pending row, in DynamoDB's wire format."""
    strings = {"sku": row.sku, "store_view_code": row.store_view_code, "name": row.name, "type": row.type,
               "attribute_set": row.attribute_set, "visibility": row.visibility, "last_modified": row.last_modified,
               "document": row.document, "hash": row.hash, "export_status": "pending", "outbox": "products",
               "run_id": "20260101T000000Z-abcdef"}
    numbers = {"product_id": row.product_id, "price": row.price, "quantity": row.quantity,
               "salable_quantity": row.salable_quantity}
    item = {name: {"S": value} for name, value in strings.items() if value is not None}
    item.update({name: {"N": str(value)} for name, value in numbers.items() if value is not None})
    item["deleted"] = {"BOOL": False}
    return item


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
    """Seconds to batch-write ``n`` rows (25 per call) and to send, receive and delete their messages."""
    import boto3

    from chalicelib.domain.batching import pack

    rows = _rows(settings, n)
    items = [_item(row) for row in rows]
    messages = list(pack("products", "20260101T000000Z-abcdef", rows, settings.batch_max_rows,
                         settings.batch_max_bytes))
    dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
    dynamodb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "sku", "AttributeType": "S"},
                                                {"AttributeName": "store_view_code", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "sku", "KeyType": "HASH"},
                                     {"AttributeName": "store_view_code", "KeyType": "RANGE"}])
    url = sqs.create_queue(QueueName=QUEUE, Attributes={"MaximumMessageSize": str(MAX_CALL_BYTES)})["QueueUrl"]

    cpu, started = server.cpu_seconds(), time.perf_counter()
    for start in range(0, len(items), 25):
        pending = {TABLE: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
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
            "messages": len(messages), "server_cpu_s": server.cpu_seconds() - cpu}
