"""The trigger queue's message: what the adapter sends is what the services decode (one codec)."""
from __future__ import annotations

import pytest

from chalicelib.domain import trigger_message
from chalicelib.domain.trigger_message import TriggerMessage


def test_a_sync_request_decodes_to_its_feed_and_time():
    body = trigger_message.sync_request("products", "2026-11-22T10:00:00.000Z")
    assert trigger_message.decode(body) == TriggerMessage("products", None, "2026-11-22T10:00:00.000Z")


def test_a_forced_run_decodes_to_its_run_id():
    body = trigger_message.forced_run("categories", "r-1")
    assert trigger_message.decode(body) == TriggerMessage("categories", "r-1")


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null", '"products"'])
def test_a_body_that_is_no_json_object_decodes_to_nothing(body):
    assert trigger_message.decode(body) is None


@pytest.mark.parametrize("body", ['{"feed": "no-such-feed"}', '{"feed": 7}', "{}"])
def test_a_feed_this_service_does_not_sync_decodes_to_none(body):
    message = trigger_message.decode(body)
    assert message is not None and message.feed is None and message.run_id is None


def test_an_empty_or_non_text_run_id_is_no_forced_run():
    assert trigger_message.decode('{"feed": "products", "run_id": ""}') == TriggerMessage("products")
    assert trigger_message.decode('{"feed": "products", "run_id": 5}') == TriggerMessage("products")
