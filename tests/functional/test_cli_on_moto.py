"""`catalog-sync resync` and its options against the real adapters on moto (DynamoDB, SQS, the S3 hub) with the
sample catalog as the source and a thread playing the export Lambda: a dry run leaves every table and the queue as
they were; by ids, batch size and an interrupted resync continued, as the stores keep them."""
import io
import threading

import boto3
import pytest

from chalicelib import cli, container
from chalicelib.adapters import sample_catalog
from chalicelib.services.export import export_batch

PRODUCTS = 20


@pytest.fixture
def ctx(aws, monkeypatch):
    monkeypatch.setenv("EXPORT_QUEUE_URL", aws["queue_url"])
    monkeypatch.setenv("SAMPLE_PRODUCTS", str(PRODUCTS))
    monkeypatch.setenv("DESTINATION", "s3-hub")
    monkeypatch.setenv("HUB_BUCKET", aws["bucket"])
    container.reset()
    context = container.context()
    stop = threading.Event()
    sqs = boto3.client("sqs")

    def work():  # the export Lambda: one message at a time
        while not stop.is_set():
            for message in sqs.receive_message(QueueUrl=aws["queue_url"], MaxNumberOfMessages=10,
                                               WaitTimeSeconds=0).get("Messages", []):
                export_batch(context, message["Body"])
                sqs.delete_message(QueueUrl=aws["queue_url"], ReceiptHandle=message["ReceiptHandle"])
            stop.wait(0.05)
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield context
    stop.set()
    thread.join()
    container.reset()


def run_cli(*argv):
    out = io.StringIO()
    return cli.main(["resync", "--feed", "products", *argv], out=out), out.getvalue()


def tables():
    dynamodb = boto3.client("dynamodb")
    return {name: sorted(str(item) for item in dynamodb.scan(TableName=name)["Items"])
            for name in dynamodb.list_tables()["TableNames"]}


def test_a_dry_run_leaves_every_table_and_the_queue_as_they_were(ctx, aws, tmp_path):
    assert run_cli("--timeout", "60")[0] == 0
    rows = ctx.control.feed_states.get("products").rows_total
    before = tables()
    payloads = tmp_path / "items.jsonl"
    code, output = run_cli("--dry-run", "--force", "--output", str(payloads))
    assert code == 0, output
    assert f"would send {rows} items (0 deletions)" in output
    assert len(payloads.read_text().splitlines()) == rows
    assert tables() == before  # no run record, lock, row, batch record or search journal entry
    depth = boto3.client("sqs").get_queue_attributes(QueueUrl=aws["queue_url"], AttributeNames=["All"])["Attributes"]
    assert depth["ApproximateNumberOfMessages"] == depth["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_by_ids_and_a_batch_size_as_the_stores_keep_them(ctx):
    assert run_cli("--timeout", "60")[0] == 0
    code, output = run_cli("--by-ids", "MS-000001,MS-000002,NOPE-1", "--timeout", "60")
    assert code == 0 and "unknown ids: NOPE-1" in output, output
    run = ctx.runs.latest("products")
    assert (run.mode, run.unknown_ids, run.options.ids) == ("ids", ("NOPE-1",), ("MS-000001", "MS-000002", "NOPE-1"))
    assert run.rows_exported == run.rows_unchanged == run.rows_seen >= 4
    code, output = run_cli("--force", "--batch-size", "7", "--timeout", "60")
    assert code == 0, output
    run = ctx.runs.latest("products")
    assert run.options.batch_size == 7 and run.batches_total == -(-run.rows_exported // 7)


def test_an_interrupted_resync_continues_from_the_position_its_run_keeps(ctx, monkeypatch):
    monkeypatch.setattr(sample_catalog, "RESUME_CHUNK", 5)  # a position every 5 products (some 14 rows)
    monkeypatch.setattr("chalicelib.services.reader.PAGE_SIZE", 10)
    read = type(ctx.source).read_resumable
    starts = []

    def interrupted(source, feed, start):
        starts.append(start)
        for n, item in enumerate(read(source, feed, start)):
            if start is None and n == 40:
                raise KeyboardInterrupt
            yield item
    monkeypatch.setattr(type(ctx.source), "read_resumable", interrupted)
    assert run_cli("--timeout", "60")[0] == 130
    first = ctx.runs.latest("products")
    assert first.read_position is not None and not first.read_complete
    code, output = run_cli("--continue-resync", "--timeout", "60")
    assert code == 0, output
    assert starts == [None, first.read_position]
    run = ctx.runs.latest("products")
    assert run.options.resumes == (first.run_id,) and run.read_complete
    held = {row.key for row in ctx.rows("products").iter_rows()}
    assert len(held) == ctx.source.count("products")
