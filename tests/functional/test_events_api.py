"""Change events through the Chalice test client on moto: the signed route (fresh and once), the trigger queue, the
handler."""
import json
from collections import Counter
from datetime import timedelta

import boto3
import pytest

from chalicelib import container
from chalicelib.adapters.dynamo_control import dynamo_control
from chalicelib.adapters.sample_catalog import SampleCatalogSource, sku_of
from chalicelib.domain.batching import decode
from chalicelib.domain.event_signatures import sign
from chalicelib.domain.runs import iso, utcnow
from tests.functional.conftest import EVENTS_SECRET as SECRET
from tests.functional.conftest import SAMPLE_PRODUCTS as PRODUCTS
from tests.functional.lambdas import TRIGGER_QUEUE, hourly, receive_all, sqs_event, status

ROUTE = "/api/events/products"


def post(client, payload, secret=SECRET, signature=None, at=None):
    """The event signed (as a sender signs it when it sends it: ``at`` now, unless the test says otherwise)."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if secret or signature:
        headers["X-Catalog-Sync-Signature"] = signature or sign(secret, raw, int((at or utcnow()).timestamp()))
    return client.http.post(ROUTE, headers=headers, body=raw)


def dirty():
    return sorted(entry.sku or f"id {entry.product_id}" for entry in dynamo_control().dirty.entries("products"))


def test_a_signed_event_marks_the_products_dirty_and_schedules_one_sync(client, aws):
    response = post(client, {"feed": "products", "skus": [sku_of(1), sku_of(2)], "ids": [4],
                             "deleted_skus": [sku_of(2)]})
    assert response.status_code == 202
    assert json.loads(response.body) == {"accepted": 3, "sync": "scheduled"}
    assert dirty() == [sku_of(1), sku_of(2), "id 4"]
    [message] = receive_all(aws["trigger_url"])
    assert json.loads(message)["feed"] == "products"


def test_the_trigger_message_is_delayed_by_the_debounce(client, aws, monkeypatch):
    monkeypatch.setenv("EVENT_DEBOUNCE_SECONDS", "30")
    container.reset()
    assert post(client, {"skus": [sku_of(1)]}).status_code == 202
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=aws["trigger_url"], AttributeNames=["ApproximateNumberOfMessagesDelayed"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"


@pytest.mark.parametrize("secret, signature, reason", [
    (None, None, "missing X-Catalog-Sync-Signature: sign each delivery as X-Catalog-Sync-Signature: t=<unix time"),
    ("another secret", None, "the signature does not match the body and its t"),
    (None, "sha256=" + "0" * 64, "X-Catalog-Sync-Signature is malformed"),
    pytest.param(None, f"t={int(utcnow().timestamp())},v1={'0' * 64}",
                 "the signature does not match the body and its t",
                 id="now-but-a-wrong-v1"),  # an id that is the same in every pytest-xdist worker
    (None, "not a signature", "X-Catalog-Sync-Signature is malformed")])
def test_a_missing_or_wrong_signature_is_refused_with_the_reason(client, aws, secret, signature, reason):
    response = post(client, {"skus": [sku_of(1)]}, secret=secret, signature=signature)
    assert response.status_code == 401
    assert json.loads(response.body)["Message"].startswith(reason)
    assert dirty() == [] and receive_all(aws["trigger_url"]) == []


def test_an_event_signed_more_than_five_minutes_ago_is_refused(client, aws):
    response = post(client, {"skus": [sku_of(1)]}, at=utcnow() - timedelta(seconds=301))
    assert response.status_code == 401
    assert "s old; an event is accepted within 300 s of its t" in json.loads(response.body)["Message"]
    assert dirty() == []


def test_a_replayed_event_is_refused_and_a_fresh_signature_of_the_same_body_is_not(client, aws):
    body, sent_at = {"skus": [sku_of(1)]}, utcnow()
    first = post(client, body, at=sent_at)
    assert first.status_code == 202
    replay = post(client, body, at=sent_at)  # the same request again: the same t, the same signature
    assert replay.status_code == 401
    assert json.loads(replay.body)["Message"].startswith("this signature was accepted already: an event is "
                                                         "accepted once")
    resent = post(client, body, at=sent_at + timedelta(seconds=1))  # the sender signs each delivery: a new t
    assert resent.status_code == 202 and json.loads(resent.body)["sync"] == "already scheduled"
    assert len(receive_all(aws["trigger_url"])) == 1


def test_an_event_the_service_could_not_act_on_may_be_delivered_again(client, aws, monkeypatch):
    def queue_down(*args):
        raise RuntimeError("the queue is down")
    body, sent_at = {"skus": [sku_of(1)]}, utcnow()
    with monkeypatch.context() as patched:
        patched.setattr(type(container.context().trigger), "request", queue_down)
        assert post(client, body, at=sent_at).status_code == 503
    assert post(client, body, at=sent_at).status_code == 202  # the very same request: its signature was given back


def test_an_admins_access_token_does_not_open_the_events_route(client, user_pool):
    raw = json.dumps({"skus": [sku_of(1)]}).encode()
    response = client.http.post(ROUTE, body=raw, headers={"Content-Type": "application/json", **user_pool.admin()})
    assert response.status_code == 401


@pytest.mark.parametrize("payload, reason", [
    (b"{not json", "the body is not JSON"),
    (b'"skus"', "the body must be a JSON object"),
    ({"skus": []}, "the event is empty: give at least one of skus, ids, deleted_skus"),
    ({"skus": "SKU-1"}, "skus must be a list"),
    ({"skus": [1]}, "skus must hold non-empty strings; got 1"),
    ({"deleted_skus": [""]}, "deleted_skus must hold non-empty strings; got ''"),
    ({"skus": ["S" * 65]}, "skus holds a SKU longer than 64 characters"),
    ({"ids": [0]}, "ids must hold positive integers; got 0"),
    ({"ids": ["7"]}, "ids must hold positive integers; got '7'"),
    ({"ids": list(range(1, 1002))}, "too many entries: 1001 (at most 1000 per event)"),
    ({"feed": "stocks", "skus": ["A"]}, "unknown feed 'stocks'; valid feeds: products, productAttributes, "
                                             "categories, variants, prices, inventoryStockStatus"),
])
def test_a_malformed_body_is_a_400_with_its_reason(client, payload, reason):
    response = post(client, payload)
    assert response.status_code == 400
    assert json.loads(response.body)["Message"].startswith(reason)
    assert dirty() == []


def test_without_a_secret_events_are_disabled_and_say_what_to_set(client, monkeypatch):
    monkeypatch.delenv("EVENTS_SECRET")
    response = post(client, {"skus": [sku_of(1)]})
    assert response.status_code == 503
    message = json.loads(response.body)["Message"]
    assert message.startswith("change events are disabled") and "EVENTS_SECRET_NAME" in message
    assert "EVENTS_SECRET (locally)" in message


def test_a_burst_of_events_sends_exactly_one_trigger_message(client, aws):
    answers = Counter(json.loads(post(client, {"skus": [sku_of(i)]}).body)["sync"] for i in range(12))
    assert answers == {"scheduled": 1, "already scheduled": 11}
    assert len(receive_all(aws["trigger_url"])) == 1
    assert len(dirty()) == 12


def test_the_trigger_handler_syncs_exactly_the_dirty_products_and_deletes_the_vanished(client, aws, tmp_path):
    # given a synced catalog, and one of its products deleted since
    hourly(client)
    for body in receive_all(aws["queue_url"]):
        client.lambda_.invoke("export_batch", sqs_event(client, body))
    source = SampleCatalogSource(PRODUCTS, edits_file=str(tmp_path / "edits.json"))
    views_of = Counter(r["sku"] for r in source.products(None))
    source.delete([sku_of(5)], now=iso(utcnow()))
    # when events name the deleted product, a product still in the catalog, and one by id
    post(client, {"deleted_skus": [sku_of(5), sku_of(6)], "ids": [8]})
    [trigger] = receive_all(aws["trigger_url"])
    run_ids = client.lambda_.invoke("start_requested_sync", sqs_event(client, trigger, TRIGGER_QUEUE))
    batches = receive_all(aws["queue_url"])
    for body in batches:
        client.lambda_.invoke("export_batch", sqs_event(client, body))
    # then the run read the three products, sent the deletions only, and cleared the dirty set
    last = status(client)["last_sync"]
    assert [last["run_id"]] == run_ids.payload["run_ids"]
    assert (last["trigger"], last["mode"], last["status"]) == ("events", "partial", "Success")
    assert last["rows_seen"] == views_of[sku_of(6)] + views_of[sku_of(7)]  # id 8 is sku_of(7)
    assert last["rows_deleted"] == last["rows_exported"] == views_of[sku_of(5)]
    sent = [row for body in batches for row in decode(body).rows]
    assert {(row.key.sku, row.document["deleted"]) for row in sent} == {(sku_of(5), True)}
    assert dirty() == []


def test_the_trigger_handler_skips_while_a_run_is_in_flight_and_keeps_the_dirty_products(client, aws):
    hourly(client)  # in flight: its batches are not exported
    post(client, {"skus": [sku_of(1)]})
    [trigger] = receive_all(aws["trigger_url"])
    result = client.lambda_.invoke("start_requested_sync", sqs_event(client, trigger, TRIGGER_QUEUE))
    assert result.payload == {"run_ids": []}
    assert dirty() == [sku_of(1)]
