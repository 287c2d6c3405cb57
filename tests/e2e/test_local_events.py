"""Change events on the local stack: a signed event, the debounced trigger queue, the event sync's deletions."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest

from chalicelib import settings
from chalicelib.adapters.sample_catalog import SampleCatalogSource
from chalicelib.domain.event_signatures import sign
from chalicelib.domain.runs import iso, parse_iso, utcnow
from tests.stack_process import LocalStack, running_stack

PRODUCTS = 60
DEBOUNCE = 2


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    # One scheduled sync (at start), so that only the event can start the next one.
    # The S3 hub as the destination (still selectable; the default stack's simulated service is tested beside).
    with running_stack(tmp_path_factory.mktemp("local-stack-events"), SOURCE="sample",
                       SAMPLE_PRODUCTS=str(PRODUCTS), SYNC_INTERVAL="3600", EVENT_DEBOUNCE_SECONDS=str(DEBOUNCE),
                       DESTINATION="s3-hub") as handle:
        yield handle


def post_event(stack: LocalStack, payload: dict[str, Any], secret: str | None = None) -> tuple[int, Any]:
    raw = json.dumps(payload).encode()
    request = urllib.request.Request(stack.info["events_url"], data=raw, method="POST", headers={
        "Content-Type": "application/json",
        "X-Catalog-Sync-Signature": sign(secret or stack.info["events_secret"], raw, int(time.time()))})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def source(stack: LocalStack):
    """The stack's sample catalog; its edits file (shared by every local stack) is put back afterwards."""
    app_settings = settings.load(stack.info["env"])
    edits = Path(stack.info["sample_edits_file"])
    saved = edits.read_bytes() if edits.exists() else None
    yield SampleCatalogSource(PRODUCTS, app_settings.sample_seed, str(edits))
    if saved is None:
        edits.unlink(missing_ok=True)
    else:
        edits.write_bytes(saved)


def test_a_signed_deletion_event_makes_one_debounced_sync_that_exports_the_deletion(stack: LocalStack,
                                                                                     source) -> None:
    # given the first sync done, and a product deleted from the catalog
    first = stack.wait_for("the first sync", lambda: (run := stack.status()["last_sync"]) and
                           run["status"] == "Success" and run, 60)
    views = Counter(record["sku"] for record in source.products(None))
    deleted, kept = sorted(views)[:2]  # live products (the edits file may already have deleted some)
    source.delete([deleted], now=iso(utcnow()))

    # when a badly signed event is refused, then a burst of two signed events is accepted
    assert post_event(stack, {"deleted_skus": [deleted]}, secret="not the secret")[0] == 401
    posted_at = utcnow()
    assert post_event(stack, {"deleted_skus": [deleted, kept]}) == (202, {"accepted": 2, "sync": "scheduled"})
    assert post_event(stack, {"skus": [kept]}) == (202, {"accepted": 1, "sync": "already scheduled"})

    # then one run, started by the trigger queue after the debounce, deletes the product's rows
    def event_run() -> dict[str, Any] | None:
        run = stack.status()["last_sync"]
        if run["run_id"] == first["run_id"]:
            return None
        assert run["trigger"] == "events" and run["status"] != "Failed", run
        return run if run["status"] == "Success" else None
    run = stack.wait_for("the event sync", event_run, 30)
    assert (parse_iso(run["started_at"]) - posted_at).total_seconds() >= DEBOUNCE
    # The kept product was re-read (and, unchanged, not sent); the edits file may hold recent edits of
    # earlier stacks, which the partial read also sees.
    assert run["mode"] == "partial" and run["rows_seen"] >= views[kept]
    assert run["rows_deleted"] == run["rows_exported"] == views[deleted]

    env = stack.info["env"]
    s3 = boto3.client("s3", endpoint_url=stack.info["aws_endpoint_url"], region_name=stack.info["region"],
                      aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    prefix = f"feeds/products/runs/{run['run_id']}/"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=stack.info["hub_bucket"], Prefix=prefix)["Contents"]]
    items = [json.loads(line) for key in keys if key.endswith(".jsonl")
             for line in s3.get_object(Bucket=stack.info["hub_bucket"], Key=key)["Body"].read().decode().splitlines()]
    assert {(item["sku"], item["deleted"]) for item in items} == {(deleted, True)}
    assert len(items) == views[deleted]
    # No second run: the burst sent one message, which the run consumed, and nothing waits on the trigger queue.
    sqs = boto3.client("sqs", endpoint_url=stack.info["aws_endpoint_url"], region_name=stack.info["region"],
                       aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])

    def trigger_queue_empty() -> bool:
        waiting = sqs.get_queue_attributes(QueueUrl=stack.info["trigger_queue_url"], AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
            "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return set(waiting.values()) == {"0"}  # the one message is deleted once its handler returned
    stack.wait_for("the trigger queue to be empty", trigger_queue_empty, 30)
    assert stack.status()["last_sync"]["run_id"] == run["run_id"]


def test_the_events_secret_is_in_the_stack_file_only(stack: LocalStack) -> None:
    secret = stack.info["events_secret"]
    assert len(secret) >= 32
    assert secret not in stack.output_tail(100_000)
