"""The /__ingest admin: state, settings, faults, rejections, deliveries, items, reset; and the command line."""
from __future__ import annotations

import subprocess
import sys
import urllib.request

from .conftest import deletion, item


def test_state_shows_urls_key_and_settings(client, service):
    state = client.admin("GET").json

    assert state["ingest_url"] == service.base_url + "/v1/feeds/{feed}"
    assert state["query_url"] == service.base_url + "/v1/items"
    assert (state["key_header"], state["api_key"], state["reject_mode"]) == ("x-api-key", "test-key", "200")
    assert (state["items_held"], state["deliveries"], state["rejections"]) == (0, 0, [])


def test_settings_change_the_reject_mode(client, service):
    assert client.admin("POST", "/settings", {"reject_mode": "400"}).json["reject_mode"] == "400"
    assert service.reject_mode == "400"

    assert client.admin("POST", "/settings", {"reject_mode": "500"}).status == 400
    assert client.admin("POST", "/settings", {"colour": "blue"}).status == 400
    assert client.admin("POST", "/settings").json["reject_mode"] == "400"  # no body: no change


def test_faults_are_set_over_http(client, service):
    state = client.admin("POST", "/faults", {"latency": 0.01, "too_large_bytes": 10_000,
                                             "throttle": {"count": 1, "retry_after": 4},
                                             "fail": {"count": 1, "status": 503},
                                             "drop": {"count": 1, "after_storing": True}}).json

    assert state["latency"] == 0.01 and state["too_large_bytes"] == 10_000
    assert [(f["kind"], f["status"]) for f in state["queued"]] == [("status", 429), ("status", 503), ("drop", 0)]
    assert client.deliver([item()]).headers["Retry-After"] == "4"
    assert client.admin("POST", "/faults", {"fail": {"count": 1, "status": 418}}).status == 400
    reset = client.admin("POST", "/faults/reset").json
    assert reset["queued"] == [] and reset["latency"] == 0 and reset["too_large_bytes"] is None
    assert client.admin("GET", "/faults").json == reset


def test_reject_and_unreject_over_http(client, service):
    rejections = client.admin("POST", "/reject", {"sku": "A", "storeViewCode": "default", "reason": "invalid: no"}).json
    assert rejections == [{"feed": "products", "sku": "A", "storeViewCode": "default", "reason": "invalid: no"}]
    client.admin("POST", "/reject", {"sku": "B", "storeViewCode": "german"})
    assert client.deliver([item("A")]).json["errors"][0]["reason"] == "invalid: no"

    assert client.admin("POST", "/unreject", {"sku": "A", "storeViewCode": "default"}).json == [
        {"feed": "products", "sku": "B", "storeViewCode": "german",
         "reason": "invalid: rejected by the ingestion service"}]
    assert client.admin("GET", "/rejections").json == service.rejections
    assert client.admin("POST", "/reject", {"sku": "A"}).status == 400


def test_deliveries_log(client, service):
    for n in range(3):
        client.deliver([item()], batch=f"run/0000{n}")

    answer = client.admin("GET", "/deliveries", limit="2").json

    assert answer["count"] == 3
    assert [d["batch_id"] for d in answer["deliveries"]] == ["run/00001", "run/00002"]
    assert set(answer["deliveries"][0]) == {"received_at", "feed", "batch_id", "items", "compressed_bytes", "raw_bytes",
                                            "status", "accepted", "errors"}
    assert client.admin("DELETE", "/deliveries").json == {"count": 0, "deliveries": []}


def test_items_with_filters(client):
    client.deliver([item("A"), item("A", "german"), item("B")], batch="r/1")
    client.deliver([item("A"), deletion("C")], batch="r/2")

    every = client.admin("GET", "/items").json
    assert every["count"] == 4
    assert [(i["sku"], i["storeViewCode"], i["receiveCount"]) for i in every["items"]] == [
        ("A", "default", 2), ("A", "german", 1), ("B", "default", 1), ("C", "default", 1)]
    assert [i["sku"] for i in client.admin("GET", "/items", deleted="true").json["items"]] == ["C"]
    assert client.admin("GET", "/items", sku="A", storeViewCode="german").json["count"] == 1
    assert [i["sku"] for i in client.admin("GET", "/items", batchId="r/2").json["items"]] == ["A", "C"]
    limited = client.admin("GET", "/items", limit="1").json
    assert limited["count"] == 4 and len(limited["items"]) == 1
    assert client.admin("GET", "/items", deleted="maybe").status == 400


def test_delete_resets_everything(client, service):
    client.deliver([item()])
    service.reject("A", "default")
    service.faults.throttle(2)
    service.reject_mode = "400"

    state = client.admin("DELETE").json

    assert (state["items_held"], state["deliveries"], state["rejections"], state["reject_mode"]) == (0, 0, [], "200")
    assert state["faults"]["queued"] == [] and state["api_key"] == "test-key"
    assert client.query("PRD-000001", "default").status == 404


def test_unknown_admin_endpoints_and_bad_bodies(client):
    assert client.admin("GET", "/nothing").status == 404
    assert client.request("POST", "/__ingest/reject", b"{nope").status == 400


def test_the_command_line_serves_until_stopped():
    process = subprocess.Popen([sys.executable, "-m", "local_stack.ingestion", "--port", "0", "--api-key", "k"],
                               stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        url = first.split()[3]
        with urllib.request.urlopen(url + "/__ingest", timeout=5) as response:
            assert b'"api_key":"k"' in response.read()
    finally:
        process.terminate()
        process.wait(timeout=5)
