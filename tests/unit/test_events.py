"""Change events in the domain: bodies, dirty entries and the debounce window (signatures:
test_event_signatures.py)."""
import json
from datetime import UTC, datetime

import pytest

from chalicelib.domain.events import (
    ChangeEvent,
    DirtyEntry,
    InvalidEventError,
    parse_event,
    request_window_start,
)


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_a_valid_event_keeps_its_lists_and_the_feed_defaults_to_products():
    event = parse_event(body(skus=["A", "B"], ids=[7], deleted_skus=["C"]))
    assert event == ChangeEvent("products", ("A", "B"), (7,), ("C",))
    assert parse_event(body(feed="products", ids=[1])).ids == (1,)


@pytest.mark.parametrize("raw, reason", [
    (b"not json", "the body is not JSON"),
    (b"", "the body is not JSON"),
    (b"\xff\xfe\xfa", "the body is not JSON"),
    (b'["A"]', "the body must be a JSON object"),
    (body(), "the event is empty: give at least one of skus, ids, deleted_skus"),
    (body(skus=[], ids=[]), "the event is empty"),
    (body(skus="A"), "skus must be a list"),
    (body(ids={"a": 1}), "ids must be a list"),
    (body(skus=[""]), "skus must hold non-empty strings; got ''"),
    (body(skus=["  "]), "skus must hold non-empty strings"),
    (body(skus=[12]), "skus must hold non-empty strings; got 12"),
    (body(deleted_skus=[None]), "deleted_skus must hold non-empty strings; got None"),
    (body(skus=["x" * 65]), "skus holds a SKU longer than 64 characters"),
    (body(ids=[0]), "ids must hold positive integers; got 0"),
    (body(ids=[-3]), "ids must hold positive integers; got -3"),
    (body(ids=["12"]), "ids must hold positive integers; got '12'"),
    (body(ids=[1.5]), "ids must hold positive integers; got 1.5"),
    (body(ids=[True]), "ids must hold positive integers; got True"),
    (body(skus=[f"S{i}" for i in range(600)], ids=list(range(1, 402))), "too many entries: 1001 (at most 1000"),
    (body(feed="stocks", skus=["A"]), "unknown feed 'stocks'; valid feeds: products, productAttributes, "
                                             "categories, variants, prices, inventoryStockStatus"),
    (body(sku=["A"]), "unknown fields: sku; expected feed, skus, ids, deleted_skus"),
    (b'{"skus": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "the body nests deeper than 16 levels"),
    (body(ids=[2**63]), "ids must hold positive integers of at most 9223372036854775807; got 9223372036854775808"),
    (b'{"ids": [' + b"9" * 5000 + b"]}", "the body is not JSON"),
    (body(skus=["A\u0000B"]), "skus holds a SKU with a control character or a lone surrogate: 'A\\x00B'"),
    (b'{"skus": ["A\\ud800"]}', "skus holds a SKU with a control character or a lone surrogate"),
    (body(feed=["products"], skus=["A"]), "unknown feed ['products']; valid feeds: products"),
    (body(feed="p" * 10_000, skus=["A"]), "unknown feed 'ppppp"),
])
def test_a_malformed_body_is_refused_with_its_reason(raw, reason):
    with pytest.raises(InvalidEventError) as error:
        parse_event(raw)
    assert str(error.value).startswith(reason)


def test_a_refusal_quotes_at_most_about_a_hundred_characters_of_the_body():
    with pytest.raises(InvalidEventError) as error:
        parse_event(body(feed="p" * 200_000, skus=["A"]))
    assert "p" * 101 not in str(error.value) and "200,000 characters" in str(error.value)


def test_a_body_over_256_kb_is_refused_as_too_large():
    with pytest.raises(InvalidEventError) as error:
        parse_event(body(skus=["A"], padding="x" * 300_000))
    assert error.value.too_large and str(error.value) == "the body is 300,030 bytes; at most 262,144 are accepted"


def test_a_thousand_entries_and_a_64_character_sku_are_accepted():
    event = parse_event(body(skus=["x" * 64] + [f"S{i}" for i in range(599)], ids=list(range(1, 401))))
    assert len(event.skus) + len(event.ids) == 1000


def test_dirty_entries_are_one_per_distinct_product_key_and_deleted_skus_are_plain_skus():
    event = ChangeEvent("products", ("A", "B", "A"), (7, 7), ("B", "C"))
    entries = event.dirty_entries("t", "m")
    assert entries == [DirtyEntry(sku="A", marked_at="t", mark="m"), DirtyEntry(sku="B", marked_at="t", mark="m"),
                       DirtyEntry(sku="C", marked_at="t", mark="m"), DirtyEntry(product_id=7, marked_at="t", mark="m")]


def test_a_sync_request_goes_stale_after_the_debounce_and_a_grace_period():
    now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert request_window_start(now, 30) == "2026-11-22T09:54:30.000Z"
