"""The API key: 401 without it, 403 when wrong, on deliveries and queries alike; the admin needs none."""
from __future__ import annotations

from local_stack.ingestion import IngestionService

from .conftest import KEY, Client, item


def test_a_delivery_without_the_key_is_401_and_stores_nothing(client, service):
    reply = client.deliver([item()], key=None)

    assert reply.status == 401
    assert reply.json == {"message": "missing API key: send it in the x-api-key header"}
    assert service.held("PRD-000001", "default") is None
    assert service.deliveries[-1].status == 401 and service.deliveries[-1].items is None


def test_an_empty_key_counts_as_missing(client):
    assert client.deliver([item()], key="").status == 401


def test_a_wrong_key_is_403(client, service):
    reply = client.deliver([item()], key="not-the-key")

    assert reply.status == 403
    assert reply.json == {"message": "the API key is not valid"}
    assert service.held("PRD-000001", "default") is None


def test_the_right_key_is_accepted(client, service):
    reply = client.deliver([item()], key=KEY)

    assert reply.status == 200
    assert reply.json == {"accepted": 1, "errors": []}


def test_queries_need_the_key_too(client):
    client.deliver([item()])

    assert client.query("PRD-000001", "default", key=None).status == 401
    assert client.query("PRD-000001", "default", key="wrong").status == 403
    assert client.query("PRD-000001", "default").status == 200


def test_key_header_and_path_are_configurable(clock):
    with IngestionService(api_key="secret", key_header="Authorization-Key", path="/ingest/{feed}",
                          clock=clock) as service:
        client = Client(service)

        assert service.ingest_url == service.base_url + "/ingest/{feed}"
        assert client.deliver([item()], headers={"authorization-key": "secret"}).status == 200
        assert client.deliver([item()]).status == 401  # the key in x-api-key is not looked at
        assert client.request("POST", "/v1/feeds/products").status == 404


def test_the_key_can_change_while_running(client, service):
    client.admin("POST", "/settings", {"api_key": "rotated"})

    assert client.deliver([item()]).status == 403
    assert client.deliver([item()], key="rotated").status == 200
