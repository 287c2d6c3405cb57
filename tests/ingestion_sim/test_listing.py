"""A feed's listing (GET /v1/feeds/{feed}/items): identity order, bounded pages, a cursor that stays right while
items change, content hashes equal to the app's row hashes, documents on request, gzip, and 400s."""
from __future__ import annotations

import base64
import gzip
import json
import threading

import pytest

from chalicelib.domain.feed import exported_item, item_hash
from chalicelib.domain.feeds.products import build_row, deletion_of
from tests.fakes import VIEWS, product

from .conftest import Client, feed_item

VIEWS_BY_CODE = {view.code: view for view in VIEWS}
PRICES = "/v1/feeds/prices/items"


def prices(*skus: str, modified_at: str = "2026-11-22T05:00:00.000Z", **fields):
    return [feed_item("prices", sku, "base", "0", modified_at=modified_at, **fields) for sku in skus]


def skus(n: int, start: int = 0) -> list[str]:
    return [f"SKU-{i:05d}" for i in range(start, start + n)]


def read_all(client, path: str, **params) -> tuple[list[dict], int]:
    """Every page of a listing, and the number of requests it took."""
    items, cursor, requests = [], params.pop("cursor", None), 0
    while True:
        page = client.read(path, **params, **({"cursor": cursor} if cursor else {}))
        assert page.status == 200, page.json
        requests += 1
        items += page.json["items"]
        cursor = page.json["nextCursor"]
        if cursor is None:
            return items, requests


def test_a_page_lists_items_in_identity_order_with_hash_state_and_total(client):
    client.deliver(prices("B", "A"), feed="prices")
    client.deliver([{"sku": "C", "websiteCode": "base", "customerGroupCode": "0", "deleted": True,
                     "modifiedAt": "2026-11-22T07:00:00.000Z"}], feed="prices")

    page = client.read(PRICES).json

    assert (page["feed"], page["identity"], page["total"], page["nextCursor"]) == (
        "prices", ["sku", "websiteCode", "customerGroupCode"], 3, None)
    assert [item["identity"]["sku"] for item in page["items"]] == ["A", "B", "C"]
    assert page["items"][0] == {"identity": {"sku": "A", "websiteCode": "base", "customerGroupCode": "0"},
                                "hash": item_hash(prices("A")[0]), "modifiedAt": "2026-11-22T05:00:00.000Z",
                                "deleted": False}
    assert page["items"][2]["deleted"] is True


def test_pages_cover_the_feed_once_in_as_many_requests_as_pages(client):
    for chunk in range(5):
        client.deliver(prices(*skus(500, chunk * 500)), feed="prices")

    items, requests = read_all(client, PRICES)
    assert [item["identity"]["sku"] for item in items] == skus(2500) and requests == 3  # limit 1,000 by default

    exact, requests = read_all(client, PRICES, limit="1250")
    assert len(exact) == 2500 and requests == 2  # the last full page says there is no more: no empty page
    assert read_all(client, PRICES, limit="5000")[1] == 1


def test_the_cursor_stays_right_while_items_change(client):
    client.deliver(prices(*skus(30)), feed="prices")
    first = client.read(PRICES, limit="10").json
    assert first["items"][-1]["identity"]["sku"] == "SKU-00009"

    # meanwhile: new items before and after the cursor, a newer version and a deletion of items not read yet
    client.deliver(prices("SKU-00003a", "SKU-00015a", "SKU-99999"), feed="prices")
    client.deliver(prices("SKU-00012", price_note="changed", modified_at="2026-11-22T06:00:00.000Z"), feed="prices")
    client.deliver([{"sku": "SKU-00020", "websiteCode": "base", "customerGroupCode": "0", "deleted": True,
                     "modifiedAt": "2026-11-22T06:00:00.000Z"}], feed="prices")
    rest, _ = read_all(client, PRICES, limit="10", cursor=first["nextCursor"])

    listed = [item["identity"]["sku"] for item in first["items"] + rest]
    assert sorted(set(skus(30)) - set(listed)) == [] and len(listed) == len(set(listed))  # each once
    assert "SKU-00003a" not in listed and {"SKU-00015a", "SKU-99999"} <= set(listed)  # behind / ahead of it
    changed = next(item for item in rest if item["identity"]["sku"] == "SKU-00012")
    assert changed["hash"] == item_hash(prices("SKU-00012", price_note="changed")[0])
    assert next(item for item in rest if item["identity"]["sku"] == "SKU-00020")["deleted"] is True


def test_the_hash_is_the_apps_row_hash_for_documents_and_deletions(client):
    live = build_row(product(1, "default"), VIEWS_BY_CODE)
    gone = deletion_of(build_row(product(2, "french"), VIEWS_BY_CODE), VIEWS_BY_CODE["french"])
    sent = [exported_item(json.loads(row.document), row.last_modified, "2026-11-22T10:00:00.000Z")
            for row in (live, gone)]

    client.deliver(sent)

    hashes = {item["identity"]["sku"]: item["hash"] for item in client.read("/v1/feeds/products/items").json["items"]}
    assert hashes == {live.sku: live.hash, gone.sku: gone.hash}


