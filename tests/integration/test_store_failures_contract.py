"""The feed store's record of why a row failed, and the failed rows an operator resends: the in-memory fake
and DynamoDB (moto) agree."""
from chalicelib.domain.feed import EXPORTED, FAILED, INVALID, PENDING, REJECTED, RETRY, RowKey, is_rejected
from chalicelib.ports import ExportMark
from tests.integration.test_store_contract import row, stores  # noqa: F401 - the parametrised fixture

ONE, TWO, THREE, FOUR = (RowKey(f"SKU-000{i}", "default") for i in (1, 2, 3, 4))


def test_each_failed_row_says_why_and_the_failed_rows_are_listed_with_their_documents(stores):  # noqa: F811
    feed, _, _ = stores
    feed.put_rows([row(1), row(2), row(3), row(4)])
    feed.mark_failed([ExportMark(ONE, row(1).hash)], {ONE: "will retry: 503"}, retryable=True)
    feed.mark_failed([ExportMark(TWO, row(2).hash)], {TWO: "invalid: bad name"}, retryable=False)
    feed.record_invalid(THREE, "price is not a number: 'x'", "run-2", {})
    feed.mark_exported([ExportMark(FOUR, row(4).hash)], "2026-11-22T10:00:00.000Z")
    failed = {r.key: r for r in feed.failed_rows()}
    assert {key: (r.export_status, r.failure, r.error) for key, r in failed.items()} == {
        ONE: (FAILED, RETRY, "will retry: 503"), TWO: (FAILED, REJECTED, "invalid: bad name"),
        THREE: (FAILED, INVALID, "price is not a number: 'x'")}
    assert failed[TWO].document == row(2).document and failed[TWO].hash == row(2).hash
    states = feed.states([ONE, TWO, THREE])
    assert [states[key].failure for key in (ONE, TWO, THREE)] == [RETRY, REJECTED, INVALID]
    assert is_rejected(row(2).hash, states[TWO]) and not is_rejected(row(1).hash, states[ONE])


def test_a_rejected_row_rewritten_or_exported_is_no_longer_rejected(stores):  # noqa: F811
    feed, _, _ = stores
    feed.put_rows([row(1), row(2)])
    feed.mark_failed([ExportMark(ONE, row(1).hash), ExportMark(TWO, row(2).hash)],
                     {ONE: "invalid: x", TWO: "invalid: y"}, retryable=False)
    feed.put_rows([row(1, name="changed")])  # the source changed it: pending again
    feed.mark_exported([ExportMark(TWO, row(2).hash)], "2026-11-22T11:00:00.000Z")  # an operator resent it
    states = feed.states([ONE, TWO])
    assert (states[ONE].export_status, states[ONE].failure) == (PENDING, None)
    assert states[TWO].export_status == EXPORTED
    assert not is_rejected(row(2).hash, states[TWO])
    assert list(feed.failed_rows()) == []
