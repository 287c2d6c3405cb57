"""The prices feed's documents (Adobe's ProductPriceV2) and the pricing rules, from hand-written source records."""
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feed import FeedRow, RowKey
from chalicelib.domain.feeds.prices import FEED, build_row, identity_of, key_of
from chalicelib.domain.feeds.pricing import Tier, Window, customer_group_code, lowest, time_zone, unit_price

WHOLESALE = hashlib.sha1(b"2").hexdigest()


def price(**overrides):
    record = {"sku": "MJ01-M-Black", "product_id": 58, "type": "simple", "website_id": 1, "website_code": "base",
              "customer_group_id": 2, "customer_group": "Wholesale", "regular": 45.0,
              "special": {"price": 38.5, "price_from": "2026-11-01 00:00:00", "price_to": "2026-11-30 00:00:00"},
              "tiers": [{"qty": 10, "price_type": "fixed", "price": 40.0},
                        {"qty": 20, "price_type": "discount", "price": 25}],
              "parents": [{"sku": "MJ01", "type": "configurable"}], "read_at": "2026-11-22T10:00:00.000Z",
              "updated_at": "2026-11-20T08:00:00.000Z"}
    record.update(overrides)
    return record


def document(**overrides):
    return json.loads(build_row(price(**overrides), {}).document)


def test_the_document_is_adobes_product_price_v2():
    row = build_row(price(), {})
    assert json.loads(row.document) == {
        "sku": "MJ01-M-Black", "productId": 58, "websiteId": 1, "websiteCode": "base",
        "customerGroupCode": WHOLESALE, "type": "SIMPLE", "parents": [{"type": "CONFIGURABLE", "sku": "MJ01"}],
        "regular": 45.0, "discounts": [{"code": "special_price", "price": 38.5}],
        "tierPrices": [{"qty": 10.0, "price": 40.0}, {"qty": 20.0, "percentage": 25.0}], "deleted": False}
    assert row.key == RowKey("MJ01-M-Black", f"base/{WHOLESALE}") == key_of(price())
    assert (row.product_id, row.name, row.price) == (58, "Wholesale", 38.5)
    assert FEED.identity_values(row.key) == ("MJ01-M-Black", "base", WHOLESALE) == identity_of(row.key)


def test_the_feed_is_adobes_with_batches_of_500_read_whole():
    assert (FEED.name, FEED.record, FEED.batch_size, FEED.incremental) == ("prices", "ProductPriceV2", 500, False)
    assert FEED.identity == ("sku", "websiteCode", "customerGroupCode")


def test_customer_group_codes_are_sha1_of_the_group_id():
    assert customer_group_code(0) == hashlib.sha1(b"0").hexdigest()


@pytest.mark.parametrize(("read_at", "open_"), [
    ("2026-10-31T23:59:59.000Z", False),  # before the window
    ("2026-11-01T00:00:00.000Z", True),  # its first moment
    ("2026-11-30T23:59:59.000Z", True),  # the whole last day (Magento adds a day to the end date)
    ("2026-12-01T00:00:01.000Z", False),  # over
])
def test_the_special_price_is_a_discount_only_while_its_window_is_open(read_at, open_):
    discounts = document(read_at=read_at)["discounts"]
    assert discounts == ([{"code": "special_price", "price": 38.5}] if open_ else [])


def test_a_window_opening_changes_the_hash_without_any_other_change():
    before = build_row(price(read_at="2026-10-31T23:00:00.000Z"), {})
    after = build_row(price(read_at="2026-11-01T01:00:00.000Z"), {})
    assert before.hash != after.hash and (before.price, after.price) == (45.0, 38.5)
    window = Window.of("2026-11-01 00:00:00", None)
    assert window.crossed(datetime(2026, 10, 31, 23, tzinfo=UTC), datetime(2026, 11, 1, 1, tzinfo=UTC))
    assert not window.crossed(datetime(2026, 11, 1, 1, tzinfo=UTC), datetime(2026, 11, 1, 2, tzinfo=UTC))


def test_open_ended_and_dateless_special_prices():
    assert document(special={"price": 30, "price_from": None, "price_to": None})["discounts"] == [
        {"code": "special_price", "price": 30.0}]
    assert document(special=None)["discounts"] == []


def test_a_bundles_special_price_is_a_percentage_and_its_type_says_fixed_or_dynamic():
    doc = document(type="bundle", fixed_price=False, regular=None, tiers=[],
                   special={"price": 80, "price_from": None, "price_to": None})
    assert (doc["type"], doc["regular"], doc["discounts"]) == ("BUNDLE_DYNAMIC", 0.0,
                                                               [{"code": "special_price", "percentage": 80.0}])
    assert document(type="bundle", fixed_price=True)["type"] == "BUNDLE_FIXED"
    row = build_row(price(type="bundle", fixed_price=True, regular=100, tiers=[],
                          special={"price": 80, "price_from": None, "price_to": None}), {})
    assert row.price == 80.0


def test_what_a_shopper_pays_for_one_unit():
    assert unit_price(45, None, False) == 45
    assert unit_price(45, 38.5, False) == 38.5
    assert unit_price(45, None, False, [Tier(1, 10, discount=True)]) == 40.5  # a tier from 1 unit applies
    assert unit_price(45, None, False, [Tier(5, 30)]) == 45  # from 5 units only: not the unit price
    assert lowest([None, 12.5, 9.99]) == 9.99 and lowest([None]) is None


