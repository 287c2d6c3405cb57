"""The Chalice app through its test client: schedule, SQS handlers and the API, on moto."""
import boto3

from tests.functional.lambdas import DEAD_LETTER_QUEUE, hourly, receive_all, sqs_event, status
from tests.moto_session import LOCAL_HUB


def test_the_hourly_schedule_runs_a_sync_and_the_exporter_finishes_it(client, aws):
    run_id = hourly(client)["run_ids"][0]
    assert status(client)["last_sync"]["status"] == "In Progress"
    bodies = receive_all(aws["queue_url"])
    assert len(bodies) == 5  # 40 products × 3 views (german carries ~80%) in batches of 25
    for body in bodies:
        client.lambda_.invoke("export_batch", sqs_event(client, body))
    last = status(client)["last_sync"]
    assert (last["run_id"], last["status"], last["mode"], last["trigger"]) == (run_id, "Success", "full", "schedule")
    assert last["rows_exported"] == last["rows_changed"] > 100
    assert status(client)["products_synced"]["products"] == 40
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=LOCAL_HUB, Prefix="feeds/")["Contents"]]
    assert len(keys) == 6 and keys[-1].endswith(f"{run_id}/manifest.json")


def test_the_same_sqs_message_twice_counts_once(client, aws):
    hourly(client)
    bodies = receive_all(aws["queue_url"])
    for body in bodies + bodies[:1]:
        client.lambda_.invoke("export_batch", sqs_event(client, body))
    last = status(client)["last_sync"]
    assert (last["batches_done"], last["rows_exported"], last["status"]) == (5, last["rows_changed"], "Success")


def test_the_dead_letter_handler_fails_the_batch_and_its_rows(client, aws):
    hourly(client)
    first, *rest = receive_all(aws["queue_url"])
    for body in rest:
        client.lambda_.invoke("export_batch", sqs_event(client, body))
    client.lambda_.invoke("fail_dead_batch", sqs_event(client, first, DEAD_LETTER_QUEUE))
    last = status(client)["last_sync"]
    assert (last["status"], last["batches_failed"], last["rows_failed"]) == ("Success", 1, 25)
    assert last["error_counts"] == {"export.gave_up": 25}


def test_a_second_schedule_while_a_run_is_in_flight_is_skipped(client, aws):
    first = hourly(client)["run_ids"][0]
    assert hourly(client) == {"run_ids": []}
    assert status(client)["last_sync"]["run_id"] == first
