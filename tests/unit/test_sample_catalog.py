import json
from collections import Counter

import pytest

from chalicelib.adapters.sample_catalog import (
    BASE_UPDATED_AT,
    RESUME_CHUNK,
    SampleCatalogSource,
    index_of,
    sku_of,
)
from chalicelib.domain.errors import SourceError
from chalicelib.domain.feeds.products import build_row
from chalicelib.ports import CatalogSource, ReadPosition

KEYS = {"store_view_code", "product_id", "sku", "name", "type", "status", "visibility", "attribute_set", "price",
        "quantity", "salable_quantity", "in_stock", "url_key", "description", "short_description", "weight",
        "attributes", "categories", "images", "parents", "created_at", "updated_at"}
EDIT_TIME = "2026-03-01T12:00:00.000Z"
LATER = "2026-03-02T08:30:00.000Z"


def views_of(source):
    return {view.code: view for view in source.store_views()}


def hashes(source):
    views = views_of(source)
    return {row.key: row.hash for row in (build_row(record, views) for record in source.products(None))}


@pytest.fixture
def source(tmp_path):
    return SampleCatalogSource(products=500, seed=7, edits_file=str(tmp_path / "edits.json"))


def test_is_a_catalog_source_with_three_store_views():
    source = SampleCatalogSource(products=10)
    assert isinstance(source, CatalogSource) and source.kind == "sample"
    assert [(v.code, v.store_code, v.website_code, v.currency) for v in source.store_views()] == [
        ("default", "main_store", "base", "USD"), ("french", "main_store", "base", "USD"),
        ("german", "eu_store", "eu", "EUR")]


def test_sku_scheme_round_trips():
    assert sku_of(0) == "MS-000000" and sku_of(1234) == "MS-001234"
    assert [index_of(sku_of(i)) for i in (0, 7, 99_999, 1_234_567)] == [0, 7, 99_999, 1_234_567]
    for bad in ("SKU-1", "MS-12", "MS-00000x", "", None):
        with pytest.raises(ValueError):
            index_of(bad)


def test_same_seed_gives_identical_records_and_another_seed_does_not():
    first = list(SampleCatalogSource(300, seed=1).products(None))
    assert first == list(SampleCatalogSource(300, seed=1).products(None))
    other = list(SampleCatalogSource(300, seed=2).products(None))
    assert [r["sku"] for r in other if r["store_view_code"] == "default"] == [
        r["sku"] for r in first if r["store_view_code"] == "default"]
    assert sum(a != b for a, b in zip(first, other, strict=False)) > 250


def test_a_product_does_not_depend_on_the_catalog_size():
    small = [r for r in SampleCatalogSource(50, seed=3).products(None) if r["store_view_code"] == "default"]
    large = [r for r in SampleCatalogSource(400, seed=3).products(None) if r["store_view_code"] == "default"]
    assert small == large[:50]


def test_counts_order_and_the_german_subset():
    records = list(SampleCatalogSource(2000).products(None))
    views = [r["store_view_code"] for r in records]
    assert views == sorted(views, key=["default", "french", "german"].index)  # view by view
    counts = Counter(views)
    assert counts["default"] == counts["french"] == 2000
    assert 0.75 * 2000 < counts["german"] < 0.85 * 2000
    for code in ("default", "french", "german"):
        ids = [r["product_id"] for r in records if r["store_view_code"] == code]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        assert all(r["sku"] == sku_of(r["product_id"] - 1) for r in records if r["store_view_code"] == code)


def test_every_record_has_the_port_keys_and_builds_a_row():
    source = SampleCatalogSource(2000)
    views = views_of(source)
    records = list(source.products(None))
    assert all(set(record) == KEYS for record in records)
    rows = [build_row(record, views) for record in records]
    assert len({row.key for row in rows}) == len(rows)
    assert all(r["updated_at"] == BASE_UPDATED_AT and r["created_at"] < BASE_UPDATED_AT for r in records)


