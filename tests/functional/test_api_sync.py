"""Status, run history and force sync through the Chalice test client on moto (answers held to the OpenAPI
document by the conftest)."""
import json

import pytest

from chalicelib import container
from tests.functional.lambdas import TRIGGER_QUEUE as TRIGGER
from tests.functional.lambdas import hourly, receive_all, sqs_event


def get(client, path, headers):
    response = client.http.get(path, headers=headers)
    return response.status_code, json.loads(response.body)


def force(client, headers, body=None, content_type="application/json"):
    raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
    response = client.http.post("/api/sync", headers={**headers, "Content-Type": content_type}, body=raw)
    return response, json.loads(response.body)


def export_everything(client, aws):
    for body in receive_all(aws["queue_url"]):
        client.lambda_.invoke("export_batch", sqs_event(client, body))


def run_forced(client, aws):
    """What the trigger queue's Lambda does with the message force sync sent."""
    [message] = receive_all(aws["trigger_url"])
    return client.lambda_.invoke("start_requested_sync", sqs_event(client, message, TRIGGER)).payload


def test_an_operator_forces_a_full_resync_that_runs_from_the_trigger_queue(client, aws, user_pool):
    response, accepted = force(client, user_pool.operator())
    assert response.status_code == 202
    assert (accepted["mode"], accepted["trigger"], accepted["status"]) == ("full", "force", "In Progress")
    assert response.headers["Location"] == f"/api/sync/runs/{accepted['run_id']}"
    # The API answered before any reindex: the run is open, nothing read yet.
    _, status = get(client, "/api/sync/status", user_pool.operator())
    assert status["last_sync"]["run_id"] == accepted["run_id"] and status["last_sync"]["rows_seen"] == 0
    assert status["cooldown"]["available"] is False
    assert status["cooldown"]["available_at"] == accepted["cooldown_until"]

    assert run_forced(client, aws) == {"run_ids": [accepted["run_id"]]}
    export_everything(client, aws)
    _, run = get(client, f"/api/sync/runs/{accepted['run_id']}", user_pool.operator())
    assert (run["status"], run["trigger"], run["mode"], run["progress"]) == ("Success", "force", "full", None)
    assert run["rows_exported"] == run["rows_changed"] > 100


def test_a_redelivered_force_message_does_not_reindex_twice(client, aws, user_pool):
    force(client, user_pool.admin())
    [message] = receive_all(aws["trigger_url"])
    first = client.lambda_.invoke("start_requested_sync", sqs_event(client, message, TRIGGER)).payload
    again = client.lambda_.invoke("start_requested_sync", sqs_event(client, message, TRIGGER)).payload
    assert len(first["run_ids"]) == 1 and again == {"run_ids": []}


def test_during_the_cooldown_force_sync_answers_429_with_retry_after(client, aws, user_pool):
    _, accepted = force(client, user_pool.operator(), {"feed": "products", "mode": "no-reindex"})
    run_forced(client, aws)
    export_everything(client, aws)  # the run is over: only the cooldown stands in the way
    response, refused = force(client, user_pool.machine())
    assert response.status_code == 429
    assert refused["available_at"] == accepted["cooldown_until"]
    assert 890 <= int(response.headers["Retry-After"]) <= 900
    assert f"available again at {accepted['cooldown_until']}" in refused["Message"]


def test_while_a_run_is_in_flight_force_sync_answers_409_with_its_id_and_keeps_the_cooldown(client, user_pool):
    run_id = hourly(client)["run_ids"][0]
    response, refused = force(client, user_pool.operator())
    assert response.status_code == 409 and refused["run_id"] == run_id
    _, status = get(client, "/api/sync/status", user_pool.operator())
    assert status["cooldown"] == {"seconds": 900, "last_forced_at": None, "available": True, "available_at": None}


@pytest.mark.parametrize("body, message", [
    ({"feed": "stocks"}, "unknown feed 'stocks'; valid feeds: products, productAttributes, categories, variants, "
                         "prices, inventoryStockStatus"),
    ({"mode": "partial"}, "unknown mode 'partial'; valid modes: full, no-reindex, failed"),
    ({"mode": "full", "sideways": True}, "unknown fields: sideways; valid fields: feed, mode, force, ids, id_type, "
                                         "dry_run, batch_size, thread_count"),
    (["full"], 'the body must be a JSON object, e.g. {"feed": "products", "mode": "full"}'),
    (b"{mode", "the body is not JSON"),
])
def test_a_bad_force_request_is_a_400_naming_the_valid_values(client, user_pool, body, message):
    response, refused = force(client, user_pool.operator(), body)
    assert response.status_code == 400 and refused["Message"] == message


def test_a_body_without_a_content_type_is_still_read(client, user_pool):
    response = client.http.post("/api/sync", headers=user_pool.operator(), body=b'{"mode": "sideways"}')
    assert response.status_code == 400 and "unknown mode 'sideways'" in json.loads(response.body)["Message"]