def test_documents_come_on_request_with_a_smaller_bound(client):
    client.deliver(prices("A"), feed="prices", batch="run/00004")

    [item] = client.read(PRICES, include="document").json["items"]

    assert (item["document"], item["batchId"]) == (prices("A")[0], "run/00004") and "receivedAt" in item
    assert client.read(PRICES, include="document", limit="1000").status == 200
    assert client.read(PRICES, include="document", limit="1001").status == 400


def test_deletions_only_or_none(client):
    client.deliver(prices("A", "B", "C"), feed="prices")
    client.deliver([{"sku": "B", "websiteCode": "base", "customerGroupCode": "0", "deleted": True,
                     "modifiedAt": "2026-11-22T06:00:00.000Z"}], feed="prices")

    deleted = client.read(PRICES, deleted="true").json
    assert [item["identity"]["sku"] for item in deleted["items"]] == ["B"] and deleted["total"] == 1
    live, requests = read_all(client, PRICES, deleted="false", limit="1")
    assert [item["identity"]["sku"] for item in live] == ["A", "C"] and requests == 2


@pytest.mark.parametrize("params, text", [
    ({"limit": "0"}, "limit is a whole number from 1 to 5000; got '0'"),
    ({"limit": "5001"}, "limit is a whole number from 1 to 5000"),
    ({"limit": "ten"}, "limit is a whole number"),
    ({"limit": "²"}, "limit is a whole number"),
    ({"limit": "9" * 5000}, "limit is a whole number"),
    ({"include": "everything"}, "include is document"),
    ({"deleted": "yes"}, "deleted is true or false"),
    ({"curosr": "x"}, "unknown parameters curosr: a listing takes cursor, limit, include, deleted"),
    ({"cursor": "not a cursor!"}, "the cursor is not one this service gave"),
    ({"cursor": base64.urlsafe_b64encode(b"[1, 2]").decode()}, "the cursor is not one this service gave"),
    ({"cursor": base64.urlsafe_b64encode(b'{"v": 1, "feed": "prices", "after": ["A"]}').decode()},
     "the cursor is not one this service gave"),
    ({"cursor": base64.urlsafe_b64encode(b'{"v": 1, "feed": "products", "after": ["A", "b"]}').decode()},
     "the cursor is of another feed's listing ('products'), not prices's"),
])
def test_a_query_the_listing_cannot_answer_is_400_saying_why(client, params, text):
    reply = client.read(PRICES, **params)

    assert reply.status == 400 and reply.json["message"].startswith(text)


def test_a_page_comes_gzip_compressed_when_the_client_takes_it(client):
    client.deliver(prices(*skus(200)), feed="prices")

    raw = client.request("GET", PRICES, headers={"x-api-key": "test-key", "Accept-Encoding": "gzip"},
                         preload_content=True, decode_content=False)
    plain = client.read(PRICES)

    assert raw.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert json.loads(gzip.decompress(raw.data)) == plain.json
    assert len(raw.data) * 5 < len(plain.data)
    assert client.read(PRICES, headers={"Accept-Encoding": "gzip;q=0"}).headers.get("Content-Encoding") is None


def test_an_empty_feed_lists_nothing(client):
    assert client.read("/v1/feeds/variants/items").json == {"feed": "variants", "identity": ["id"], "total": 0,
                                                            "items": [], "nextCursor": None}


def test_a_listing_read_while_batches_arrive_lists_every_item_held_before_it_once(service, client):
    client.deliver(prices(*skus(3000, start=0)), feed="prices")
    client.deliver(prices(*skus(1000, start=10_000)), feed="prices")  # ahead of what the writer adds

    def write() -> None:
        writer = Client(service)
        for n in range(20):  # new items between the old ones, and newer versions of old ones
            writer.deliver(prices(*(f"SKU-{i:05d}x" for i in range(n * 150, n * 150 + 150)))
                           + prices(*skus(50, start=n * 150), note="v2", modified_at="2026-11-22T06:00:00.000Z"),
                           feed="prices")

    thread = threading.Thread(target=write)
    thread.start()
    items, _ = read_all(client, PRICES, limit="200")
    thread.join()

    listed = [item["identity"]["sku"] for item in items]
    assert len(listed) == len(set(listed))
    assert set(skus(3000) + skus(1000, start=10_000)) <= set(listed)
    assert listed == sorted(listed)


def test_a_listing_takes_get_only_and_the_key(client):
    wrong = client.request("POST", PRICES, headers={"x-api-key": "test-key"})

    assert (wrong.status, wrong.headers["Allow"]) == (405, "GET")
    assert client.read(PRICES, key=None).status == 401
