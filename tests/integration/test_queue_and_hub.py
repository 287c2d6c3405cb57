"""The SQS queue and the S3 hub destination on moto."""
import json
from unittest.mock import MagicMock

import boto3
import pytest

from chalicelib.adapters.s3_hub import S3HubDestination
from chalicelib.adapters.sqs_queue import QueueError, SqsBatchQueue, SqsSyncTrigger
from chalicelib.domain.batching import ExportMessage, decode, export_message, pack
from chalicelib.domain.errors import DestinationError
from chalicelib.domain.feeds.products import build_row
from chalicelib.domain.runs import SUCCESS, start_run
from tests.fakes import VIEWS, product
from tests.unit.test_runs import NOW

VIEWS_BY_CODE = {view.code: view for view in VIEWS}


def messages(n_rows, max_rows=10):
    rows = [build_row(product(i), VIEWS_BY_CODE) for i in range(n_rows)]
    return list(pack("products", "run-1", rows, max_rows, 240_000))


def envelopes(bodies, thread_count=None):
    return [export_message(body, "run-1", number, thread_count) for number, body in enumerate(bodies, 1)]


def test_messages_go_out_in_batch_calls_of_ten(aws):
    sqs = boto3.client("sqs")
    calls = []
    sqs.meta.events.register("provide-client-params.sqs.SendMessageBatch", lambda **kw: calls.append(kw))
    assert SqsBatchQueue(sqs, aws["queue_url"]).send(envelopes(messages(250))) == 25
    assert len(calls) == 3
    depth = sqs.get_queue_attributes(QueueUrl=aws["queue_url"], AttributeNames=["ApproximateNumberOfMessages"])
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "25"


def test_batch_calls_stay_under_one_mebibyte(aws):
    big = envelopes(["x" * 200_000] * 12)
    sqs = boto3.client("sqs")
    calls = []
    sqs.meta.events.register("provide-client-params.sqs.SendMessageBatch",
                             lambda **kw: calls.append(len(kw["params"]["Entries"])))
    assert SqsBatchQueue(sqs, aws["queue_url"]).send(big) == 12
    assert calls == [5, 5, 2]


def test_entries_the_queue_keeps_refusing_fail_the_send_with_the_count_sent():
    client = MagicMock()
    client.send_message_batch.return_value = {
        "Successful": [{"Id": "0"}], "Failed": [{"Id": "1", "SenderFault": True, "Message": "too big"}]}
    with pytest.raises(QueueError) as error:
        SqsBatchQueue(client, "url").send(envelopes(["a", "b"]))
    assert error.value.sent == 1 and "too big" in str(error.value)


def _received(sqs, url):
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                AttributeNames=["MessageGroupId", "MessageDeduplicationId"])
    return found.get("Messages", [])


def test_each_batch_goes_in_a_message_group_of_its_own_without_a_thread_count(aws):
    sqs = boto3.client("sqs")
    SqsBatchQueue(sqs, aws["queue_url"]).send(envelopes(messages(30)))
    received = _received(sqs, aws["queue_url"])  # every batch at once: none waits for another's group
    assert [(m["Attributes"]["MessageGroupId"], m["Attributes"]["MessageDeduplicationId"]) for m in received] == [
        ("run-1/00001", "run-1/00001"), ("run-1/00002", "run-1/00002"), ("run-1/00003", "run-1/00003")]


def test_with_a_thread_count_a_runs_batches_share_that_many_groups_and_a_busy_group_is_withheld(aws):
    sqs = boto3.client("sqs")
    SqsBatchQueue(sqs, aws["queue_url"]).send(envelopes(messages(50), thread_count=2))
    groups = [m["Attributes"]["MessageGroupId"] for m in _received(sqs, aws["queue_url"])]
    # moto hands out a group's messages in order; once one is in flight, the group is withheld from later receives
    assert sorted(set(groups)) == ["run-1:0", "run-1:1"]
    assert _received(sqs, aws["queue_url"]) == []


