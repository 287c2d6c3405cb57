"""Bodies: gzip JSON, plain JSON without Content-Encoding, and what is not a batch (400 naming no rows)."""
from __future__ import annotations

import gzip
import json

import pytest

from .conftest import Client, item


def test_gzip_body_is_read_and_logged_with_both_sizes(client, service):
    reply = client.deliver([item("A"), item("B")], batch="run-1/00003")

    assert reply.status == 200 and reply.json == {"accepted": 2, "errors": []}
    delivery = service.deliveries[-1]
    assert (delivery.batch_id, delivery.items, delivery.status, delivery.accepted, delivery.errors) == \
        ("run-1/00003", 2, 200, 2, 0)
    assert 0 < delivery.compressed_bytes < delivery.raw_bytes


def test_plain_json_is_accepted_without_content_encoding(client, service):
    reply = client.deliver([item("A")], gzip=False)

    assert reply.status == 200 and reply.json["accepted"] == 1
    assert service.deliveries[-1].compressed_bytes == service.deliveries[-1].raw_bytes


def test_the_batch_id_comes_from_the_body_when_the_header_is_absent(client, service):
    payload = {"feed": "products", "batchId": "from-body/00002", "items": [item()]}

    client.deliver(payload=payload, batch=None)

    assert service.held("PRD-000001", "default")["batchId"] == "from-body/00002"


def test_a_chunked_body_is_read(client, service):
    body = gzip.compress(json.dumps({"items": [item()]}).encode())

    reply = client.deliver(body=body, chunked=True)

    assert reply.status == 200 and reply.json["accepted"] == 1


# mtime=0: the same bytes, so the same test ids, in every pytest-xdist worker.
@pytest.mark.parametrize("body, headers, text", [
    (b'{"items": []}', {"Content-Encoding": "gzip"}, "the body is not gzip-compressed"),
    (gzip.compress(b"{not json", mtime=0), {}, "the body is not JSON"),
    (gzip.compress(b'{"feed": "products"}', mtime=0), {}, 'the body is not an object with an "items" list'),
    (gzip.compress(b'{"items": {"sku": "A"}}', mtime=0), {}, 'the body is not an object with an "items" list'),
    (gzip.compress(b'[1, 2]', mtime=0), {}, 'the body is not an object with an "items" list'),
    (gzip.compress(b'{"items": []}', mtime=0), {"Content-Encoding": "br"}, "unsupported Content-Encoding 'br'"),
])
def test_a_body_that_is_not_a_batch_is_400_naming_no_rows(client: Client, service, body, headers, text):
    reply = client.deliver(body=body, headers=headers)

    assert reply.status == 400
    assert reply.json["message"].startswith(text) and reply.json["errors"] == []
    assert service.deliveries[-1].status == 400 and service.deliveries[-1].items is None


def test_truncated_gzip_is_400(client):
    body = gzip.compress(json.dumps({"items": [item()]}).encode())[:-12]

    reply = client.deliver(body=body)

    assert reply.status == 400 and "not gzip-compressed" in reply.json["message"]


def test_an_empty_batch_accepts_nothing(client):
    assert client.deliver([]).json == {"accepted": 0, "errors": []}


def test_unknown_paths_and_methods(client, service):
    assert client.request("GET", "/v2/whatever").status == 404
    wrong_method = client.request("GET", "/v1/feeds/products")
    assert wrong_method.status == 405 and wrong_method.headers["Allow"] == "POST"
    assert client.request("DELETE", "/v1/items").status == 405
