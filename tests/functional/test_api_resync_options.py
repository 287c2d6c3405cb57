"""POST /api/sync's resync options through the Chalice test client on moto: selected items (ids), dry runs, batch
size, the rate limit instead of the cooldown, and bad input (answers held to the OpenAPI document by the conftest)."""
import boto3
import pytest

from chalicelib import container
from tests.functional.lambdas import hourly, receive_all
from tests.functional.test_api_sync import export_everything, force, get, run_forced

SKUS = ["MS-000001", "MS-000002"]


def tables():
    """Every item of every table, by table (what a dry run must leave as it was)."""
    dynamodb = boto3.client("dynamodb")
    return {name: sorted(str(item) for item in dynamodb.scan(TableName=name)["Items"])
            for name in dynamodb.list_tables()["TableNames"]}


def synced(client, aws):
    hourly(client)
    export_everything(client, aws)


def test_selected_items_are_resent_unchanged_with_the_unknown_ones_reported(client, aws, user_pool):
    synced(client, aws)
    response, accepted = force(client, user_pool.operator(), {"ids": [*SKUS, "NOPE-1", "MS-000001"]})
    assert response.status_code == 202
    assert (accepted["mode"], accepted["ids"], accepted["cooldown_until"]) == ("ids", 3, None)
    assert "not subject to the 15-minute force-sync cooldown" in accepted["rate_limit"]["note"]
    assert run_forced(client, aws) == {"run_ids": [accepted["run_id"]]}
    export_everything(client, aws)
    _, run = get(client, f"/api/sync/runs/{accepted['run_id']}", user_pool.operator())
    assert (run["status"], run["mode"], run["unknown_ids"]) == ("Success", "ids", ["NOPE-1"])
    assert run["options"]["ids"] == [*SKUS, "NOPE-1"]
    # Unchanged since the first sync, and sent all the same: every store view of the two products.
    assert run["rows_unchanged"] == run["rows_seen"] == run["rows_exported"] >= 4
    _, status = get(client, "/api/sync/status", user_pool.operator())
    assert status["cooldown"]["available"] is True  # the force-sync cooldown was not used


def test_selected_items_are_rate_limited_not_held_to_the_cooldown(client, aws, user_pool):
    synced(client, aws)
    response, _ = force(client, user_pool.operator())  # a full resync: the cooldown starts
    assert response.status_code == 202
    run_forced(client, aws)
    export_everything(client, aws)
    response, accepted = force(client, user_pool.operator(), {"ids": SKUS})
    assert response.status_code == 202  # during the cooldown
    run_forced(client, aws)
    export_everything(client, aws)
    response, refused = force(client, user_pool.operator(), {"ids": SKUS})
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 10
    assert "limited to one per 10 s per feed" in refused["Message"]
    assert refused["available_at"] == accepted["rate_limit"]["available_at"]


def test_a_dry_run_answers_its_summary_and_changes_nothing(client, aws, user_pool, monkeypatch):
    monkeypatch.setenv("SELECTED_RESYNC_SECONDS", "0")  # two dry runs in a row
    container.reset()
    synced(client, aws)
    before = tables()
    response, answer = force(client, user_pool.operator(), {"dry_run": True, "ids": [*SKUS, "NOPE-1"]})
    assert response.status_code == 200
    summary = answer["feeds"]["products"]
    assert (summary["complete"], summary["mode"], summary["force"]) == (True, "ids", True)
    assert summary["unknown_ids"] == ["NOPE-1"]
    assert summary["rows"]["read"] == summary["rows"]["unchanged"] == summary["send"]["items"] >= 4
    assert summary["send"]["deletions"] == 0 and summary["send"]["batches"] == 1
    assert "not subject to the 15-minute" in answer["rate_limit"]["note"]
    response, answer = force(client, user_pool.admin(), {"dry_run": True, "ids": ["1", "2"], "id_type": "productId"})
    assert response.status_code == 200 and answer["feeds"]["products"]["rows"]["read"] >= 4
    after = tables()
    marker = [item for item in after["catalog-sync-control"] if "dry-run" in item]
    assert len(marker) == 1  # the rate limit's marker: the only write
    assert {**after, "catalog-sync-control": [i for i in after["catalog-sync-control"] if i not in marker]} == before
    assert receive_all(aws["queue_url"]) == [] and receive_all(aws["trigger_url"]) == []


def test_a_batch_size_and_thread_count_are_carried_by_the_run(client, aws, user_pool):
    synced(client, aws)
    response, accepted = force(client, user_pool.operator(), {"batch_size": 7, "thread_count": 2})
    assert response.status_code == 202
    run_forced(client, aws)
    export_everything(client, aws)
    _, run = get(client, f"/api/sync/runs/{accepted['run_id']}", user_pool.operator())
    assert (run["options"]["batch_size"], run["options"]["thread_count"], run["options"]["force"]) == (7, 2, True)
    assert run["batches_total"] == -(-run["rows_exported"] // 7)


@pytest.mark.parametrize("body, message", [
    ({"ids": []}, "ids needs at least one id (at most 1,000)"),
    # the longest ids, one too many: the body is read (not a 413), and the list refused
    ({"ids": [f"SKU-{i}".ljust(64, "X") for i in range(1001)]}, "ids takes at most 1,000 ids; got 1,001"),
    ({"ids": ["A"], "id_type": "ean"}, "unknown id_type 'ean'; valid: sku, productId"),
    ({"ids": ["abc"], "id_type": "productId"}, "ids with id_type productId takes positive whole numbers; got 'abc'"),
    ({"ids": [""]}, "ids takes non-empty ids of at most 64 printable characters; got ''"),
    ({"ids": "MS-000001"}, 'ids must be a list of the items\' ids, e.g. ["MS-000001", "MS-000002"]'),
    ({"id_type": "sku"}, "id_type applies to ids: give ids too"),
    ({"ids": ["A"], "mode": "no-reindex"}, 'ids cannot be combined with mode "no-reindex", which resends stored '
                                           "documents without reading the source (they need a resync that reads it)"),
    ({"mode": "failed", "force": True}, 'force cannot be combined with mode "failed", which resends stored documents '
                                        "without reading the source (they need a resync that reads it)"),
    ({"batch_size": 0}, "batch_size must be a whole number from 1 to 1,000; got 0"),
    ({"batch_size": 5000}, "batch_size must be a whole number from 1 to 1,000; got 5000"),
    ({"thread_count": 17}, "thread_count must be a whole number from 1 to 16; got 17"),
    ({"thread_count": True}, "thread_count must be a whole number from 1 to 16; got True"),
    ({"dry_run": "yes"}, "dry_run must be true or false; got yes"),
    ({"dry_run": True}, "dry_run through the API takes ids (1 to 1,000): a dry run of a whole feed reads every "
                        "stored row and the whole catalog, longer than a request may wait; run `catalog-sync resync "
                        "--feed products --dry-run` instead"),
])
def test_bad_resync_options_are_a_400_naming_what_is_valid(client, user_pool, body, message):
    response, refused = force(client, user_pool.operator(), body)
    assert response.status_code == 400 and refused["Message"] == message
