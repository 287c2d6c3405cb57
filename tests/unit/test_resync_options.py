"""A resync's options (domain/resync.py): ids, bounds, what cannot go together, and how a run record keeps them."""
import pytest

from chalicelib.domain.errors import InvalidRequestError
from chalicelib.domain.resync import API_NAMES, PRODUCT_ID, SKU, ResyncOptions, bounded, check, parse_ids


def test_ids_are_trimmed_and_kept_once_in_their_order():
    assert parse_ids([" B", "A", "B ", "C"], SKU) == ("B", "A", "C")
    assert parse_ids(["7", 3, " 7"], PRODUCT_ID) == ("7", "3")
    assert ResyncOptions(ids=("7", "3"), id_type=PRODUCT_ID).product_ids == (7, 3)
    assert ResyncOptions(ids=("7", "3"), id_type=PRODUCT_ID).skus == ()


@pytest.mark.parametrize("values, id_type, message", [
    ([], SKU, "--by-ids needs at least one id (at most 1,000)"),
    (["a"] * 0 + [f"S{i}" for i in range(1001)], SKU, "--by-ids takes at most 1,000 ids; got 1,001"),
    (["x" * 65], SKU, "at most 64 printable characters"),
    (["a\tb"], SKU, "at most 64 printable characters"),
    ([None], SKU, "at most 64 printable characters; got 'None'"),
    (["0"], PRODUCT_ID, "takes positive whole numbers; got '0'"),
    ([True], PRODUCT_ID, "takes positive whole numbers"),
    ([2**31], PRODUCT_ID, "takes positive whole numbers"),
    (["A"], "ean", "unknown --id-type 'ean'; valid: sku, productId"),
])
def test_bad_ids_are_refused_naming_what_is_valid(values, id_type, message):
    with pytest.raises(InvalidRequestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_ids(values, id_type)


def test_bounds_name_their_range():
    assert bounded(16, "--thread-count", 16) == 16
    for value in (0, 17, "4", 2.0, None):
        with pytest.raises(InvalidRequestError, match="--thread-count must be a whole number from 1 to 16"):
            bounded(value, "--thread-count", 16)


@pytest.mark.parametrize("mode, options, continuing, dry_run, message", [
    ("no-reindex", ResyncOptions(ids=("A",)), False, False, "--by-ids cannot be combined with --no-reindex"),
    ("failed", ResyncOptions(force=True, thread_count=2), False, False,
     "--force and --thread-count cannot be combined with --failed-only"),
    ("no-reindex", ResyncOptions(), True, False, "--continue-resync cannot be combined with --no-reindex"),
    ("full", ResyncOptions(ids=("A",)), True, False, "--by-ids cannot be combined with --continue-resync"),
    ("full", ResyncOptions(ids=("A",), cleanup=True), False, False, "--by-ids cannot be combined with --cleanup-feed"),
    ("full", ResyncOptions(), True, True, "--dry-run cannot be combined with --continue-resync"),
    ("full", ResyncOptions(cleanup=True), True, False, "--cleanup-feed cannot be combined with --continue-resync"),
    ("full", ResyncOptions(batch_size=1001), False, False, "--batch-size must be a whole number from 1 to 1,000"),
])
def test_what_cannot_go_together_is_refused_by_name(mode, options, continuing, dry_run, message):
    with pytest.raises(InvalidRequestError, match=message):
        check(mode, options, True, dry_run=dry_run, continuing=continuing)


def test_product_ids_only_for_a_feed_of_products_and_the_api_says_it_in_its_words():
    options = ResyncOptions(ids=("1",), id_type=PRODUCT_ID)
    check("full", options, product_keyed=True)
    with pytest.raises(InvalidRequestError, match="id_type productId applies to the feeds whose items are products'"):
        check("full", options, product_keyed=False, names=API_NAMES)
    with pytest.raises(InvalidRequestError, match='ids cannot be combined with mode "failed"'):
        check("failed", options, product_keyed=True, names=API_NAMES)


def test_what_goes_together_passes():
    check("full", ResyncOptions(force=True, batch_size=500, thread_count=4), True)
    check("full", ResyncOptions(ids=("A", "B"), force=True), True, dry_run=True)
    check("full", ResyncOptions(cleanup=True), True, dry_run=True)
    check("no-reindex", ResyncOptions(batch_size=10), True)


def test_a_run_record_keeps_only_what_differs_from_the_defaults():
    assert ResyncOptions().to_dict() == {}
    options = ResyncOptions(force=True, ids=("A", "B"), batch_size=7, resumes=("r1",), resume_from="500")
    stored = options.to_dict()
    assert stored == {"force": True, "ids": ["A", "B"], "batch_size": 7, "resumes": ["r1"], "resume_from": "500"}
    assert ResyncOptions.from_dict(stored) == options
    assert ResyncOptions.from_dict({**stored, "from_a_later_version": 1}) == options
