"""The feeds' sync status and who is signed in, through the Chalice test client on moto (answers held to the
OpenAPI document by the conftest; sign-in on every route: test_api_sign_in.py)."""
import json

import pytest

from chalicelib.domain.access import FORCE_SYNC, READ_PRODUCTS, READ_SETTINGS, READ_STATUS
from chalicelib.domain.feeds import FEEDS
from tests.functional.lambdas import export_everything, hourly


def get(client, path, headers):
    response = client.http.get(path, headers=headers)
    return response.status_code, json.loads(response.body)


def test_every_feed_is_listed_with_its_items_by_status_and_health(client, aws, user_pool):
    code, before = get(client, "/api/feeds", user_pool.operator())
    assert code == 200 and [feed["feed"] for feed in before["feeds"]] == list(FEEDS)
    products = before["feeds"][0]
    assert products["offered"] and products["health"]["stale"] and products["last_success_at"] is None
    # The sample catalog reads products only: the other feeds are listed, not synced.
    assert [feed["offered"] for feed in before["feeds"][1:]] == [False] * (len(FEEDS) - 1)

    hourly(client)
    _, pending = get(client, "/api/feeds/products", user_pool.operator())
    assert pending["items"]["awaiting_submission"] == pending["source_records"] > 0
    assert pending["health"]["outbox_batches"] > 0 and pending["health"]["outbox_rows"] == pending["source_records"]

    export_everything(client, aws["queue_url"])
    _, done = get(client, "/api/feeds/products", user_pool.admin())
    assert done["items"] == {"submitted": done["source_records"], "awaiting_submission": 0, "failed_will_retry": 0,
                             "failed_requires_attention": 0}
    assert done["health"]["ok"] and done["last_success_age_seconds"] is not None
    assert done["schedule"]["every_hours"] == 1 and done["last_run"]["status"] == "Success"


@pytest.mark.parametrize("path, code, message", [
    ("/api/feeds?feed=products", 400, "unknown query parameter feed; this route takes no query parameters"),
    ("/api/feeds/prices?x=1", 400, "unknown query parameter x; this route takes no query parameters"),
    ("/api/feeds/nope", 404, "no feed 'nope'; valid feeds: " + ", ".join(FEEDS)),
    ("/api/feeds/" + "x" * 300, 404, f"no feed {'x' * 100!r}… (300 characters); valid feeds: " + ", ".join(FEEDS)),
    ("/api/me?who=1", 400, "unknown query parameter who; this route takes no query parameters"),
])
def test_bad_input_is_a_4xx_naming_what_is_accepted(client, user_pool, path, code, message):
    status, body = get(client, path, user_pool.operator())
    assert (status, body["Message"]) == (code, message)


def test_me_names_the_roles_and_what_they_allow(client, user_pool):
    _, admin = get(client, "/api/me", user_pool.admin())
    assert (admin["username"], admin["roles"]) == ("ada", ["admin"])
    assert {READ_STATUS, FORCE_SYNC, READ_PRODUCTS, READ_SETTINGS} <= set(admin["permissions"])
    _, operator = get(client, "/api/me", user_pool.operator())
    assert operator["roles"] == ["operator"] and READ_PRODUCTS not in operator["permissions"]
    assert {READ_STATUS, FORCE_SYNC} <= set(operator["permissions"])
    _, machine = get(client, "/api/me", user_pool.machine())
    assert machine["username"] is None and machine["roles"] == ["operator"]


def test_the_openapi_document_describes_the_new_routes(client, user_pool):
    _, document = get(client, "/api/openapi.json", user_pool.operator())
    for path in ("/api/feeds", "/api/feeds/{feed}", "/api/me"):
        answers = document["paths"][path]["get"]["responses"]
        assert {"200", "400", "401", "403", "500", "503"} <= set(answers), path
    assert "404" in document["paths"]["/api/feeds/{feed}"]["get"]["responses"]
    assert set(document["components"]["schemas"]["FeedStatus"]["properties"]["items"]["required"]) == {
        "submitted", "awaiting_submission", "failed_will_retry", "failed_requires_attention"}
