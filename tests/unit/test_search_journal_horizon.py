"""A journal entry that lands late (a slow write, a retried one, a paused writer) is never lost by a copy of the
index nor by a compaction, and applying entries late or twice never regresses a row. Fake clock, fake store."""
from chalicelib.search import journal, live, upkeep
from chalicelib.search.live import RECHECK_SECONDS, LiveIndex
from chalicelib.search.rows import STATUS_CODES, IndexRow, search_text
from chalicelib.search.store import JournalRecord
from tests.fakes import InMemorySearchIndexStore

PENDING, SUBMITTED = STATUS_CODES["awaiting_submission"], STATUS_CODES["submitted"]
T0 = 1_800_000_000.0


def row(i, h=1, status=PENDING, name=None):
    sku = f"SKU-{i:04d}"
    name = name or f"Product {i}"
    return IndexRow(sku, "default", search_text(i, sku, name), name, "simple", "Catalog, Search", "Default", 1.0,
                    None, None, status, h, 1_000, 0)


def written(*rows):
    return journal.encode(journal.RowsWritten(tuple(rows)))


def marked(i, h, status=SUBMITTED, at=5_000):
    return journal.encode(journal.RowsMarked(status, at, ((f"SKU-{i:04d}", "default", h),)))


class Store(InMemorySearchIndexStore):
    """The fake, counting the journal's reads, and able to land an entry late: stamped at one time, visible from a
    later one (as a slow or retried write is)."""

    def __init__(self):
        super().__init__()
        self.reads = 0
        self.records_read = 0
        self.snapshot_reads = 0

    def read(self, snapshot):
        self.snapshot_reads += 1
        return super().read(snapshot)

    def journal(self, after=None):
        found = super().journal(after)
        self.reads += 1
        self.records_read += len(found)
        return found

    def land_late(self, stamped_at: float, data: bytes, writer: str = "slow") -> str:
        """An entry stamped at ``stamped_at`` that becomes visible now."""
        position = f"{int(stamped_at * 1000):013d}#{writer}#{len(self.entries) + 1:010d}"
        self.entries.append(JournalRecord(position, data))
        self.entries.sort(key=lambda record: record.position)
        return position


def copy_of(store):
    return LiveIndex(store, clock=lambda: store.now)


def at(store, seconds):
    store.now = T0 + seconds


def skus(index):
    return {index.sku(r) for r in range(len(index))}


def test_an_entry_landing_late_behind_a_newer_one_is_still_applied():
    store = Store()
    at(store, 0)
    store.append([written(row(1))])
    live = copy_of(store)
    assert skus(live.current()) == {"SKU-0001"}
    # A slow writer stamps row 2 at 1 s; meanwhile a fast one writes row 3 at 7 s, which the copy sees.
    at(store, 7)
    store.append([written(row(3))])
    at(store, 7.5)
    assert skus(live.current()) == {"SKU-0001", "SKU-0003"}
    at(store, 8)  # row 2's write lands 7 s after its stamp (within the writers' bound)
    store.land_late(T0 + 1, written(row(2)))
    for step in range(1, 30):  # searches for the next 15 s: the copy must pick row 2 up
        at(store, 8 + step / 2)
        live.current()
    assert skus(live.current()) == {"SKU-0001", "SKU-0002", "SKU-0003"}


def test_a_copy_idle_for_long_still_applies_an_entry_that_landed_late_meanwhile():
    store = Store()
    at(store, 0)
    store.append([written(row(1))])
    live = copy_of(store)
    live.current()
    at(store, 9)
    store.append([written(row(3))])
    at(store, 9.2)
    live.current()  # sees row 3 (stamped 9 s), not yet row 2 (stamped 3 s, landing at 9.5 s)
    at(store, 9.5)
    store.land_late(T0 + 3, written(row(2)))
    at(store, 3600)
    assert skus(live.current()) == {"SKU-0001", "SKU-0002", "SKU-0003"}


