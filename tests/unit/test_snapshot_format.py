"""The snapshot's format (4): read-only integer sections stored raw and read in place, as typed views of the
snapshot's bytes (no decompression, no copy); the columns the index changes are copies; every section decodes to
what was built."""
import sys
import types
from array import array

import pytest

from chalicelib.search import snapshot
from chalicelib.search.index import ProductIndex
from chalicelib.search.snapshot import ALIGN, MAGIC
from chalicelib.search.store import Arriving, SnapshotError
from tests.unit.test_search_index import EXPORTED, catalog, irow, query

SECTIONS = [(name, kind, codec) for name, kind, codec in snapshot._SECTIONS]


def values(section):
    """A section's bytes in this machine's order (compared as bytes: a price may be NaN, which equals nothing)."""
    return bytes(memoryview(section).cast("B"))


def built_and_decoded(rows=None):
    built = snapshot.build(rows if rows is not None else [*catalog(30), irow(99, name="Ünïcode ™ tee")])
    data = snapshot.encode(built)
    return built, data, snapshot.decode(data)


def test_every_section_decodes_to_what_was_built():
    built, _, decoded = built_and_decoded()
    for name, _, _ in SECTIONS:
        assert values(decoded.section(name)) == values(built.section(name)), name
    assert (decoded.views, decoded.types, decoded.rows) == (built.views, built.types, built.rows)


def test_read_only_sections_are_views_of_the_snapshot_bytes_and_cannot_be_changed():
    _, data, decoded = built_and_decoded()
    views = {name: kind.split(":")[1] for name, kind, _ in SECTIONS if kind.startswith("view:")}
    assert set(views) >= {"perm_name", "perm_modified", "perm_exported", "rank_name", "rank_modified",
                          "rank_exported", "shown_offsets", "run_rows"}
    for name in views:
        section = decoded.section(name)
        assert isinstance(section, memoryview) and section.readonly, name
        assert section.format == views[name], name
        with pytest.raises(TypeError):
            section[0] = 1
    raw = [name for name, kind, codec in SECTIONS if codec == "raw" and kind.startswith("view:")]
    for name in raw:  # no copy: the very bytes of the snapshot
        assert decoded.section(name).obj is data, name


def test_raw_sections_start_at_aligned_offsets_in_the_snapshot():
    built, data, _ = built_and_decoded()
    for name, _, codec in SECTIONS:
        if codec == "raw" and len(memoryview(built.section(name)).cast("B")):
            section = bytes(memoryview(built.section(name)).cast("B"))
            at = data.find(section, len(MAGIC))
            while at % ALIGN:  # the same bytes may also occur earlier, unaligned: find the section's own place
                at = data.find(section, at + 1)
                assert at >= 0, name
            assert at % ALIGN == 0, name


def test_the_columns_the_index_changes_are_copies_and_change():
    _, _, decoded = built_and_decoded()
    for name in ("status", "view", "type", "visibility", "attribute_set", "status@name"):
        assert isinstance(decoded.section(name), bytearray), name
    for name in ("hash32", "price", "quantity", "salable_quantity"):
        assert isinstance(decoded.section(name), array), name
    index = ProductIndex(decoded)
    assert isinstance(index.last_exported, array) and isinstance(index.last_modified, array)
    row = index.row_of("SKU-0003", "default")
    assert index.mark("SKU-0003", "default", index.hash32[row], EXPORTED, 99_999)
    assert index.last_exported[row] == 99_999 and decoded.last_exported[row] == 2_003  # the base value stays
    index.put(irow(3, name="Renamed hoodie", h=77))  # a new version of a base row
    index.put(irow(500, name="A new hoodie"))  # a row added after the snapshot
    assert [index.row_key(r) for r in query(index, q="hoodie", sort="name").rows] == [
        ("SKU-0500", "default"), ("SKU-0003", "default")]
    assert index.hash32[row] == 77


def test_an_index_from_a_snapshot_still_arriving_reads_the_views_in_place():
    _, data, _ = built_and_decoded()
    arriving = Arriving(len(data), 64)
    for part in range(arriving.parts):
        arriving.arrive(part, data[slice(*arriving.span(part))])
    decoded = snapshot.decode(arriving)
    assert isinstance(decoded.perm_name, memoryview) and decoded.perm_name.readonly
    assert list(ProductIndex(decoded).rows()) == list(ProductIndex(snapshot.decode(data)).rows())


def test_a_snapshot_of_the_other_byte_order_is_read_with_its_values_swapped(monkeypatch):
    built, _, _ = built_and_decoded()
    other = "big" if sys.byteorder == "little" else "little"
    for name, kind, _ in SECTIONS:
        if kind.startswith(("view:", "array:")):
            swapped = array(kind.split(":")[1], built.section(name))
            swapped.byteswap()
            built.set_section(name, swapped)
    monkeypatch.setattr(snapshot, "sys", types.SimpleNamespace(byteorder=other))
    data = snapshot.encode(built)
    monkeypatch.undo()
    decoded = snapshot.decode(data)
    original = snapshot.build([*catalog(30), irow(99, name="Ünïcode ™ tee")])
    for name, _, _ in SECTIONS:
        assert values(decoded.section(name)) == values(original.section(name)), name


def test_a_raw_section_that_is_not_a_whole_number_of_values_is_damage():
    built = snapshot.build(catalog(3))
    built.run_rows = b"\x00" * 5  # 5 bytes: not a whole number of 4-byte values
    with pytest.raises(SnapshotError, match="run_rows"):
        snapshot.decode(snapshot.encode(built))


def test_a_snapshot_of_format_3_is_refused():
    _, data, _ = built_and_decoded(catalog(2))
    with pytest.raises(SnapshotError):
        snapshot.decode(b"CSIX3\n" + data[len(MAGIC):])


def test_an_empty_base_round_trips():
    decoded = snapshot.decode(snapshot.encode(snapshot.build([])))
    assert decoded.rows == 0 and list(decoded.perm_name) == []
    assert query(ProductIndex(decoded), q="anything").total == 0
