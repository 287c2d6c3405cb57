"""Client input within bounds: JSON bodies of bounded size and depth, and quotes of at most ~100 characters."""
import pytest

from chalicelib.domain.client_input import MAX_JSON_DEPTH, clipped, parse_json, quoted
from chalicelib.domain.errors import BodyTooLargeError, InvalidRequestError


@pytest.mark.parametrize("raw, value", [
    (b'{"mode": "full"}', {"mode": "full"}),
    (b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH, [[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]),
    (b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', {"a": "[" * 44}),
    (b'{"a": "\\\\", "b": ["\\"[[["]}', {"a": "\\", "b": ['"[[[']}),
])
def test_json_within_the_bounds_is_parsed(raw, value):
    assert parse_json(raw, 1000) == value


@pytest.mark.parametrize("raw, reason", [
    (b"[" * 100_000 + b"]" * 100_000, "the body nests deeper than 16 levels"),
    (b'{"a":' * 17 + b"1" + b"}" * 17, "the body nests deeper than 16 levels"),
    (b"[" * 17, "the body nests deeper than 16 levels"),
    (b'"\\"' + b"[" * 100_000, "the body is not JSON"),  # an escaped quote does not end the string
    (b"not json", "the body is not JSON"),
    (b"\xff", "the body is not JSON"),
    (b"1" * 5000, "the body is not JSON"),  # past Python's 4,300-digit limit: refused, not an error of its own
])
def test_deep_or_broken_json_is_refused_without_recursing(raw, reason):
    with pytest.raises(InvalidRequestError) as refused:
        parse_json(raw, 10**6)
    assert str(refused.value) == reason


def test_a_body_past_the_size_bound_is_refused_before_it_is_read():
    with pytest.raises(BodyTooLargeError) as refused:
        parse_json(b"[" * 2000, 1999)
    assert str(refused.value) == "the body is 2,000 bytes; at most 1,999 are accepted"


def test_quotes_are_cut_at_about_a_hundred_characters_with_the_size_said():
    assert quoted("full") == "'full'"
    assert quoted("m" * 10_000_000) == repr("m" * 100) + "… (10,000,000 characters)"
    assert quoted(list(range(1000))).endswith("… (a list)") and len(quoted(list(range(1000)))) < 120
    assert quoted(None) == "None" and quoted(12) == "12"
    assert clipped("a, b") == "a, b" and clipped("x" * 500) == "x" * 100 + "… (500 characters)"
