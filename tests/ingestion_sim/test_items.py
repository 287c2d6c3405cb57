"""Items: per-item errors (in a 200 or a 400), chosen rejections, newest-wins, deletions, reading back."""
from __future__ import annotations

import threading

from chalicelib.domain.feed import item_hash

from .conftest import Client, deletion, item

EARLY, LATE = "2026-11-22T05:00:00.000Z", "2026-11-22T06:00:00.000Z"


def test_invalid_items_are_named_in_a_200_and_the_others_stored(client, service):
    items = [item("GOOD"), {"storeViewCode": "default", "name": "x"}, {"sku": "NOVIEW", "name": "x"},
             item("NONAME", name=None), item("BADPRICE", price="12,50"), item("BOOLPRICE", price=True),
             item("NOPRICE", price=None), "not an object"]

    reply = client.deliver(items)

    assert reply.status == 200
    assert reply.json == {"accepted": 2, "errors": [
        {"sku": None, "storeViewCode": "default", "reason": "missing sku"},
        {"sku": "NOVIEW", "storeViewCode": None, "reason": "missing storeViewCode"},
        {"sku": "NONAME", "storeViewCode": "default", "reason": "invalid: missing name"},
        {"sku": "BADPRICE", "storeViewCode": "default", "reason": "invalid: price is not a number: '12,50'"},
        {"sku": "BOOLPRICE", "storeViewCode": "default", "reason": "invalid: price is not a number: True"},
        {"sku": None, "storeViewCode": None, "reason": "the item is not an object"},
    ]}
    assert [row["sku"] for row in service.items()] == ["GOOD", "NOPRICE"]
    assert service.deliveries[-1][-2:] == (2, 6)


def test_in_400_mode_invalid_items_fail_the_request_and_nothing_is_stored(client, service):
    service.reject_mode = "400"

    reply = client.deliver([item("GOOD"), item("NONAME", name="  ")])

    assert reply.status == 400
    assert reply.json == {"message": "1 of 2 items are invalid: nothing was stored", "errors": [
        {"sku": "NONAME", "storeViewCode": "default", "reason": "invalid: missing name"}]}
    assert service.items() == []
    # the exporter sends the others again without the named rows
    assert client.deliver([item("GOOD")]).json == {"accepted": 1, "errors": []}


def test_chosen_rows_are_rejected_with_the_reason_until_unrejected(client, service):
    service.reject("A", "french", reason="invalid: attribute color has no option 'Teal'")

    reply = client.deliver([item("A", "default"), item("A", "french")])

    assert reply.json == {"accepted": 1, "errors": [
        {"sku": "A", "storeViewCode": "french", "reason": "invalid: attribute color has no option 'Teal'"}]}
    assert service.held("A", "french") is None
    service.unreject("A", "french")
    assert client.deliver([item("A", "french")]).json == {"accepted": 1, "errors": []}


def test_chosen_rejections_apply_to_deletions_and_in_400_mode(client, service):
    service.reject("A", "default")
    service.reject_mode = "400"

    reply = client.deliver([deletion("A"), item("B")])

    assert reply.status == 400
    assert reply.json["errors"] == [
        {"sku": "A", "storeViewCode": "default", "reason": "invalid: rejected by the ingestion service"}]


def test_the_newest_document_wins_whatever_the_order_of_arrival(client, service, clock):
    client.deliver([item("A", price=20.0, modified_at=LATE)], batch="run-2/00001")
    clock.advance(60)
    client.deliver([item("A", price=10.0, modified_at=EARLY)], batch="run-1/00001")  # a late redelivery

    held = service.held("A", "default")
    assert held["document"]["price"] == 20.0
    assert (held["batchId"], held["receivedAt"]) == ("run-2/00001", "2026-11-22T05:19:00.000Z")
    assert service.receive_count("A", "default") == 2


