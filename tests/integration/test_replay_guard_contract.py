"""One contract for the change events' replay guard, run against the in-memory fake and DynamoDB (moto)."""
import pytest

from chalicelib.adapters.dynamo_models import ControlModel
from chalicelib.adapters.dynamo_replay import DynamoEventReplayGuard
from tests.fakes import InMemoryEventReplayGuard

EXPIRES_AT = 1_800_000_300
DIGEST = "9f" * 32


@pytest.fixture(params=["memory", "dynamodb"])
def guard(request):
    if request.param == "memory":
        return InMemoryEventReplayGuard()
    request.getfixturevalue("aws")
    return DynamoEventReplayGuard()


def test_a_signature_is_used_once(guard):
    assert guard.first_use(DIGEST, EXPIRES_AT) is True
    assert guard.first_use(DIGEST, EXPIRES_AT) is False
    assert guard.first_use(DIGEST, EXPIRES_AT + 60) is False  # whatever the expiry a replay claims
    assert guard.first_use("0f" * 32, EXPIRES_AT) is True  # another signature is another event


def test_a_forgotten_signature_may_be_used_again(guard):
    assert guard.first_use(DIGEST, EXPIRES_AT)
    guard.forget(DIGEST)
    assert guard.first_use(DIGEST, EXPIRES_AT) is True
    guard.forget("never seen")  # forgetting what is not there is no error


def test_in_dynamodb_the_record_expires_with_the_signature(aws):
    DynamoEventReplayGuard().first_use(DIGEST, EXPIRES_AT)
    item = ControlModel.get(f"signature#{DIGEST}", consistent_read=True)
    assert int(item.expires.timestamp()) == EXPIRES_AT  # the table's TTL attribute: deleted once stale
