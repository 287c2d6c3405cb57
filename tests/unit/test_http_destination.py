"""The HTTP destination's decisions, on a scripted connection pool (no network): the request it makes, how it
reads each answer, when it retries and when it gives up."""
from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import urllib3

from chalicelib.adapters.http_destination import HttpDestination
from chalicelib.credentials import CredentialsError
from chalicelib.domain.backoff import retry_after_seconds
from chalicelib.domain.batching import decode, pack
from chalicelib.domain.budget import Deadline
from chalicelib.domain.errors import DestinationError, Failure
from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds.products import build_row
from tests.fakes import VIEWS, product

VIEWS_BY_CODE = {view.code: view for view in VIEWS}
URL = "https://ingest.example.com/v1/feeds/products"
KEY = "s3cr3t-key-value"


class Reply:
    def __init__(self, status, body=b"", headers=None):
        self.status = status
        self.data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = headers or {"Content-Type": "application/json"}


class ScriptedPool:
    """Answers each request with the next reply (or raises it); keeps what was sent."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.sent = []

    def request(self, method, url, body=None, headers=None, timeout=None, retries=None):
        self.sent.append({"method": method, "url": url, "headers": headers, "timeout": timeout,
                          "payload": json.loads(gzip.decompress(body))})
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def batch(n=3):
    rows = [build_row(product(i, "default"), VIEWS_BY_CODE) for i in range(n)]
    [message] = pack("products", "20261122T100000Z-abcdef", rows, 50, 240_000, "2026-11-22T10:00:00.000Z")
    return decode(message)


def destination(pool, key=lambda: KEY, sleeps=None, budget=10.0):
    return HttpDestination(URL, key, "x-api-key", timeout_seconds=5, budget_seconds=budget, pool=pool,
                           sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_a_batch_is_one_gzip_post_with_the_key_and_the_batch_id():
    pool = ScriptedPool(Reply(200, {"accepted": 3, "errors": []}))
    assert destination(pool).deliver(batch(), "2026-11-22T10:00:00.000Z") == {}
    [sent] = pool.sent
    assert (sent["method"], sent["url"]) == ("POST", URL)
    headers = sent["headers"]
    assert headers["x-api-key"] == KEY and headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Catalog-Sync-Batch"] == "20261122T100000Z-abcdef/00001"
    payload = sent["payload"]
    assert (payload["feed"], payload["batchId"]) == ("products", "20261122T100000Z-abcdef/00001")
    assert [item["sku"] for item in payload["items"]] == ["SKU-0000", "SKU-0001", "SKU-0002"]
    assert payload["items"][0]["modifiedAt"] == "2026-11-22T10:00:00.000Z"
    assert payload["items"][0]["updatedAt"] == "2026-01-01T00:00:00.000Z"


def test_an_empty_2xx_accepts_every_row():
    assert destination(ScriptedPool(Reply(204))).deliver(batch(), "t") == {}


def test_errors_naming_rows_that_were_not_sent_are_ignored():
    pool = ScriptedPool(Reply(200, {"errors": [{"sku": "OTHER", "storeViewCode": "default", "reason": "x"},
                                               {"sku": "SKU-0001", "storeViewCode": "default"}, "junk"]}))
    assert destination(pool).deliver(batch(), "t") == {
        RowKey("SKU-0001", "default"): Failure("destination.rejected", "rejected by the destination")}


def test_a_400_naming_no_rows_fails_the_batch_for_good():
    with pytest.raises(DestinationError) as error:
        destination(ScriptedPool(Reply(400, {"message": "the body is not JSON"}))).deliver(batch(), "t")
    assert str(error.value) == "the destination refused the batch (400): the body is not JSON"
    assert (error.value.retryable, error.value.next_sync) == (False, False)


def test_a_second_400_fails_the_rows_it_leaves_unnamed_with_its_message():
    first = Reply(400, {"message": "1 invalid", "errors": [
        {"sku": "SKU-0000", "storeViewCode": "default", "reason": "invalid: name"}]})
    second = Reply(400, {"message": "still invalid", "errors": [
        {"sku": "SKU-0001", "storeViewCode": "default", "reason": "invalid: price"}]})
    pool = ScriptedPool(first, second)
    assert destination(pool).deliver(batch(), "t") == {
        RowKey("SKU-0000", "default"): Failure("destination.rejected", "invalid: name"),
        RowKey("SKU-0001", "default"): Failure("destination.rejected", "invalid: price"),
        RowKey("SKU-0002", "default"): Failure("destination.refused",
                                               "the destination refused the batch (400): still invalid")}
    assert [len(sent["payload"]["items"]) for sent in pool.sent] == [3, 2]  # sent again once, not a third time


@pytest.mark.parametrize("status, next_sync, text", [
    (401, True, "the destination refused the API key (401): check DESTINATION_API_KEY"),
    (403, True, "the destination refused the API key (403)"),
    (404, True, "the destination has no ingestion endpoint at DESTINATION_URL (404): check https://"),
    (413, False, "the batch is too large for the destination (413): lower BATCH_MAX_BYTES"),
    (422, False, "the destination refused the batch (422): nope"),
])
def test_answers_that_fail_the_whole_batch_at_once(status, next_sync, text):
    pool = ScriptedPool(Reply(status, {"message": "nope"}))
    with pytest.raises(DestinationError) as error:
        destination(pool).deliver(batch(), "t")
    assert str(error.value).startswith(text)
    assert (error.value.retryable, error.value.next_sync) == (False, next_sync)
    assert len(pool.sent) == 1 and KEY not in str(error.value)


def test_a_2xx_that_is_not_the_ingestion_apis_answer_leaves_the_rows_for_the_next_sync():
    pool = ScriptedPool(Reply(200, b"<html>Sign in</html>", {"Content-Type": "text/html"}))
    with pytest.raises(DestinationError) as error:
        destination(pool).deliver(batch(), "t")
    assert str(error.value).startswith("the destination's answer is not the ingestion API's (200, text/html): "
                                       "check DESTINATION_URL")
    assert error.value.next_sync


def test_transient_failures_are_retried_with_growing_jittered_pauses():
    sleeps = []
    pool = ScriptedPool(Reply(503), urllib3.exceptions.ReadTimeoutError(None, URL, "slow"),
                        urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError()),
                        urllib3.exceptions.NewConnectionError(None, "refused"), Reply(502), Reply(200, {}))
    assert destination(pool, sleeps=sleeps, budget=100).deliver(batch(), "t") == {}
    assert len(pool.sent) == 6 and len(sleeps) == 5
    assert all(0 <= pause <= min(20, 0.5 * 2 ** n) for n, pause in enumerate(sleeps, start=1))


def test_retry_after_is_a_floor_for_the_pause():
    sleeps = []
    pool = ScriptedPool(Reply(429, headers={"Retry-After": "3"}), Reply(200, {}))
    destination(pool, sleeps=sleeps).deliver(batch(), "t")
    assert sleeps[0] >= 3


def test_retry_after_beyond_the_budget_gives_up_at_once_and_says_so():
    sleeps = []
    pool = ScriptedPool(Reply(429, headers={"Retry-After": "60"}))
    with pytest.raises(DestinationError) as error:
        destination(pool, sleeps=sleeps, budget=5).deliver(batch(), "t")
    assert error.value.retryable and sleeps == []
    assert str(error.value).startswith("the destination answered 429: Retry-After 60 s is beyond the time left")
    assert "gave up after 1 attempt in" in str(error.value)


def test_each_request_waits_no_longer_than_the_time_left():
    pool = ScriptedPool(Reply(200, {}))
    destination(pool).deliver(batch(), "t", Deadline.after(2.0))
    assert pool.sent[0]["timeout"].total <= 2.0


def test_no_time_left_sends_nothing_and_the_message_goes_back():
    pool = ScriptedPool()
    with pytest.raises(DestinationError, match="no time left to deliver the batch") as error:
        destination(pool).deliver(batch(), "t", Deadline.after(0.1))
    assert error.value.retryable and pool.sent == []


def test_a_key_that_cannot_be_read_leaves_the_rows_for_the_next_sync():
    def missing():
        raise CredentialsError("missing credentials: DESTINATION_API_KEY (set them in the environment)")
    pool = ScriptedPool()
    with pytest.raises(DestinationError) as error:
        destination(pool, key=missing).deliver(batch(), "t")
    assert str(error.value).startswith("the destination's API key cannot be read: missing credentials")
    assert error.value.next_sync and pool.sent == []


def test_the_key_is_never_in_its_repr():
    assert KEY not in repr(destination(ScriptedPool()))


def test_retry_after_in_seconds_or_as_an_http_date():
    assert retry_after_seconds("2.5") == 2.5
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after_seconds(later) <= 30
