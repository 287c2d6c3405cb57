"""The comparison of a feed's rows with a destination's holdings: missing, stale, orphaned, pending, in sync."""
from __future__ import annotations

from chalicelib.domain.feed import RowKey
from chalicelib.domain.feeds import feed_named
from chalicelib.domain.holdings import HeldItem
from chalicelib.domain.reconciliation import (
    ACTION_LIMIT,
    MISSING,
    ORPHANED,
    STALE,
    SourceEntry,
    SourceIndex,
    compare,
)
from chalicelib.domain.reconciliation_report import DELETE, RESEND, start_report
from chalicelib.domain.runs import utcnow

H1, H2 = "11" * 16, "22" * 16


def _index(*entries: SourceEntry, feed: str = "products") -> SourceIndex:
    index = SourceIndex.for_feed(feed_named(feed))
    for entry in entries:
        index.add(entry)
    return index


def _held(sku: str, view: str = "default", hash: str = H1, deleted: bool = False) -> HeldItem:
    return HeldItem((sku, view), hash, "2026-12-01T00:00:00.000Z", deleted)


def test_each_kind_of_difference_is_found_with_its_row_key():
    index = _index(SourceEntry(RowKey("A", "default"), H1, False),  # in sync
                   SourceEntry(RowKey("B", "default"), H1, False),  # stale
                   SourceEntry(RowKey("C", "default"), H1, False),  # missing
                   SourceEntry(RowKey("D", "default"), H1, True),  # deleted at the source, still held: orphaned
                   SourceEntry(RowKey("E", "default"), H1, False))  # held as a deletion: missing
    held = [_held("A"), _held("B", hash=H2), _held("D"), _held("E", deleted=True), _held("Z")]  # Z: no row at all
    result = compare(index, held)
    assert (result.source_rows, result.source_deletions, result.held, result.in_sync) == (4, 1, 5, 1)
    ids = {kind: sorted(item["id"] for item in found.items) for kind, found in result.found.items()}
    assert ids == {MISSING: ["C", "E"], STALE: ["B"], ORPHANED: ["D", "Z"]}
    assert result.found[ORPHANED].items[0] == {"identity": ["D", "default"], "id": "D", "scope": "default"}
    assert not result.clean


def test_a_deletion_held_for_a_deleted_row_and_an_unheld_deleted_row_are_in_sync():
    index = _index(SourceEntry(RowKey("A", "default"), H1, True), SourceEntry(RowKey("B", "default"), H1, True))
    result = compare(index, [_held("A", deleted=True)])
    assert result.clean and result.in_sync == 1


def test_rows_still_to_be_sent_are_pending_not_differences():
    index = _index(SourceEntry(RowKey("A", "default"), H1, False), SourceEntry(RowKey("B", "default"), H2, False))
    result = compare(index, [_held("B", hash=H1)], pending={RowKey("A", "default"), RowKey("B", "default")})
    assert result.clean and result.pending == 2


def test_counts_go_on_past_the_items_kept_for_the_actions():
    index = _index(*(SourceEntry(RowKey(f"S{n:05d}", "default"), H1, False) for n in range(ACTION_LIMIT + 20)))
    result = compare(index, [])
    assert result.found[MISSING].count == ACTION_LIMIT + 20
    assert len(result.found[MISSING].items) == ACTION_LIMIT


def test_an_identity_hashed_from_the_key_maps_back_to_the_row_only_when_a_row_names_it():
    variants = feed_named("variants")
    kept, gone = RowKey("CHILD-1", "PARENT-1"), RowKey("CHILD-2", "PARENT-1")
    index = _index(SourceEntry(kept, H1, True), feed="variants")
    result = compare(index, [HeldItem(variants.identity_values(kept), H1, None, False),
                             HeldItem(variants.identity_values(gone), H1, None, False)])
    orphans = result.found[ORPHANED].items
    assert [item["id"] for item in orphans] == ["CHILD-1", None]


def test_a_report_acts_on_what_it_kept_missing_and_stale_resent_orphans_deleted():
    index = _index(SourceEntry(RowKey("B", "default"), H1, False), SourceEntry(RowKey("C", "default"), H1, False))
    report = start_report("products", "cli", "memory", utcnow())
    report.record(compare(index, [_held("B", hash=H2), _held("Z")]), "2026-12-06T00:00:00.000Z")
    assert report.status == "done" and report.counts == {MISSING: 1, STALE: 1, ORPHANED: 1}
    assert sorted(report.keys_for(RESEND)) == [RowKey("B", "default"), RowKey("C", "default")]
    assert report.keys_for(DELETE) == [RowKey("Z", "default")]
    assert report.view()["actionable"] == {RESEND: 2, DELETE: 1}
