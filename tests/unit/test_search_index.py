"""The search index, pure: search, facet filters, sort orders, keyset pages, the journal replayed, snapshots."""
import random

import pytest

from chalicelib.domain.feed import RowKey
from chalicelib.search import journal, snapshot
from chalicelib.search.index import ProductIndex
from chalicelib.search.query import InvalidQueryError, parse_query, run_query
from chalicelib.search.rows import NO_TIME, STATUS_CODES, IndexRow, search_text
from chalicelib.search.store import SnapshotError

PENDING, EXPORTED, FAILED, DELETED, NOT_EXPORTED = (STATUS_CODES[s] for s in
                                                    ("awaiting_submission", "submitted", "failed_requires_attention",
                                                     "deleted", "not_exported"))
VIEWS = ("default", "french")


def irow(i, view="default", name=None, status=EXPORTED, type="simple", visibility="Catalog, Search", h=None,
         modified=None, exported=None, sku=None):
    sku = sku or f"SKU-{i:04d}"
    name = name if name is not None else f"Product {i}"
    return IndexRow(sku, view, search_text(i, sku, name), name, type, visibility, "Default", 10.0 + i, None, 3.0,
                    status, h if h is not None else i + 1, modified if modified is not None else 1_000 + i,
                    exported if exported is not None else 2_000 + i)


def catalog(n=20):
    return [irow(i, view) for i in range(n) for view in VIEWS]


def keys(index, page):
    return [index.row_key(row) for row in page.rows]


def query(index, **params):
    return run_query(index, parse_query(index, **params))


def all_pages(index, cursor=None, **params):
    found = []
    while True:
        page = query(index, cursor=cursor, **params)
        found += keys(index, page)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


# Search

def test_search_is_a_case_insensitive_partial_match_on_product_id_sku_or_name():
    index = ProductIndex.from_rows([irow(1, name="Classic Hoodie"), irow(2, name="Urban TEE"), irow(12, name="Straße"),
                                    irow(3, sku="ab-HOODIE-9", name="Other")])
    assert sorted(keys(index, query(index, q="hoodie"))) == [("SKU-0001", "default"), ("ab-HOODIE-9", "default")]
    assert keys(index, query(index, q="  uRBAN t ")) == [("SKU-0002", "default")]
    assert keys(index, query(index, q="sku-0002")) == [("SKU-0002", "default")]
    assert keys(index, query(index, q="12")) == [("SKU-0012", "default")]  # its product id and its SKU
    assert keys(index, query(index, q="STRASSE")) == [("SKU-0012", "default")]  # case folding, not just lower()
    assert query(index, q="nothing like it").total == 0


def test_a_search_never_matches_across_fields_nor_the_store_view():
    index = ProductIndex.from_rows([irow(7, "french", name="Tee")])
    assert query(index, q="french").total == 0  # the store view is a filter, not search text
    assert query(index, q="0007tee").total == 0
    with pytest.raises(InvalidQueryError, match="control characters"):
        parse_query(index, q="a\x1fb")


def test_rows_of_a_product_by_exact_id():
    index = ProductIndex.from_rows([irow(1), irow(1, "french"), irow(11), irow(111)])
    assert sorted(index.row_key(r) for r in index.rows_of_product(1)) == [("SKU-0001", "default"),
                                                                           ("SKU-0001", "french")]
    assert index.rows_of_product(5) == []


# Filters

def test_filters_on_status_store_view_type_and_visibility_combine():
    rows = [irow(0, status=PENDING), irow(1, status=FAILED), irow(1, "french", status=FAILED),
            irow(2, type="bundle", status=FAILED), irow(3, visibility="Not Visible Individually"),
            irow(4, status=DELETED), irow(5, status=NOT_EXPORTED)]
    index = ProductIndex.from_rows(rows)
    assert query(index, status="failed_requires_attention").total == 3
    assert keys(index, query(index, status="failed_requires_attention", store_view="french")) == [("SKU-0001",
                                                                                                   "french")]
    assert keys(index, query(index, status="FAILED_REQUIRES_ATTENTION", type="bundle")) == [("SKU-0002", "default")]
    assert keys(index, query(index, visibility="not visible individually")) == [("SKU-0003", "default")]
    assert keys(index, query(index, status="not exported")) == [("SKU-0005", "default")]
    assert keys(index, query(index, status="deleted")) == [("SKU-0004", "default")]
    assert query(index, type="giftcard").total == 0  # a valid type no row has
    assert query(index, q="product 1", status="failed_requires_attention").total == 2


