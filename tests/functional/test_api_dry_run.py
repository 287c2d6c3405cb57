"""A whole feed's dry run through the API (POST /api/sync {"dry_run": true} without ids), on moto through the Chalice
test client: 202 with a dry run's id; the trigger queue's Lambda performs it as the CLI's and keeps its summary with
the run's record, the only write besides the rate limit's marker; nothing reaches the destination (answers held to
the OpenAPI document by the conftest)."""
import boto3

from chalicelib import container
from tests.functional.lambdas import hourly, receive_all
from tests.functional.test_api_resync_options import tables
from tests.functional.test_api_sync import export_everything, force, get, run_forced


def hub_objects(aws):
    listed = boto3.client("s3").list_objects_v2(Bucket="catalog-sync-hub-local")  # the `local` stage's hub
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_a_whole_feeds_dry_run_runs_in_the_background_and_keeps_its_summary_with_its_run(client, aws, user_pool,
                                                                                          monkeypatch):
    hourly(client)
    export_everything(client, aws)
    _, first = get(client, "/api/sync/status", user_pool.operator())
    rows = first["products_synced"]["rows"]
    before, sent_before = tables(), hub_objects(aws)

    response, accepted = force(client, user_pool.operator(), {"dry_run": True})
    assert response.status_code == 202
    assert response.headers["Location"] == f"/api/sync/runs/{accepted['run_id']}"
    assert (accepted["dry_run"], accepted["status"], accepted["mode"]) == (True, "In Progress", "full")
    assert "not subject to the 15-minute force-sync cooldown" in accepted["rate_limit"]["note"]
    response, refused = force(client, user_pool.operator(), {"dry_run": True})  # rate-limited like selected items
    assert response.status_code == 429 and "dry run is not subject to" in refused["Message"]

    assert run_forced(client, aws) == {"run_ids": [accepted["run_id"]]}
    _, run = get(client, f"/api/sync/runs/{accepted['run_id']}", user_pool.operator())
    assert (run["status"], run["dry_run"], run["trigger"]) == ("Success", True, "force")
    summary = run["dry_run_summary"]
    # Forced (the API's default): every row read, none changed since the sync, every one would be sent.
    assert summary["rows"] == {"read": rows, "new": 0, "changed": 0, "unchanged": rows, "deleted": 0, "invalid": 0}
    assert summary["send"]["items"] == rows and summary["send"]["batches"] >= 1 and summary["complete"] is True

    # Nothing was written but the run's record and the rate limit's marker; nothing was sent anywhere.
    after = tables()
    runs_added = [item for item in after["catalog-sync-runs"] if item not in before["catalog-sync-runs"]]
    assert len(runs_added) == 1 and accepted["run_id"] in runs_added[0]
    markers = [item for item in after["catalog-sync-control"] if item not in before["catalog-sync-control"]]
    assert len(markers) == 1 and "dry-run" in markers[0]
    assert {name: items for name, items in after.items() if name not in ("catalog-sync-runs", "catalog-sync-control")} \
        == {name: items for name, items in before.items() if name not in ("catalog-sync-runs", "catalog-sync-control")}
    assert receive_all(aws["queue_url"]) == [] and hub_objects(aws) == sent_before

    # The run history shows it, marked; the feed's last sync is still the real one, and force sync is available.
    _, history = get(client, "/api/sync/runs", user_pool.operator())
    assert [(item["run_id"], item["dry_run"]) for item in history["items"]][:2] == [
        (accepted["run_id"], True), (first["last_sync"]["run_id"], False)]
    _, status = get(client, "/api/sync/status", user_pool.operator())
    assert status["last_sync"]["run_id"] == first["last_sync"]["run_id"]
    assert status["cooldown"]["available"] is True


def test_a_dry_run_that_finds_changes_counts_them_without_writing_them(client, aws, user_pool, monkeypatch):
    hourly(client)
    export_everything(client, aws)
    monkeypatch.setenv("SAMPLE_PRODUCTS", "45")  # five more products in the source than the rows hold
    container.reset()
    response, accepted = force(client, user_pool.operator(), {"dry_run": True, "force": False})
    assert response.status_code == 202
    run_forced(client, aws)
    _, run = get(client, f"/api/sync/runs/{accepted['run_id']}", user_pool.operator())
    summary = run["dry_run_summary"]
    assert summary["rows"]["new"] > 0 and summary["send"]["items"] == summary["rows"]["new"]
    _, status = get(client, "/api/sync/status", user_pool.operator())
    assert status["products_synced"]["rows"] + summary["rows"]["new"] == summary["rows"]["read"]
