"""Faults on deliveries: 429 with Retry-After, 5xx, slow answers, dropped connections, a body-size limit."""
from __future__ import annotations

import time

import pytest
import urllib3

from .conftest import item


def test_throttling_answers_429_with_retry_after_then_recovers(client, service):
    service.faults.throttle(2, retry_after=3)

    first, second, third = (client.deliver([item()]) for _ in range(3))

    assert first.status == second.status == 429
    assert first.headers["Retry-After"] == "3" and first.json == {"message": "Too Many Requests"}
    assert third.status == 200
    assert service.faults.pending == 0 and service.faults.injected == 2
    assert [d.status for d in service.deliveries] == [429, 429, 200]
    assert service.receive_count("PRD-000001", "default") == 1


@pytest.mark.parametrize("status, text", [(500, "Internal server error"), (502, "Bad Gateway"),
                                          (503, "Service Unavailable"), (504, "Endpoint request timed out")])
def test_server_errors(client, service, status, text):
    service.faults.fail(1, status=status)

    reply = client.deliver([item()])

    assert reply.status == status and reply.json == {"message": text}
    assert "Retry-After" not in reply.headers
    assert service.held("PRD-000001", "default") is None


def test_a_503_may_carry_retry_after(client, service):
    service.faults.fail(1, status=503, retry_after=0.5)

    assert client.deliver([item()]).headers["Retry-After"] == "0.5"


def test_only_5xx_statuses_can_be_injected(service):
    with pytest.raises(ValueError):
        service.faults.fail(1, status=404)


def test_faults_come_before_the_key_check(client, service):
    service.faults.throttle(1)

    assert client.deliver([item()], key=None).status == 429


def test_slow_answers(client, service):
    service.faults.latency = 0.3

    started = time.monotonic()
    slow = client.deliver([item()])
    elapsed = time.monotonic() - started
    timed_out = None
    try:
        client.deliver([item()], timeout=0.1)
    except urllib3.exceptions.ReadTimeoutError as error:
        timed_out = error

    assert slow.status == 200 and elapsed >= 0.3
    assert timed_out is not None
    service.faults.latency = 0
    assert client.query("PRD-000001", "default").status == 200  # queries never wait


def test_dropped_connection_stores_nothing(client, service):
    service.faults.drop(1)

    with pytest.raises(urllib3.exceptions.ProtocolError):
        client.deliver([item()])

    assert service.held("PRD-000001", "default") is None
    assert service.deliveries[-1].status is None
    assert client.deliver([item()]).status == 200


def test_dropped_after_storing_the_batch_is_held_and_the_redelivery_counted(client, service):
    service.faults.drop(1, after_storing=True)

    with pytest.raises(urllib3.exceptions.ProtocolError):
        client.deliver([item()])
    assert service.held("PRD-000001", "default") is not None
    client.deliver([item()])  # the exporter's retry

    assert service.receive_count("PRD-000001", "default") == 2
    delivery = service.deliveries[0]
    assert (delivery.status, delivery.accepted) == (None, 1)


def test_too_large_bodies_are_413(client, service):
    service.faults.too_large_bytes = 2_000  # the body as sent: compressed when gzip
    big = [item(f"SKU-{n}") for n in range(30)]

    reply = client.deliver(big, gzip=False)

    assert reply.status == 413 and "over the limit of 2000" in reply.json["message"]
    assert service.items() == []
    assert client.deliver([item()]).status == 200  # a small batch passes


def test_queued_faults_are_used_in_order_and_reset_clears_them(client, service):
    service.faults.fail(1, status=502).throttle(1, retry_after=2).drop(1)
    assert service.faults.pending == 3

    assert client.deliver([item()]).status == 502
    assert client.deliver([item()]).status == 429
    service.faults.reset()

    assert client.deliver([item()]).status == 200
    assert service.faults.state()["queued"] == []


def test_faults_do_not_touch_queries(client, service):
    client.deliver([item()])
    service.faults.throttle(1)

    assert client.query("PRD-000001", "default").status == 200
    assert service.faults.pending == 1