def test_store_views_differ_in_name_and_german_prices_are_in_euros():
    by_view = {}
    for record in SampleCatalogSource(200).products(None):
        by_view.setdefault(record["store_view_code"], {})[record["sku"]] = record
    sku = next(s for s, r in by_view["german"].items() if r["price"])
    default, french, german = (by_view[code][sku] for code in ("default", "french", "german"))
    assert len({default["name"], french["name"], german["name"]}) == 3
    assert german["price"] == round(default["price"] * 0.92, 2) and french["price"] == default["price"]
    assert default["url_key"] == french["url_key"] == german["url_key"]


def test_realistic_type_mix_and_fields():
    records = [r for r in SampleCatalogSource(2000).products(None) if r["store_view_code"] == "default"]
    types = Counter(r["type"] for r in records)
    assert set(types) == {"simple", "configurable", "virtual", "downloadable", "bundle", "grouped", "giftcard"}
    assert 0.6 < types["simple"] / 2000 < 0.8
    for record in records:
        composite = record["type"] in ("configurable", "bundle", "grouped")
        assert (record["salable_quantity"] is None) == composite
        if not composite:
            assert 0 <= record["salable_quantity"] <= record["quantity"] <= 500
            assert record["in_stock"] == (record["quantity"] > 0)
        if record["type"] == "grouped":
            assert record["price"] is None
        else:
            assert 5 <= record["price"] <= 500 and round(record["price"], 2) == record["price"]
    assert any(r["quantity"] == 0 and r["type"] == "simple" for r in records)
    assert {r["status"] for r in records} == {"Enabled", "Disabled"}
    assert {r["visibility"] for r in records} == {"Catalog, Search", "Catalog", "Search", "Not Visible Individually"}
    assert {"Default", "Top", "Bottom", "Gear", "Bag", "Downloadable"} <= {r["attribute_set"] for r in records}


def test_configurable_children_point_at_their_parent():
    records = {r["sku"]: r for r in SampleCatalogSource(2000).products(None) if r["store_view_code"] == "default"}
    children = [r for r in records.values() if r["parents"]]
    assert children
    for child in children:
        (parent,) = child["parents"]
        assert parent["productType"] == "configurable" and records[parent["sku"]]["type"] == "configurable"
        assert child["type"] == "simple" and child["visibility"] == "Not Visible Individually"
        assert child["attribute_set"] == records[parent["sku"]]["attribute_set"]
        assert 1 <= index_of(child["sku"]) - index_of(parent["sku"]) <= 3


def test_changed_since_yields_nothing_without_edits(source):
    assert list(source.products("2026-02-01T00:00:00.000Z")) == []
    assert list(SampleCatalogSource(100).products(EDIT_TIME)) == []


def test_changed_since_before_the_base_time_is_a_full_read(source):
    assert list(source.products("2025-06-01T00:00:00Z")) == list(source.products(None))


def test_touch_changes_exactly_the_touched_products(source):
    before = hashes(source)
    touched = source.touch(0.01, EDIT_TIME, rng_seed=5)
    assert len(touched) == 5 == len(set(touched))
    after = hashes(source)
    changed = {key for key in before if before[key] != after[key]}
    assert set(before) == set(after)
    assert changed == {key for key in before if key.sku in touched}
    assert {key.sku for key in changed} == set(touched)

    partial = list(source.products("2026-02-01T00:00:00.000Z"))
    views = views_of(source)
    assert {build_row(r, views).key for r in partial} == changed
    assert all(r["updated_at"] == EDIT_TIME for r in partial)
    assert [r["store_view_code"] for r in partial] == sorted(
        (r["store_view_code"] for r in partial), key=["default", "french", "german"].index)
    assert list(source.products(LATER)) == []