def test_a_compaction_does_not_lose_an_entry_that_lands_after_it():
    store = Store()
    at(store, 0)
    store.append([written(row(1))])
    upkeep.compact_search_index(store)
    at(store, 10)
    store.append([written(row(3))])  # the compaction's copy sees this one...
    at(store, 11)
    upkeep.compact_search_index(store)
    at(store, 12)
    store.land_late(T0 + 4, written(row(2)))  # ...and not this one, stamped before it, landing after
    fresh = copy_of(store)
    assert skus(fresh.current()) == {"SKU-0001", "SKU-0002", "SKU-0003"}


def test_an_entry_applied_late_does_not_undo_a_later_one_about_the_same_row():
    store = Store()
    at(store, 0)
    store.append([written(row(1, h=1, status=SUBMITTED))])
    live = copy_of(store)
    live.current()
    # The row's new version (hash 2) is written at 1 s, but its entry lands at 4 s; its export's mark (stamped
    # at 2 s) is seen first, while the copy still holds version 1: it applies to nothing yet.
    at(store, 2)
    store.append([marked(1, h=2)])
    at(store, 2.5)
    live.current()
    at(store, 4)
    store.land_late(T0 + 1, written(row(1, h=2, status=PENDING, name="Renamed")))
    at(store, 6)
    index = live.current()
    assert (index.name(0), index.hash32[0], index.status[0]) == ("Renamed", 2, SUBMITTED)


def test_an_entry_seen_twice_or_written_twice_is_applied_in_position_order():
    store = Store()
    at(store, 0)
    store.append([written(row(1, h=1))])
    at(store, 1)
    store.append([written(row(1, h=2, name="Second"))])  # a retried write that did land: a second copy
    at(store, 2)
    store.append([marked(1, h=2)])
    live = copy_of(store)
    live.current()
    at(store, 3)
    store.land_late(T0 + 0.5, written(row(1, h=2, name="Second")))  # the first attempt lands after all
    for step in range(1, 10):
        at(store, 3 + step)
        index = live.current()
        assert (index.name(0), index.status[0]) == ("Second", SUBMITTED)


def test_a_catch_up_reads_the_journal_once_and_rereads_a_bounded_window():
    store = Store()
    at(store, 0)
    live = copy_of(store)
    live.current()
    catch_ups = 0
    rechecks = []
    for tick in range(1, 241):  # a busy minute: an entry every half second, four searches a second
        at(store, tick / 4)
        if tick % 2 == 0:
            store.append([written(row(tick))])
        before = store.records_read
        live.current()
        catch_ups += 1
        rechecks.append(store.records_read - before)
    assert store.reads == catch_ups + 1  # one Query per catch-up (and one for the first load)
    window = (journal.SETTLE_LAG_MS / 1000 + RECHECK_SECONDS) * 2 + 2  # entries in it: two a second
    assert max(rechecks) <= window
    assert len(live.current()) == 120


def test_a_marker_of_an_older_snapshot_replayed_behind_a_copys_own_does_not_reload_it(monkeypatch):
    monkeypatch.setattr(live, "RELOAD_DRIFT", -1.0)  # any drift: a copy that sees a newer snapshot loads it
    store = Store()
    at(store, 0)
    store.append([written(*(row(i) for i in range(10)))])
    upkeep.compact_search_index(store)
    at(store, 5)
    store.append([written(*(row(i, h=2, name=f"Renamed {i}") for i in range(10)))])
    upkeep.compact_search_index(store)  # its settled position lies before the first one's marker
    copy = copy_of(store)
    for step in range(1, 6):
        at(store, 5 + step)
        copy.current()
    assert store.snapshot_reads == 2  # the second compaction's copy, and this one: loaded once
    at(store, 20)
    store.append([written(row(11))])
    upkeep.compact_search_index(store)  # a newer snapshot: the copy loads it
    at(store, 22)
    assert copy.current() is not None and copy.snapshot_id == store.current().snapshot_id
