"""The dashboard's feeds in a real browser on the local stack (the simulated Magento, every feed synced): the Feeds
page, the feed switcher of the overview and the run history, a product's parents and variants, and each role shown
only the pages it may open — under the Content-Security-Policy (a violation fails the test: conftest)."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.browser.conftest import screenshot, sign_in, wait_view
from tests.stack_process import LocalStack

ADMIN_PAGES = ["overview", "feeds", "products", "runs", "reconciliation", "settings", "help"]
OPERATOR_PAGES = ["overview", "feeds", "runs", "settings", "help"]


def _api(stack: LocalStack, path: str, user: str = "admin") -> Any:
    code, _, body = stack.get("/api" + path, stack.token(user))
    assert code == 200, body
    return json.loads(body)


@pytest.fixture(scope="module")
def synced(stack: LocalStack) -> list[dict]:
    """Every feed the source reads has synced successfully once (the stack's first, scheduled, sync)."""
    def every_feed() -> list[dict] | None:
        feeds = _api(stack, "/feeds")["feeds"]
        done = all(feed["last_success_at"] and not feed["in_flight"] for feed in feeds if feed["offered"])
        return feeds if done else None
    return stack.wait_for("every feed's first sync", every_feed, 180, every=1)


def _forbidden(page) -> list[str]:
    """The API answers of 401/403 the page met (collected from here on)."""
    seen: list[str] = []
    page.on("response", lambda r: seen.append(f"{r.status} {r.url}") if "/api/" in r.url and r.status in (401, 403)
            else None)
    return seen


def test_signed_out_there_is_no_navigation_and_no_sign_out(page, stack: LocalStack) -> None:
    page.goto(stack.base + "/")
    page.wait_for_selector("#sign-in:not([hidden])")
    assert page.locator("#nav").is_hidden() and page.locator("#sign-out").is_hidden()
    assert page.locator("#nav a").count() == 0
    sign_in(page, stack)
    page.wait_for_selector("#nav a")
    assert page.locator("#sign-out").is_visible()
    page.click("#sign-out")
    page.wait_for_selector("#sign-in:not([hidden])")
    assert page.locator("#nav").is_hidden() and page.locator("#sign-out").is_hidden()
    assert not page.errors


@pytest.mark.parametrize("user, pages", [("admin", ADMIN_PAGES), ("operator", OPERATOR_PAGES)])
def test_each_role_is_offered_only_the_pages_it_may_open(page, stack: LocalStack, synced, user, pages) -> None:
    refused = _forbidden(page)
    sign_in(page, stack, user)
    page.wait_for_function("n => document.querySelectorAll('#nav a').length === n", arg=len(pages))
    assert page.locator("#nav a").evaluate_all("links => links.map(a => a.dataset.section)") == pages
    for section in pages:  # every page offered opens without a refusal
        page.click(f"#nav a[data-section={section}]")
        page.wait_for_selector(f"#nav a[data-section={section}][aria-current=page]")
        page.wait_for_function("() => /^Updated /.test(document.querySelector('#message').textContent)")
        screenshot(page, f"20-{user}-{section}")
    assert refused == []
    if user == "operator":
        # Force sync is theirs; the configuration is not, and is not asked for.
        page.goto(stack.base + "/#/settings")
        wait_view(page, "#force-sync")
        assert page.locator("#config-title").count() == 0
        # A link to an admin's page (shared, or typed) says so instead of showing a refusal.
        page.goto(stack.base + "/#/products")
        wait_view(page, "#not-allowed")
        assert "read products" in page.locator("#not-allowed").inner_text()
        screenshot(page, "21-operator-not-allowed")
        assert refused == []
    assert not page.errors


def test_the_feeds_page_lists_every_feed_with_its_items_by_status(page, stack: LocalStack, synced) -> None:
    sign_in(page, stack)
    page.click("#nav a[data-section=feeds]")
    wait_view(page, "#feeds-table tbody tr")
    api = {feed["feed"]: feed for feed in _api(stack, "/feeds")["feeds"]}
    shown = page.locator("#feeds-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.feed)")
    assert shown == list(api)  # the API's feeds, in its order (products first)
    headers = page.locator("#feeds-table thead th").all_inner_texts()
    assert headers[:6] == ["Feed", "Source records", "Submitted", "Failed, will retry", "Failed, requires attention",
                           "Awaiting submission"]
    for name, feed in api.items():
        row = page.locator(f"#feeds-table tbody tr[data-feed='{name}']")
        assert row.locator("td[data-column=source_records]").inner_text() == f"{feed['source_records']:,}"
        if feed["offered"] and not feed["in_flight"]:
            assert row.locator("td[data-column=submitted]").inner_text() == f"{feed['items']['submitted']:,}"
            assert "ago" in row.inner_text() and "Every 1 h" in row.inner_text()
    products = page.locator("#feeds-table tbody tr[data-feed=products]")
    assert api["products"]["source_records"] > 0
    assert products.locator(".health").count() >= 1
    screenshot(page, "22-feeds")
    # The products feed's counts open the products listed by that status.
    products.locator("td[data-column=submitted] a").click()
    page.wait_for_url(re.compile(r"#/products\?status=submitted$"))
    wait_view(page, "#products-table tbody tr")
    assert not page.errors


def test_the_feed_switcher_shows_each_feeds_overview_and_runs(page, stack: LocalStack, synced) -> None:
    feeds = [feed["feed"] for feed in synced]
    sign_in(page, stack)
    wait_view(page, "#feed-switch")
    assert page.locator("#feed-switch option").evaluate_all("os => os.map(o => o.value)") == feeds
    page.select_option("#feed-switch", "variants")
    page.wait_for_url(re.compile(r"#/overview\?feed=variants$"))
    latest = _api(stack, "/sync/runs?feed=variants&limit=1")["items"][0]
    page.wait_for_selector(f"#last-sync a[href='#/runs/{latest['run_id']}']")
    assert page.locator("#synced-title").inner_text() == "Items synced"
    screenshot(page, "23-overview-variants")
    page.click("#nav a[data-section=runs]")
    wait_view(page, "#runs-table tbody tr")
    page.select_option("#feed-switch", "categories")
    page.wait_for_url(re.compile(r"#/runs\?feed=categories$"))
    page.wait_for_selector("#runs-table[data-feed=categories]")
    runs = _api(stack, "/sync/runs?feed=categories&limit=25")["items"]
    links = page.locator("#runs-table tbody tr a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert links == [f"#/runs/{run['run_id']}" for run in runs]
    page.click("#runs-table tbody tr a >> nth=0")
    wait_view(page, "#run-error")
    assert "categories" in page.locator("#view dl").inner_text()
    assert not page.errors


def test_a_configurable_shows_its_variants_and_a_variant_its_parent(page, stack: LocalStack, synced) -> None:
    configurables = _api(stack, "/products?type=configurable&limit=50")["items"]
    detail = next(d for d in (_api(stack, f"/products/{item['product_id']}") for item in configurables)
                  if d["variants"] and d["variants"]["items"])
    sign_in(page, stack, url=f"{stack.base}/#/products/{detail['product_id']}")
    wait_view(page, "#product-variants tbody tr")
    assert detail["name"] in page.locator("#product-title").inner_text()
    variants = page.locator("#product-variants tbody tr").evaluate_all("rows => rows.map(r => r.dataset.sku)")
    assert variants == [variant["sku"] for variant in detail["variants"]["items"]]
    screenshot(page, "24-product-variants")
    child = detail["variants"]["items"][0]
    page.click(f"#product-variants tbody tr[data-sku='{child['sku']}'] a")
    page.wait_for_url(re.compile(rf"#/products/{child['product_id']}$"))
    wait_view(page, "#product-parents li")
    parent = page.locator(f"#product-parents li[data-sku='{detail['sku']}']")
    assert "configurable" in parent.inner_text()
    assert parent.locator(f"a[href='#/products/{detail['product_id']}']").count() == 1
    screenshot(page, "25-product-parent")
    assert not page.errors


def test_the_favicon_is_served(page, stack: LocalStack) -> None:
    response = page.request.get(stack.base + "/favicon.ico")
    assert response.status == 200 and response.headers["content-type"] == "image/vnd.microsoft.icon"
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # an icon file


def test_the_settings_pages_updated_time_stays_current(page, stack: LocalStack) -> None:
    page.clock.install()  # the page's timers and Date on the test's clock
    sign_in(page, stack, url=stack.base + "/#/settings")
    wait_view(page, "#force-sync")
    page.wait_for_function("() => /^Updated /.test(document.querySelector('#message').textContent)")
    first = page.locator("#message").inner_text()
    page.clock.run_for(31_000)  # past the page's refresh of the cooldown
    page.wait_for_function("first => document.querySelector('#message').textContent !== first", arg=first)
    assert page.locator("#message").inner_text().startswith("Updated ")
    assert not page.errors