def test_the_body_is_read_as_json_whatever_its_content_type(client, user_pool):
    response, refused = force(client, user_pool.operator(), b"mode=full", "application/x-www-form-urlencoded")
    assert response.status_code == 400 and refused["Message"] == "the body is not JSON"
    response, _ = force(client, user_pool.operator(), b'{"mode": "failed"}', "application/x-www-form-urlencoded")
    assert response.status_code == 202


def test_without_a_trigger_queue_force_sync_is_unavailable_and_says_why(client, user_pool, monkeypatch):
    monkeypatch.delenv("TRIGGER_QUEUE_URL")
    container.reset()
    response, refused = force(client, user_pool.operator())
    assert response.status_code == 503
    assert refused["Message"] == "force sync needs the trigger queue (set TRIGGER_QUEUE_URL)"


def test_runs_are_listed_newest_first_with_a_cursor(client, aws, user_pool):
    run_ids = []
    for _ in range(3):
        run_ids.append(hourly(client)["run_ids"][0])
        export_everything(client, aws)
    status, page = get(client, "/api/sync/runs?limit=2", user_pool.operator())
    assert status == 200 and [run["run_id"] for run in page["items"]] == run_ids[:0:-1]
    status, rest = get(client, f"/api/sync/runs?limit=2&cursor={page['next_cursor']}", user_pool.operator())
    assert [run["run_id"] for run in rest["items"]] == run_ids[:1] and rest["next_cursor"] is None


@pytest.mark.parametrize("query, message", [
    ("limit=0", "limit must be between 1 and 100; got 0"),
    ("limit=ten", "limit must be a whole number; got 'ten'"),
    ("cursor=bm9wZQ", "cursor is not valid: pass the next_cursor of the previous page unchanged"),
    ("page=2", "unknown query parameter page; valid parameters: feed, cursor, limit"),
])
def test_bad_paging_is_a_400(client, user_pool, query, message):
    status, body = get(client, f"/api/sync/runs?{query}", user_pool.operator())
    assert (status, body["Message"]) == (400, message)


def test_a_run_shows_its_errors_grouped_by_code_with_example_rows(client, aws, user_pool, monkeypatch):
    run_id = hourly(client)["run_ids"][0]
    first, *rest = receive_all(aws["queue_url"])
    for body in rest:
        client.lambda_.invoke("export_batch", sqs_event(client, body))
    client.lambda_.invoke("fail_dead_batch", sqs_event(client, first, "catalog-sync-export-dlq"))
    status, run = get(client, f"/api/sync/runs/{run_id}", user_pool.operator())
    assert status == 200
    [failure] = run["errors"]
    assert (failure["code"], failure["count"], failure["message"]) == (
        "export.gave_up", 25, "export failed after repeated attempts")
    assert len(failure["examples"]) == 3
    assert all(set(row) == {"id", "scope", "message"} for row in failure["examples"])
    assert get(client, "/api/sync/runs/no-such-run", user_pool.operator())[0] == 404
    assert get(client, "/api/sync/runs/" + "x" * 3000, user_pool.operator())[0] == 404  # never asked of DynamoDB


def test_the_status_shows_the_live_progress_of_a_run_in_flight(client, aws, user_pool):
    hourly(client)
    _, status = get(client, "/api/sync/status", user_pool.operator())
    progress = status["last_sync"]["progress"]
    assert progress["phase"] == "export" and progress["batches_total"] == 5 and progress["batches_done"] == 0
    [first, *_] = receive_all(aws["queue_url"])
    client.lambda_.invoke("export_batch", sqs_event(client, first))
    _, status = get(client, "/api/sync/status", user_pool.operator())
    progress = status["last_sync"]["progress"]
    assert progress["batches_done"] == 1 and progress["eta_seconds"] is not None
    assert status["products_synced"]["products"] == 40


def test_status_and_runs_take_a_feed_and_name_the_valid_ones_for_an_unknown_one(client, aws, user_pool):
    token = user_pool.operator()
    status, body = get(client, "/api/sync/status?feed=products", token)
    assert (status, body["feed"]) == (200, "products")
    status, body = get(client, "/api/sync/runs?feed=products&limit=5", token)
    assert (status, body["items"]) == (200, [])
    for path in ("/api/sync/status?feed=pricez", "/api/sync/runs?feed=pricez"):
        status, body = get(client, path, token)
        assert status == 400 and body["Message"].startswith("unknown feed 'pricez'; valid feeds: products")


def test_a_409_says_when_force_sync_is_available_again(client, user_pool):
    _, accepted = force(client, user_pool.operator())  # the forced run holds the lock, and started the cooldown
    response, refused = force(client, user_pool.operator())
    assert response.status_code == 409 and refused["run_id"] == accepted["run_id"]
    assert refused["available_at"] == accepted["cooldown_until"]
    assert (f"force sync is available again once it ends and not before {accepted['cooldown_until']} (the "
            "force-sync cooldown)") in refused["Message"]