def test_a_redelivery_of_the_same_batch_is_held_once_and_counted_twice(client, service, clock):
    client.deliver([item("A"), item("B")])
    clock.advance(5)
    client.deliver([item("A"), item("B")])

    assert len(service.items()) == 2
    assert service.receive_count("A", "default") == service.receive_count("B", "default") == 2
    assert service.held("A", "default")["receivedAt"] == "2026-11-22T05:19:05.000Z"
    assert service.receive_count("C", "default") == 0


def test_a_newer_document_replaces_and_keeps_the_count(client, service):
    client.deliver([item("A", price=10.0, modified_at=EARLY)])
    client.deliver([item("A", price=30.0, modified_at="2026-11-22T07:00:00+00:00")])

    assert service.held("A", "default")["document"]["price"] == 30.0
    assert service.receive_count("A", "default") == 2


def test_deletions_are_held_as_deleted_items(client, service):
    client.deliver([item("A", modified_at=EARLY), item("B")])
    client.deliver([deletion("A", modified_at=LATE)])

    held = service.held("A", "default")
    assert held["document"]["deleted"] is True and "name" not in held["document"]
    assert [row["sku"] for row in service.items(deleted=True)] == ["A"]
    assert [row["sku"] for row in service.items(deleted=False)] == ["B"]
    assert client.query("A", "default").json["document"]["deleted"] is True


def test_query_one_row(client, service):
    document = item("PRD-000007", "french", price=9.99)
    client.deliver([document], batch="run/00007")

    reply = client.query("PRD-000007", "french")

    assert reply.status == 200
    assert reply.json == {"feed": "products", "sku": "PRD-000007", "storeViewCode": "french",
                          "identity": {"sku": "PRD-000007", "storeViewCode": "french"}, "hash": item_hash(document),
                          "modifiedAt": document["modifiedAt"], "deleted": False, "document": document,
                          "receivedAt": "2026-11-22T05:19:00.000Z", "batchId": "run/00007"}
    assert service.held("PRD-000007", "french") == reply.json


def test_query_a_row_not_held_is_404(client):
    reply = client.query("NOPE", "default")

    assert reply.status == 404
    assert reply.json == {"message": "no products item with sku 'NOPE', storeViewCode 'default'"}


def test_query_by_sku_alone_gives_every_store_view(client, service):
    client.deliver([item("A", "german"), item("A", "default"), item("B", "default"), item("A b", "default")])

    reply = client.query("A")

    assert reply.status == 200
    assert [(row["sku"], row["storeViewCode"]) for row in reply.json["items"]] == [("A", "default"), ("A", "german")]
    assert client.query("A b", "default").status == 200  # SKUs with spaces survive the query string
    assert client.query("NOPE").json == {"feed": "products", "items": [], "truncated": False}
    assert client.request("GET", "/v1/items", headers={"x-api-key": "test-key"}).status == 400


def test_python_items_filters(client, service):
    client.deliver([item("A", "default"), item("A", "german")], batch="r/1")
    client.deliver([item("B", "default")], batch="r/2")

    assert [(r["sku"], r["storeViewCode"]) for r in service.items()] == [("A", "default"), ("A", "german"),
                                                                         ("B", "default")]
    assert [r["sku"] for r in service.items(storeViewCode="default")] == ["A", "B"]
    assert [r["sku"] for r in service.items(batch_id="r/2")] == ["B"]
    assert service.items(sku="A", with_count=True)[0]["receiveCount"] == 1


def test_concurrent_deliveries_are_all_held(service):
    def send(worker: int) -> None:
        client = Client(service)
        for batch in range(10):
            items = [item(f"W{worker}-{batch}-{n}") for n in range(50)]
            assert client.deliver(items, batch=f"w{worker}/{batch}").json["accepted"] == 50
            client.deliver(items[:5], batch=f"w{worker}/{batch}")  # redelivered in part

    threads = [threading.Thread(target=send, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(service.items()) == 6 * 10 * 50
    assert len(service.deliveries) == 6 * 10 * 2
    assert service.receive_count("W3-7-4", "default") == 2 and service.receive_count("W3-7-5", "default") == 1