def test_a_second_send_of_a_batch_id_is_dropped(aws):
    sqs = boto3.client("sqs")
    queue = SqsBatchQueue(sqs, aws["queue_url"])
    [first] = envelopes(messages(5))
    assert queue.send([first]) == 1
    assert queue.send([ExportMessage("another body", first.batch_id, first.group)]) == 1  # SQS answers success
    received = _received(sqs, aws["queue_url"])
    assert [m["Body"] for m in received] == [first.body]
    depth = sqs.get_queue_attributes(QueueUrl=aws["queue_url"], AttributeNames=["ApproximateNumberOfMessages",
                                                                                 "ApproximateNumberOfMessagesNotVisible"])
    assert depth["Attributes"] == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "1"}


def test_a_standard_queue_gets_no_group_nor_deduplication_id(aws):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="standard-export")["QueueUrl"]
    calls = []
    sqs.meta.events.register("provide-client-params.sqs.SendMessageBatch", lambda **kw: calls.append(kw["params"]))
    assert SqsBatchQueue(sqs, url).send(envelopes(messages(5))) == 1
    assert set(calls[0]["Entries"][0]) == {"Id", "MessageBody"}


def test_each_batch_is_one_json_lines_object_and_the_run_gets_a_manifest(aws):
    s3 = boto3.client("s3")
    hub = S3HubDestination(s3, aws["bucket"])
    batches = [decode(m) for m in messages(15)]
    for batch in batches:
        assert hub.deliver(batch, "2026-11-22T10:00:00.000Z") == {}
    body = s3.get_object(Bucket=aws["bucket"], Key=hub.batch_key(batches[0]))["Body"].read().decode()
    items = [json.loads(line) for line in body.splitlines()]
    assert len(items) == 10
    assert items[0]["sku"] == "SKU-0000" and items[0]["modifiedAt"] == "2026-11-22T10:00:00.000Z"
    assert items[0]["updatedAt"] == "2026-01-01T00:00:00.000Z"
    run = start_run("products", "cli", "full", NOW, 60)
    run.run_id, run.status, run.batches_total = "run-1", SUCCESS, 2
    hub.complete_run(run)
    manifest = json.loads(s3.get_object(Bucket=aws["bucket"],
                                        Key="feeds/products/runs/run-1/manifest.json")["Body"].read())
    assert manifest["batches"] == ["batch-00001.jsonl", "batch-00002.jsonl"]
    assert manifest["run"]["status"] == SUCCESS


def test_a_missing_bucket_is_a_permanent_failure(aws):
    hub = S3HubDestination(boto3.client("s3"), "no-such-bucket")
    with pytest.raises(DestinationError) as error:
        hub.deliver(decode(messages(1)[0]), "t")
    assert not error.value.retryable and "NoSuchBucket" in str(error.value)


def _depth(sqs, url):
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesDelayed"])


def test_a_sync_request_is_one_message_held_back_for_the_debounce(aws):
    sqs = boto3.client("sqs")
    trigger = SqsSyncTrigger(sqs, aws["trigger_url"])
    trigger.request("products", "2026-11-22T10:00:00.000Z", 30)
    assert _depth(sqs, aws["trigger_url"]) == (0, 1)  # moto honours DelaySeconds
    assert "Messages" not in sqs.receive_message(QueueUrl=aws["trigger_url"])
    trigger.request("products", "2026-11-22T10:00:01.000Z", 0)
    [message] = sqs.receive_message(QueueUrl=aws["trigger_url"])["Messages"]
    assert json.loads(message["Body"]) == {"feed": "products", "requested_at": "2026-11-22T10:00:01.000Z"}


def test_a_debounce_beyond_the_sqs_limit_is_capped_at_15_minutes(aws):
    sqs = boto3.client("sqs")
    calls = []
    sqs.meta.events.register("provide-client-params.sqs.SendMessage", lambda **kw: calls.append(kw["params"]))
    SqsSyncTrigger(sqs, aws["trigger_url"]).request("products", "t", 3600)
    assert calls[0]["DelaySeconds"] == 900


def test_a_sync_request_that_cannot_be_sent_is_a_queue_error(aws):
    with pytest.raises(QueueError, match="TRIGGER_QUEUE_URL"):
        SqsSyncTrigger(boto3.client("sqs"), "").request("products", "t", 30)
    missing = aws["trigger_url"].replace("catalog-sync-trigger", "no-such-queue")
    with pytest.raises(QueueError, match="cannot send the sync request"):
        SqsSyncTrigger(boto3.client("sqs"), missing).request("products", "t", 30)
