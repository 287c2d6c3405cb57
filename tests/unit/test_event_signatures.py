"""Change events' signature: HMAC-SHA256 of "<t>.<body>", fresh within 5 minutes of t, refused with the reason."""
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from chalicelib.domain.event_signatures import (
    TOLERANCE_SECONDS,
    InvalidSignatureError,
    Signature,
    sign,
    verify,
)

SECRET = "s3cret"
BODY = b'{"skus": ["A"]}'
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def refusal(header, body=BODY, now=NOW) -> str:
    with pytest.raises(InvalidSignatureError) as refused:
        verify(SECRET, body, header, now)
    return str(refused.value)


def test_the_signature_is_the_hex_hmac_sha256_of_the_time_a_dot_and_the_raw_body():
    digest = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, T) == f"t={T},v1={digest}"
    assert verify(SECRET, BODY, f"t={T},v1={digest}", NOW) == Signature(T, digest)
    assert Signature(T, digest).expires_at == T + TOLERANCE_SECONDS


def test_spaces_other_schemes_and_one_matching_digest_among_several_are_accepted():
    good = sign(SECRET, BODY, T).split(",")[1]
    assert verify(SECRET, BODY, f" t={T} , v0=abc, v1={'0' * 64}, {good}", NOW).timestamp == T


@pytest.mark.parametrize("age", [TOLERANCE_SECONDS, -TOLERANCE_SECONDS, 0])
def test_a_signature_is_fresh_for_five_minutes_either_side_of_t(age):
    assert verify(SECRET, BODY, sign(SECRET, BODY, T - age), NOW).timestamp == T - age


def test_an_old_signature_is_refused_saying_how_old():
    reason = refusal(sign(SECRET, BODY, T - TOLERANCE_SECONDS - 1))
    assert reason.startswith("the signature is 301 s old; an event is accepted within 300 s of its t")


def test_a_signature_from_a_clock_ahead_is_refused_saying_so():
    assert refusal(sign(SECRET, BODY, T + 3600)).startswith("the signature is 3,600 s ahead of this server's clock")


@pytest.mark.parametrize("header, reason", [
    (None, "missing X-Catalog-Sync-Signature: sign each delivery as"),
    ("", "missing X-Catalog-Sync-Signature"),
    ("sha256=" + "0" * 64, "X-Catalog-Sync-Signature is malformed ('sha256="),
    (f"t={T}", "X-Catalog-Sync-Signature is malformed"),
    ("v1=" + "0" * 64, "X-Catalog-Sync-Signature is malformed"),
    (f"t=-{T},v1=00", "X-Catalog-Sync-Signature is malformed"),
    (f"t={'9' * 5000},v1=00", "X-Catalog-Sync-Signature is longer than 600 characters"),
    (f"t={T}.5,v1=00", "X-Catalog-Sync-Signature is malformed"),
    ("t=１２,v1=00", "X-Catalog-Sync-Signature is malformed"),
    (f"t={T},v1={'0' * 64}", "the signature does not match the body and its t"),
    (f"t={T},v1=ü", "the signature does not match the body and its t"),
    (sign("another secret", BODY, T), "the signature does not match"),
    (sign(SECRET, BODY + b" ", T), "the signature does not match"),
    (sign(SECRET, BODY, T - 1).replace(f"t={T - 1}", f"t={T}"), "the signature does not match"),
])
def test_a_missing_malformed_or_wrong_signature_is_refused_with_the_reason(header, reason):
    assert refusal(header).startswith(reason)


def test_an_old_and_wrong_signature_is_called_wrong_first():
    assert refusal(f"t={T - 86_400},v1={'0' * 64}").startswith("the signature does not match")


def test_a_malformed_header_is_quoted_at_most_in_part():
    assert len(refusal("x" * 590)) < 400