@pytest.mark.parametrize("params, message", [
    ({"status": "done"}, "status must be one of submitted, awaiting_submission, failed_will_retry, "
                         "failed_requires_attention, deleted, not_exported; got 'done'"),
    ({"sort": "price"}, "sort must be one of last_exported, last_modified, name, sku"),
    ({"order": "up"}, "order must be one of asc, desc"),
    ({"limit": 0}, "limit must be a whole number from 1 to 200; got 0"),
    ({"limit": 201}, "limit must be a whole number from 1 to 200"),
    ({"limit": "ten"}, "limit must be a whole number from 1 to 200"),
    ({"store_view": "german"}, "store_view must be one of default, french; got 'german'"),
    ({"type": "kit"}, "type must be one of bundle, configurable, downloadable, giftcard, grouped, simple, virtual"),
    ({"visibility": "everywhere"}, "visibility must be one of Not Visible Individually, Catalog, Search"),
    ({"q": "x" * 201}, "q must be at most 200 characters"),
])
def test_bad_parameters_are_refused_naming_the_parameter_and_its_valid_values(params, message):
    with pytest.raises(InvalidQueryError, match=message.replace("(", r"\(")) as error:
        parse_query(ProductIndex.from_rows(catalog(2)), **params)
    assert isinstance(error.value, ValueError)


def test_limit_may_come_as_text_from_a_query_string():
    assert parse_query(ProductIndex(), limit="25").limit == 25


# Sort orders and pages

