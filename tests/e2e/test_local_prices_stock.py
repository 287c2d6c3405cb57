"""The local stack as `make run` starts it: the prices and inventoryStockStatus feeds of its first scheduled sync,
as the simulated ingestion service holds them, compared with what the simulated Magento holds (its admin
endpoints: the bulk price reads' answers per product, the stock per product and stock)."""
from __future__ import annotations

import hashlib
import json
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from local_stack.magento.layout import STORES as SIMULATED_VIEWS
from tests.e2e.test_local_stack import _ingestion, _magento, _source
from tests.stack_process import LocalStack, running_stack

PRODUCTS = 120
WEBSITES = {"default": "base", "french": "base", "german": "eu"}
STORES = {"base": (1, 2), "eu": (3, 4)}  # the simulated store's views per website (price scope: the website)
STOCKS = {"base": "1", "eu": "2"}
WEBSITE_IDS = {"base": 1, "eu": 2}
# Each website's time zone: its first active store view's general/locale/timezone, in the simulator's own layout.
ZONES = {code: ZoneInfo(next(v.timezone for v in sorted(SIMULATED_VIEWS, key=lambda v: v.id)
                             if v.website_id == website_id and v.is_active))
         for code, website_id in WEBSITE_IDS.items()}
GROUPS = {hashlib.sha1(str(i).encode()).hexdigest(): code
          for i, code in enumerate(("NOT LOGGED IN", "General", "Wholesale", "Retailer"))}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    with running_stack(tmp_path_factory.mktemp("local-stack"), SAMPLE_PRODUCTS=str(PRODUCTS), SYNC_INTERVAL="3600",
                       BATCH_MAX_ROWS="100") as handle:
        for feed in ("prices", "inventoryStockStatus"):  # the first scheduled sync syncs every feed
            handle.wait_for(f"the first {feed} run", lambda feed=feed: _succeeded(handle, feed), 240)
        yield handle


def _succeeded(stack: LocalStack, feed: str) -> dict[str, Any] | None:
    code, _, body = stack.get(f"/api/sync/status?feed={feed}", stack.token())
    assert code == 200, body
    run = json.loads(body)["last_sync"]
    assert not run or run["status"] != "Failed", run
    return run if run and run["status"] == "Success" else None


def _held(stack: LocalStack, feed: str) -> dict[tuple[str, ...], dict[str, Any]]:
    """Every live item of the feed the service holds, by identity values (paged with its cursor)."""
    key, found, cursor = stack.info["simulated_destination_api_key"], {}, None
    while True:
        query = {"include": "document", "limit": "1000", "deleted": "false", **({"cursor": cursor} if cursor else {})}
        code, page = _ingestion(stack, f"/v1/feeds/{feed}/items?{urllib.parse.urlencode(query)}", key)
        assert code == 200, page
        for item in page["items"]:
            found[tuple(str(item["identity"][field]) for field in page["identity"])] = item["document"]
        cursor = page["nextCursor"]
        if not cursor:
            return found


def _in_scope(rows: list[dict[str, Any]], website: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["store_id"] in STORES[website]), None) or next(
        (r for r in rows if r["store_id"] == 0), None)


def _open(special: dict[str, Any], now: datetime, website: str) -> bool | None:
    """Whether the window is open, its dates local to the website's time zone (None: a boundary is within an hour,
    the read may have judged either way)."""
    zone = ZONES[website]
    start = special["price_from"] and datetime.fromisoformat(special["price_from"]).replace(tzinfo=zone)
    end = special["price_to"] and datetime.fromisoformat(special["price_to"]).replace(tzinfo=zone) + timedelta(days=1)
    if any(b and abs((b - now).total_seconds()) < 3600 for b in (start, end)):
        return None
    return (not start or start <= now) and (not end or now <= end)


def test_the_service_holds_every_price_and_stock_item_of_the_store_and_nothing_else(stack: LocalStack) -> None:
    records = list(_source(stack).products(None))
    websites = {(r["sku"], WEBSITES[r["store_view_code"]]) for r in records}
    prices, stock = _held(stack, "prices"), _held(stack, "inventoryStockStatus")
    assert set(prices) == {(sku, website, group) for sku, website in websites for group in GROUPS}
    assert set(stock) == {(STOCKS[website], sku) for sku, website in websites}


def test_the_prices_held_are_magentos_per_website_and_customer_group(stack: LocalStack) -> None:
    now = datetime.now(UTC)
    prices = _held(stack, "prices")
    skus = sorted({sku for sku, _, _ in prices})
    checked = 0
    for sku in skus[::4]:
        magento = _magento(stack, f"/products/{urllib.parse.quote(sku, safe='')}/prices")
        for (_, website, group), document in ((k, d) for k, d in prices.items() if k[0] == sku):
            base = _in_scope(magento["base"], website)
            assert document["regular"] == (base["price"] if base else 0), (sku, website)
            special = _in_scope(magento["special"], website)
            opened = _open(special, now, website) if special else False
            if opened is not None:
                field = "percentage" if document["type"].startswith("BUNDLE") else "price"
                expected = [{"code": "special_price", field: special["price"]}] if opened else []
                assert document["discounts"] == expected, (sku, website, special)
            tiers = sorted(t["quantity"] for t in magento["tier"] if t["website_id"] in (0, WEBSITE_IDS[website])
                           and t["customer_group"] in ("all groups", GROUPS[group]))
            assert sorted(t["qty"] for t in document["tierPrices"]) == tiers, (sku, website, group)
            checked += 1
    assert checked >= 40


def test_the_stock_held_is_magentos_per_stock(stack: LocalStack) -> None:
    stock = _held(stack, "inventoryStockStatus")
    for (stock_id, sku), document in sorted(stock.items())[::3]:
        magento = _magento(stack, f"/products/{urllib.parse.quote(sku, safe='')}/stock?stock_id={stock_id}")
        assert (document["qty"], document["isSalable"]) == (magento["quantity"], magento["is_salable"]), sku
        assert document["infiniteStock"] == (not magento["manage_stock"] and magento["quantity"] is not None), sku
        if magento["manage_stock"] and magento["quantity"] is not None:
            assert document["qtyForSale"] == magento["salable_quantity"], sku
