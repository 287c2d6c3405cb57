"""The dashboard's prices and stock in a real browser on the local stack (the simulated Magento as the source):
the Price column in the store view's currency, a configurable "from" its cheapest child, and a product's prices
per website × customer group and stock per stock. Under the Content-Security-Policy (conftest)."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.browser.conftest import screenshot, sign_in, wait_view
from tests.e2e.test_local_stack import LocalStack

GROUPS = 4  # the simulated store's customer groups


def _api(stack: LocalStack, path: str) -> Any:
    code, _, body = stack.get("/api" + path, stack.token())
    assert code == 200, body
    return json.loads(body)


@pytest.fixture(scope="module")
def synced(stack: LocalStack) -> None:
    for feed in ("products", "prices", "inventoryStockStatus"):  # the first scheduled sync syncs every feed
        stack.wait_for(f"the first {feed} run", lambda feed=feed: (_api(stack, f"/sync/status?feed={feed}")[
            "last_sync"] or {}).get("status") == "Success", 240)


def test_the_price_column_shows_the_effective_price_in_the_views_currency(page, stack: LocalStack, synced) -> None:
    sign_in(page, stack)
    page.goto(f"{stack.base}/#/products?type=configurable&store_view=german")
    wait_view(page, "#products-table tbody tr")
    cell = page.locator("#products-table tbody tr >> nth=0").locator("td[data-column=price]")
    assert re.fullmatch(r"from .*€.*|from .*EUR.*", cell.inner_text().strip()), cell.inner_text()
    page.goto(f"{stack.base}/#/products?type=simple&store_view=default")
    page.wait_for_function("() => [...document.querySelectorAll('#products-table tbody tr')].length > 0 && "
                           "[...document.querySelectorAll('#products-table tbody tr')].every("
                           "r => r.dataset.storeView === 'default')")
    prices = page.locator("#products-table tbody td[data-column=price]").all_inner_texts()
    assert prices and all(re.fullmatch(r"\$[\d,]+\.\d\d", p.strip()) for p in prices), prices
    screenshot(page, "08-products-prices")
    assert not page.errors


def test_the_detail_shows_prices_per_website_and_group_and_stock_per_stock(page, stack: LocalStack, synced) -> None:
    item = next(i for i in _api(stack, "/products?type=simple&store_view=german&limit=50")["items"])
    detail = _api(stack, f"/products/{item['product_id']}")
    websites = {p["website_code"] for p in detail["prices"]}
    sign_in(page, stack)
    page.goto(f"{stack.base}/#/products/{item['product_id']}")
    wait_view(page, "#product-prices tbody tr")
    assert page.locator("#product-prices tbody tr").count() == GROUPS * len(websites) == len(detail["prices"])
    assert "NOT LOGGED IN" in page.locator("#product-prices").inner_text()
    stock = page.locator("#product-stock tbody tr")
    assert stock.count() == len(detail["stock"]) >= 1
    assert "EU Stock" in page.locator("#product-stock").inner_text()
    screenshot(page, "09-product-prices-stock")
    assert not page.errors