@pytest.mark.parametrize("sort", ["sku", "name", "last_modified", "last_exported"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_every_order_pages_through_every_row_once_in_key_order(sort, order):
    rng = random.Random(sort + order)
    rows = [irow(i, view, name=rng.choice(["Tee", "Hoodie", "Cap", None]), modified=rng.choice([5, 6, NO_TIME]),
                 exported=rng.choice([7, 8, NO_TIME])) for i in range(30) for view in VIEWS]
    index = ProductIndex.from_rows(rows)
    found = all_pages(index, sort=sort, order=order, limit=7)
    expected = sorted(rows, key=lambda r: _key(sort, r), reverse=order == "desc")
    assert found == [(r.sku, r.store_view_code) for r in expected]


def _key(sort, r):
    value = {"sku": r.sku, "name": r.text.split("\x1f")[2], "last_modified": r.last_modified,
             "last_exported": r.last_exported}[sort]
    return value, r.sku, r.store_view_code


def test_a_page_ends_at_a_key_so_rows_added_or_changed_meanwhile_shift_nothing():
    index = ProductIndex.from_rows([irow(i) for i in range(0, 40, 2)])  # even SKUs
    first = query(index, limit=5)
    assert keys(index, first)[-1] == ("SKU-0008", "default")
    index.put(irow(1))  # before the cursor: not seen, and nothing repeats
    index.put(irow(9))  # after it: seen in its place
    index.put(irow(10, name="Renamed"))  # changed: keeps its place in SKU order
    rest = all_pages(index, limit=5, cursor=first.next_cursor)
    assert rest[:3] == [("SKU-0009", "default"), ("SKU-0010", "default"), ("SKU-0012", "default")]
    assert len(rest) == 16 and ("SKU-0001", "default") not in rest


def test_a_cursor_belongs_to_its_query_and_cannot_be_edited():
    index = ProductIndex.from_rows(catalog(10))
    cursor = query(index, limit=3, sort="name").next_cursor
    for bad in (cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"), "not a cursor", "x" * 2000, 42):
        with pytest.raises(InvalidQueryError, match="cursor is not valid"):
            parse_query(index, sort="name", cursor=bad)
    with pytest.raises(InvalidQueryError, match="cursor is not valid"):
        parse_query(index, sort="sku", cursor=cursor)  # another order
    with pytest.raises(InvalidQueryError, match="cursor is not valid"):
        parse_query(index, sort="name", q="product", cursor=cursor)  # another search
    assert parse_query(index, sort="name", cursor=cursor).after is not None


def test_rare_matches_far_along_an_order_are_found_and_counted():
    rows = [irow(i, status=EXPORTED, exported=10_000 + i) for i in range(300)]
    rows += [irow(i, "french", status=PENDING if i < 4 else EXPORTED, exported=NO_TIME if i < 4 else 20_000 + i)
             for i in range(300)]
    index = ProductIndex.from_rows(rows)
    page = query(index, status="awaiting_submission", sort="last_exported", order="desc", limit=3)
    assert (page.total, keys(index, page)) == (4, [("SKU-0003", "french"), ("SKU-0002", "french"),
                                                   ("SKU-0001", "french")])
    assert all_pages(index, status="awaiting_submission", sort="last_exported", order="desc", limit=3)[-1] == \
        ("SKU-0000", "french")
    index.put(irow(500, "french", status=PENDING, exported=NO_TIME))  # an added row: from the overlay
    assert all_pages(index, status="awaiting_submission", sort="last_exported", limit=2)[:2] == [("SKU-0000", "french"),
                                                                                    ("SKU-0001", "french")]
    assert len(all_pages(index, status="awaiting_submission", q="product 50", limit=2)) == 1


# The journal replayed

def test_marks_apply_only_to_the_version_marked_and_move_the_row_in_export_time_order():
    index = ProductIndex.from_rows([irow(1, h=11, status=PENDING), irow(2, h=22, status=PENDING)])
    index.apply(journal.decode(journal.encode(journal.RowsMarked(EXPORTED, 9_000, (("SKU-0001", "default", 11),
                                                                                  ("SKU-0002", "default", 99))))))
    assert keys(index, query(index, status="submitted")) == [("SKU-0001", "default")]
    assert keys(index, query(index, status="awaiting_submission")) == [("SKU-0002",
                                                                        "default")]  # another version was marked
    assert keys(index, query(index, sort="last_exported", order="desc", limit=1)) == [("SKU-0001", "default")]


def test_rows_written_replace_every_value_and_new_rows_join_every_order():
    index = ProductIndex.from_rows(catalog(5))
    index.apply(journal.RowsWritten((irow(3, name="Aardvark", status=PENDING, h=77, modified=99_999),
                                     irow(100, "french", name="Zebra", status=NOT_EXPORTED, type="bundle"))))
    assert keys(index, query(index, sort="name", limit=1)) == [("SKU-0003", "default")]
    assert keys(index, query(index, sort="name", order="desc", limit=1)) == [("SKU-0100", "french")]
    assert keys(index, query(index, sort="last_modified", order="desc", limit=1)) == [("SKU-0003", "default")]
    assert keys(index, query(index, sort="sku", order="desc", limit=1)) == [("SKU-0100", "french")]
    assert keys(index, query(index, q="product 3")) == [("SKU-0003", "french")]  # the old name is gone
    assert keys(index, query(index, q="aardvark")) == [("SKU-0003", "default")]
    assert query(index, type="bundle").total == 1 and len(index) == 11


def test_an_invalid_record_fails_the_row_and_fills_only_what_a_new_row_lacks():
    index = ProductIndex.from_rows([irow(1)])
    index.apply(journal.row_invalid(RowKey("SKU-0001", "default"), {"name": "Other", "product_id": 1}))
    index.apply(journal.row_invalid(RowKey("#9", "default"), {"name": "No Sku", "product_id": 9}))
    assert sorted(keys(index, query(index, status="failed_requires_attention"))) == [("#9", "default"), ("SKU-0001",
                                                                                                         "default")]
    assert keys(index, query(index, q="product 1")) == [("SKU-0001", "default")]
    assert keys(index, query(index, q="no sku")) == [("#9", "default")]


def test_deleted_rows_stay_listed_with_their_state():
    index = ProductIndex.from_rows(catalog(3))
    gone = irow(1, "french", status=PENDING, h=5)  # a deletion is written pending, then marked deleted
    index.apply(journal.RowsWritten((gone,)))
    index.apply(journal.RowsMarked(DELETED, 50_000, (("SKU-0001", "french", 5),)))
    assert keys(index, query(index, status="deleted")) == [("SKU-0001", "french")]
    assert query(index).total == 6


def test_replaying_a_suffix_of_the_journal_changes_nothing():
    entries = [journal.RowsWritten((irow(1, status=PENDING, h=5),)), journal.RowsMarked(FAILED, NO_TIME,
                                                                                        (("SKU-0001", "default", 5),)),
               journal.RowsWritten((irow(1, status=PENDING, h=5),)),
               journal.RowsMarked(EXPORTED, 70_000, (("SKU-0001", "default", 5),))]
    index = ProductIndex.from_rows(catalog(2))
    for entry in entries:
        index.apply(entry)
    for entry in entries[1:]:
        index.apply(entry)
    assert keys(index, query(index, status="submitted", sort="last_exported", order="desc", limit=1)) == \
        [("SKU-0001", "default")]


# Snapshots: a rebuilt index answers as the one kept current by the journal

def test_an_index_kept_current_answers_every_query_as_a_rebuilt_one():
    rng = random.Random(5)
    index = ProductIndex.from_rows(catalog(40))
    for step in range(600):
        i, view = rng.randrange(60), rng.choice(VIEWS)
        action = rng.random()
        if action < 0.4:
            index.put(irow(i, view, name=rng.choice(["Tee", "Cap", f"Product {i}"]), status=rng.randrange(1, 6),
                           h=step, modified=rng.randrange(10_000), exported=rng.choice([NO_TIME, step])))
        else:
            row = index.row_of(f"SKU-{i:04d}", view)
            if row is not None:
                index.mark(f"SKU-{i:04d}", view, index.hash32[row], rng.choice([EXPORTED, FAILED, DELETED]),
                           10_000 + step)
    rebuilt = ProductIndex.from_bytes(index.to_bytes())
    keys = sorted(index.row_key(r) for r in range(len(index)))
    assert keys == sorted(rebuilt.row_key(r) for r in range(len(rebuilt)))
    for sort in ("sku", "name", "last_modified", "last_exported"):
        for order in ("asc", "desc"):
            for params in ({}, {"status": "submitted"}, {"q": "tee"}, {"q": "sku-00", "store_view": "french"},
                           {"status": "failed_requires_attention", "q": "product"}, {"status": "deleted",
                                                                                     "type": "simple"}):
                assert all_pages(index, sort=sort, order=order, limit=13, **params) == \
                    all_pages(rebuilt, sort=sort, order=order, limit=13, **params), (sort, order, params)


def test_a_snapshot_round_trips_and_a_damaged_one_is_refused():
    index = ProductIndex.from_rows([*catalog(10), irow(99, sku="odd\x1dsku")])
    data = index.to_bytes()
    again = ProductIndex.from_bytes(data)
    assert list(again.rows()) == list(index.rows())
    assert again.row_of("odd\x1dsku", "default") is not None
    with pytest.raises(SnapshotError):
        ProductIndex.from_bytes(b"not a snapshot")
    with pytest.raises(SnapshotError):
        ProductIndex.from_bytes(data[:40])


def test_a_snapshot_of_another_version_is_refused():
    data = ProductIndex.from_rows(catalog(2)).to_bytes()
    with pytest.raises(SnapshotError):  # the format before texts per product and per name (format 3)
        ProductIndex.from_bytes(b"CSIX2\n" + data[len(snapshot.MAGIC):])


def test_an_empty_index_answers_nothing():
    index = ProductIndex()
    page = query(index, q="anything", sort="name")
    assert (page.rows, page.total, page.next_cursor) == ([], 0, None)
    assert query(index).total == 0


def test_a_row_exported_again_and_again_keeps_one_place():
    index = ProductIndex.from_rows(catalog(5))
    for at in range(3_000):  # enough superseded overlay entries to be compacted away
        row = index.row_of(f"SKU-{at % 3:04d}", "default")
        index.mark(f"SKU-{at % 3:04d}", "default", index.hash32[row], EXPORTED, 10_000 + at)
    assert all_pages(index, sort="last_exported", order="desc", limit=4)[:4] == [
        ("SKU-0002", "default"), ("SKU-0001", "default"), ("SKU-0000", "default"), ("SKU-0004", "french")]
    assert len(all_pages(index, sort="last_exported", limit=3)) == 10


def test_a_row_shows_its_columns_as_written_and_as_changed():
    index = ProductIndex.from_rows([irow(1, name="Classic HOODIE")])
    assert index.display(0) == {"product_id": 1, "name": "Classic HOODIE", "type": "simple", "attribute_set": "Default",
                                "visibility": "Catalog, Search", "sku": "SKU-0001", "store_view_code": "default",
                                "last_modified": "1970-01-01T00:00:01.001Z",
                                "last_exported_at": "1970-01-01T00:00:02.001Z",
                                "export_status": "submitted", "price": 11.0, "quantity": None, "salable_quantity": 3.0}
    changed = irow(1, name="Renamed", type="bundle", modified=NO_TIME)
    changed.price, changed.attribute_set = None, "Gear"
    index.put(changed)
    index.put(irow(2, "french", name=None))
    shown = index.display(0)
    assert (shown["name"], shown["type"], shown["price"], shown["attribute_set"], shown["last_modified"]) == \
        ("Renamed", "bundle", None, "Gear", None)
    assert index.display(1)["name"] == "Product 2" and index.display(1)["store_view_code"] == "french"
    again = ProductIndex.from_bytes(index.to_bytes())
    assert [again.display(r) for r in range(2)] == [index.display(r) for r in range(2)]