@pytest.mark.parametrize(("overrides", "code", "reason"), [
    ({"regular": -1}, "invalid_record.regular", "the regular price is not a price ≥ 0: -1"),
    ({"regular": "twelve"}, "invalid_record.regular", "the regular price is not a number: 'twelve'"),
    ({"special": {"price": -5, "price_from": None, "price_to": None}}, "invalid_record.special_price",
     "the special price is not a price ≥ 0: -5"),
    ({"special": {"price": 5, "price_from": "next week", "price_to": None}}, "invalid_record.special_price",
     "the special price's dates are not Magento dates"),
    ({"tiers": [{"price_type": "fixed", "price": 40}]}, "invalid_record.tier_prices", "a tier price has no quantity"),
    ({"tiers": [{"qty": 0, "price_type": "fixed", "price": 40}]}, "invalid_record.tier_prices",
     "a tier price's quantity is not above 0"),
    ({"tiers": [{"qty": 2, "price_type": "discount", "price": 140}]}, "invalid_record.tier_prices",
     "a tier price is not a price ≥ 0 (at most 100)"),
    ({"tiers": [{"qty": 2, "price_type": "percent", "price": 10}]}, "invalid_record.tier_prices",
     "price_type is neither"),
    ({"sku": ""}, "invalid_record.sku", "sku is missing"),
])
def test_a_malformed_price_fails_its_item_with_the_reason(overrides, code, reason):
    with pytest.raises(InvalidRecordError) as error:
        build_row(price(**overrides), {})
    assert error.value.code == code and reason in str(error.value)


def test_a_deleted_price_item_is_adobes_minimal_payload():
    row = build_row(price(), {})
    stored = FeedRow(row.id, row.scope, product_id=58, document=row.document, hash=row.hash)
    deletion = FEED.deletion_row(stored, {})
    assert deletion.deleted and json.loads(deletion.document) == {
        "sku": "MJ01-M-Black", "websiteCode": "base", "customerGroupCode": WHOLESALE, "productId": 58,
        "websiteId": 1, "deleted": True}


@pytest.mark.parametrize(("price_from", "opens_utc"), [
    ("2026-01-15 00:00:00", datetime(2026, 1, 14, 23, tzinfo=UTC)),  # winter: CET, UTC+1
    ("2026-07-15 00:00:00", datetime(2026, 7, 14, 22, tzinfo=UTC)),  # summer: CEST, UTC+2
])
def test_a_window_opens_at_local_midnight_of_the_websites_time_zone(price_from, opens_utc):
    window = Window.of(price_from, None, time_zone("Europe/Paris")[0])
    assert window.start == opens_utc
    assert document(timezone="Europe/Paris", special={"price": 30, "price_from": price_from, "price_to": None},
                    read_at=(opens_utc - timedelta(seconds=1)).isoformat().replace("+00:00", "Z"))["discounts"] == []
    assert document(timezone="Europe/Paris", special={"price": 30, "price_from": price_from, "price_to": None},
                    read_at=opens_utc.isoformat().replace("+00:00", "Z"))["discounts"] == [
        {"code": "special_price", "price": 30}]


def test_a_window_closes_at_local_midnight_after_its_last_day_across_a_clock_change():
    # Paris leaves summer time on 2026-10-25: its last day (the 25th) has 25 hours, ending at 23:00 UTC.
    window = Window.of(None, "2026-10-25 00:00:00", time_zone("Europe/Paris")[0])
    assert window.closes_at == datetime(2026, 10, 25, 23, tzinfo=UTC)
    assert window.is_open(datetime(2026, 10, 25, 22, 59, tzinfo=UTC))
    assert not window.is_open(datetime(2026, 10, 25, 23, 0, 1, tzinfo=UTC))


def test_the_hourly_window_check_uses_the_local_instants():
    window = Window.of("2026-11-01 00:00:00", None, time_zone("Europe/Paris")[0])  # opens 2026-10-31 23:00 UTC
    assert window.crossed(datetime(2026, 10, 31, 22, tzinfo=UTC), datetime(2026, 10, 31, 23, tzinfo=UTC))
    assert not window.crossed(datetime(2026, 10, 31, 23, tzinfo=UTC), datetime(2026, 11, 1, 0, tzinfo=UTC))


@pytest.mark.parametrize("name", [None, "", "Mars/Olympus_Mons", "../etc/passwd", 5])
def test_a_missing_or_unknown_time_zone_falls_back_to_utc_and_says_so(name):
    zone, note = time_zone(name)
    assert zone is UTC and note and "UTC" in note
    assert Window.of("2026-11-01 00:00:00", None, zone).start == datetime(2026, 11, 1, tzinfo=UTC)
    assert document(timezone=name, read_at="2026-11-01T00:00:00.000Z")["discounts"] == [
        {"code": "special_price", "price": 38.5}]


def test_a_known_time_zone_is_used_without_a_note():
    zone, note = time_zone("Europe/Paris")
    assert str(zone) == "Europe/Paris" and note is None