def test_touch_is_deterministic_per_rng_seed_and_bumps_revisions(tmp_path):
    first = SampleCatalogSource(1000, edits_file=str(tmp_path / "a.json"))
    second = SampleCatalogSource(1000, edits_file=str(tmp_path / "b.json"))
    assert first.touch(0.02, EDIT_TIME, rng_seed=9) == second.touch(0.02, EDIT_TIME, rng_seed=9)
    assert first.touch(0.0, EDIT_TIME, rng_seed=1) != []  # at least one product
    sku = first.touch(0.001, LATER, rng_seed=3)[0]
    before = {r["store_view_code"]: r for r in first.products(LATER)}
    first.touch(0.001, LATER, rng_seed=3)
    again = {r["store_view_code"]: r for r in first.products(LATER)}
    assert before["default"]["sku"] == again["default"]["sku"] == sku
    assert before["default"]["name"] != again["default"]["name"]
    edits = json.loads((tmp_path / "a.json").read_text())
    assert edits[sku]["rev"] >= 2 and edits[sku]["updated_at"] == LATER and edits[sku]["deleted"] is False


def test_edits_file_written_by_another_process_is_read_on_each_call(source, tmp_path):
    other = SampleCatalogSource(products=500, seed=7, edits_file=source.edits_file)
    assert list(source.products(EDIT_TIME)) == []
    skus = other.touch(0.004, LATER, rng_seed=1)
    assert {r["sku"] for r in source.products(EDIT_TIME)} == set(skus)
    assert not list(tmp_path.glob("*.tmp"))  # the atomic write left no temporary file behind


def test_delete_removes_a_product_from_full_and_partial_reads(source):
    sku = sku_of(42)
    assert any(r["sku"] == sku for r in source.products(None))
    source.delete([sku], EDIT_TIME)
    records = list(source.products(None))
    assert all(r["sku"] != sku for r in records)
    assert len([r for r in records if r["store_view_code"] == "default"]) == 499
    assert list(source.products("2026-02-01T00:00:00.000Z")) == []
    assert sku not in source.touch(1.0, LATER, rng_seed=1)  # a deleted product is not edited again


def test_delete_rejects_skus_outside_the_catalog(source):
    for bad in ("MS-000500", "SKU-1"):
        with pytest.raises(ValueError):
            source.delete([bad], EDIT_TIME)


def test_edits_need_an_edits_file():
    source = SampleCatalogSource(100)
    with pytest.raises(ValueError, match="edits file"):
        source.touch(0.1, EDIT_TIME)
    with pytest.raises(ValueError, match="edits file"):
        source.delete([sku_of(1)], EDIT_TIME)


def test_a_missing_edits_file_means_no_edits_and_a_corrupt_one_is_a_source_error(tmp_path):
    path = tmp_path / "edits.json"
    source = SampleCatalogSource(20, edits_file=str(path))
    assert len(list(source.products(None))) == len(list(SampleCatalogSource(20).products(None)))
    path.write_text("{not json")
    with pytest.raises(SourceError):
        source.products(None)
    path.write_text(json.dumps({"SKU-1": {"rev": 1}}))
    with pytest.raises(SourceError):
        source.products(None)


def test_a_resumable_read_yields_every_record_with_positions_and_resumes_from_one(source):
    source.delete([sku_of(3)], "2026-02-01T00:00:00.000Z")
    whole = list(source.read("products", None))
    items = list(source.read_resumable("products", None))
    positions = [item.value for item in items if isinstance(item, ReadPosition)]
    records = [item for item in items if not isinstance(item, ReadPosition)]
    key = lambda record: (record["sku"], record["store_view_code"])  # noqa: E731
    assert sorted(map(key, records)) == sorted(map(key, whole)) and len(records) == source.count("products")
    assert positions == [str(n) for n in range(RESUME_CHUNK, source.size, RESUME_CHUNK)] + [str(source.size)]
    rest = [r for r in source.read_resumable("products", positions[0]) if not isinstance(r, ReadPosition)]
    assert {r["product_id"] for r in rest} == {i + 1 for i in range(RESUME_CHUNK, source.size)}
