"""The dashboard in a real browser on the local stack: sign in, the overview, the products table, a product's
JSON, a failed run and its guidance, force sync and its cooldown; catalog text is never run as HTML; all of it
under the Content-Security-Policy (a violation fails the test: conftest). The tests run in any order: each waits
for the runs it starts, and the force-sync countdown runs on the test's clock."""
from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.api.security_headers import content_security_policy, sign_in_origin
from tests.browser.conftest import COOLDOWN, screenshot, sign_in, wait_view
from tests.e2e.test_local_events import post_event
from tests.e2e.test_local_stack import LocalStack, _magento

XSS = "<img src=x onerror=alert(1)>"


def _ingest(stack: LocalStack, path: str, body: dict) -> Any:
    request = urllib.request.Request(stack.info["ingestion_admin_url"] + path, data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _api(stack: LocalStack, path: str) -> Any:
    code, _, body = stack.get("/api" + path, stack.token())
    assert code == 200, body
    return json.loads(body)


def _runs(stack: LocalStack) -> list[dict]:
    return _api(stack, "/sync/runs?limit=50")["items"]


def _sync_by_event(stack: LocalStack, skus: list[str]) -> dict:
    """A change event for ``skus``; waits for the sync it starts to finish and returns that run."""
    before = {run["run_id"] for run in _runs(stack)}
    assert post_event(stack, {"skus": skus})[0] == 202

    def finished() -> dict | None:
        new = [run for run in _runs(stack) if run["run_id"] not in before]
        return new[0] if new and new[0]["status"] != "In Progress" else None
    return stack.wait_for("the event's sync", finished, 90, every=0.5)


@pytest.fixture(scope="module")
def catalog(stack: LocalStack) -> dict[str, Any]:
    """After the first sync: a product renamed to markup, one malformed, one rejected by the destination."""
    stack.wait_for("the first sync", lambda: (stack.status()["last_sync"] or {}).get("status") == "Success", 90)
    rows = _api(stack, "/products?limit=200")["items"]
    views = sorted({row["store_view_code"] for row in rows})
    in_two = [sku for sku in sorted({row["sku"] for row in rows})
              if len({row["store_view_code"] for row in rows if row["sku"] == sku}) >= 2]
    assert len(views) >= 2 and len(in_two) >= 3, (views, in_two)
    xss, malformed, rejected = in_two[:3]
    _magento(stack, f"/products/{xss}/name", {"name": XSS})
    _magento(stack, f"/products/{malformed}/malform", {"kind": "bad_price"})
    reject_view = next(row["store_view_code"] for row in rows if row["sku"] == rejected)
    _ingest(stack, "/reject", {"sku": rejected, "storeViewCode": reject_view, "reason": "price below cost"})
    _magento(stack, f"/products/{rejected}/price", {"price": 12.34})
    run = _sync_by_event(stack, [xss, malformed, rejected])
    return {"xss": xss, "malformed": malformed, "rejected": rejected, "reject_view": reject_view,
            "views": views, "run": run, "rows": rows}


def test_sign_in_shows_last_sync_and_products_synced(page, stack: LocalStack, catalog) -> None:
    page.goto(stack.base + "/")
    page.wait_for_selector("#sign-in:not([hidden])")
    screenshot(page, "01-sign-in")
    sign_in(page, stack)
    status = stack.status()
    last = page.locator("#last-sync")
    last.locator(".badge").wait_for()
    assert last.locator(".badge").inner_text() == status["last_sync"]["status"]
    synced = page.locator("#products-synced")
    assert f"{status['products_synced']['products']:,}" in synced.inner_text()
    assert "Last successful sync" in synced.inner_text() and synced.locator("time").count() == 1
    assert "Enabled" in page.locator("#export").inner_text()
    assert page.locator(".chart .bars li").count() == len(_runs(stack)[:20])
    screenshot(page, "02-overview")
    # Sign out, and a session the API no longer accepts is named as expired.
    page.click("#sign-out")
    page.wait_for_selector("#sign-in:not([hidden])")
    assert "Signed out" in page.locator("#message").inner_text()
    sign_in(page, stack)
    page.evaluate("""() => { const s = JSON.parse(sessionStorage.getItem('catalog-sync-session'));
                             s.accessToken = 'expired';
                             sessionStorage.setItem('catalog-sync-session', JSON.stringify(s)); }""")
    page.goto(stack.base + "/#/runs")
    page.wait_for_selector("#sign-in:not([hidden])")
    assert "session expired, sign in again" in page.locator("#message").inner_text()
    screenshot(page, "03-session-expired")
    assert not page.errors


def test_search_a_sku_finds_it_in_every_store_view(page, stack: LocalStack, catalog) -> None:
    sku = catalog["rejected"]
    sign_in(page, stack)
    page.click("#nav a[data-section=products]")
    wait_view(page, "#products-table tbody tr")
    page.fill("#product-filters input[name=q]", sku)
    page.press("#product-filters input[name=q]", "Enter")
    page.wait_for_function("sku => [...document.querySelectorAll('#products-table tbody tr')]"
                           ".every(tr => tr.dataset.sku === sku)", arg=sku)
    views = sorted(page.locator("#products-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.storeView)"))
    assert views == sorted(row["store_view_code"] for row in catalog["rows"] if row["sku"] == sku)
    assert len(views) >= 2
    # The URL keeps the search: a shared link opens the same rows.
    assert f"q={sku}" in page.url
    headers = page.locator("#products-table thead th").all_inner_texts()
    for column in ("ID", "Name", "Type", "Last Exported", "Last Modified", "Attribute Set", "SKU", "Price",
                   "Quantity", "Salable Quantity", "Visibility", "Store View", "Export Status"):
        assert any(h.startswith(column) for h in headers), column
    screenshot(page, "04-products-search")
    # A shared link (another tab: its own session) asks for sign-in, then opens the same rows.
    other = page.context.new_page()
    sign_in(other, stack, url=page.url)
    wait_view(other, "#products-table tbody tr")
    assert other.locator("#products-table tbody tr").count() == len(views)
    assert not page.errors


def test_filter_failed_rows_shows_their_errors(page, stack: LocalStack, catalog) -> None:
    sign_in(page, stack)
    page.goto(stack.base + "/#/products")
    wait_view(page, "#products-table tbody tr")
    # The filters' choices are the API's lists (GET /api/meta), Adobe Commerce's giftcard type included.
    types = page.locator("#product-filters select[name=type] option").evaluate_all("os => os.map(o => o.value)")
    assert "giftcard" in types and "simple" in types
    page.select_option("#product-filters select[name=status]", "failed_requires_attention")
    page.wait_for_url(re.compile(r"status=failed_requires_attention"))
    page.wait_for_function("() => [...document.querySelectorAll('#products-table tbody tr')]"
                           ".every(tr => tr.dataset.state === 'failed_requires_attention')")
    rows = page.locator("#products-table tbody tr")
    skus = set(rows.evaluate_all("rows => rows.map(r => r.dataset.sku)"))
    assert {catalog["malformed"], catalog["rejected"]} <= skus
    rejected = page.locator(f"#products-table tbody tr[data-sku='{catalog['rejected']}']"
                            f"[data-store-view='{catalog['reject_view']}']")
    assert "price below cost" in rejected.locator(".row-error").inner_text()
    assert "of" in page.locator("#product-count").inner_text()
    screenshot(page, "05-products-failed")
    # Narrowed to one store view too (the filters combine, and the URL keeps both).
    page.select_option("#product-filters select[name=store_view]", catalog["reject_view"])
    page.wait_for_url(re.compile(rf"store_view={catalog['reject_view']}"))
    assert "status=failed_requires_attention" in page.url
    page.wait_for_function("view => [...document.querySelectorAll('#products-table tbody tr')]"
                           ".every(tr => tr.dataset.storeView === view "
                           "&& tr.dataset.state === 'failed_requires_attention')",
                           arg=catalog["reject_view"])
    assert not page.errors


def test_product_json_is_shown_and_copied(page, stack: LocalStack, catalog) -> None:
    sku = catalog["rejected"]
    product_id = next(row["product_id"] for row in catalog["rows"] if row["sku"] == sku)
    sign_in(page, stack)
    page.goto(f"{stack.base}/#/products?q={sku}")
    page.click(f"#products-table tbody tr[data-sku='{sku}'] td a >> nth=0")
    page.wait_for_url(re.compile(rf"#/products/{product_id}$"))
    wait_view(page, "section.store-view pre.json")
    sections = page.locator("section.store-view")
    assert sections.count() >= 2
    first = sections.nth(0)
    shown = json.loads(first.locator("pre.json").inner_text())
    assert shown["sku"] == sku
    first.locator("button.copy").click()
    page.wait_for_function("() => document.querySelector('section.store-view button.copy').textContent === 'Copied'")
    assert json.loads(page.evaluate("navigator.clipboard.readText()")) == shown
    assert "Export status" in first.inner_text()
    assert page.locator("text=Discrepancy check").count() == sections.count()
    screenshot(page, "06-product-detail")
    assert not page.errors


def test_markup_in_a_product_name_renders_as_text(page, stack: LocalStack, catalog) -> None:
    sign_in(page, stack)
    page.goto(f"{stack.base}/#/products?q={catalog['xss']}")
    page.wait_for_selector(f"#products-table tbody tr[data-sku='{catalog['xss']}']")
    names = page.locator("#products-table tbody tr td:nth-child(3)").all_inner_texts()  # after the tick box, the ID
    assert XSS in names
    assert page.locator("#products-table img").count() == 0
    product_id = next(row["product_id"] for row in catalog["rows"] if row["sku"] == catalog["xss"])
    page.goto(f"{stack.base}/#/products/{product_id}")
    wait_view(page, "section.store-view pre.json")
    assert XSS in page.locator("section.store-view pre.json").first.inner_text()
    assert page.locator("#view img").count() == 0
    page.wait_for_timeout(300)
    screenshot(page, "07-xss-as-text")
    assert not page.errors  # no alert(1)


def test_failed_run_shows_its_reason_and_the_guidance(page, stack: LocalStack, catalog) -> None:
    _magento(stack, "/faults", {"fail": {"count": 1000, "status": 503}})
    try:
        run = _sync_by_event(stack, [catalog["xss"]])
    finally:
        _magento(stack, "/faults/reset", {})
    assert run["status"] == "Failed", run
    sign_in(page, stack)
    last = page.locator("#last-sync")
    last.locator(".badge").wait_for()
    assert last.locator(".badge").inner_text() == "Failed"
    assert run["error"] and run["error"][:40] in last.inner_text()
    screenshot(page, "08-overview-failed")
    page.click("#failed-help")
    page.wait_for_selector("#resolvesync")
    for heading in ("Data discrepancy", "Sync not running", "Sync failed"):
        assert page.locator(f"h3:text-is('{heading}')").count() == 1
    screenshot(page, "09-resolve-sync-issues")
    page.goto(f"{stack.base}/#/runs")
    wait_view(page, "#runs-table tbody tr")
    screenshot(page, "10-run-history")
    page.goto(f"{stack.base}/#/runs/{run['run_id']}")
    wait_view(page, "#run-error")
    assert run["error"][:40] in page.locator("#run-error").inner_text()
    assert page.locator("#run-help").count() == 1
    screenshot(page, "11-run-detail-failed")
    # The event's run with failed rows: its errors grouped by cause, each with example rows.
    page.goto(f"{stack.base}/#/runs/{catalog['run']['run_id']}")
    wait_view(page, "#run-errors li")
    errors = page.locator("#run-errors").inner_text()
    assert "price below cost" in errors and catalog["rejected"] in errors
    screenshot(page, "11b-run-detail-row-errors")
    assert not page.errors


def test_a_run_in_flight_is_followed_live(page, stack: LocalStack, catalog) -> None:
    _magento(stack, "/faults", {"latency": 1.5})  # a slow store: the event's sync stays in flight a while
    try:
        before = {run["run_id"] for run in _runs(stack)}
        assert post_event(stack, {"skus": [catalog["rejected"]]})[0] == 202
        stack.wait_for("the event's sync to start", lambda: any(
            run["run_id"] not in before and run["status"] == "In Progress" for run in _runs(stack)), 30, every=0.3)
        sign_in(page, stack)
        last = page.locator("#last-sync")
        last.locator(".badge").wait_for()
        assert last.locator(".badge").inner_text() == "In Progress"
        assert "Started" in last.inner_text()
        # Its progress: a bar, rows read (then "N of M" batches), never an unknown "of ?".
        assert last.locator("progress#run-progress").count() == 1
        assert "?" not in last.locator(".progress-text").inner_text()
        screenshot(page, "16-overview-in-progress")
    finally:
        _magento(stack, "/faults/reset", {})
    # The overview polls while the run is in flight: it turns to the outcome without a reload.
    page.wait_for_function("() => document.querySelector('#last-sync .badge').textContent !== 'In Progress'",
                           timeout=60_000)
    assert page.locator("#last-sync .badge").inner_text() in ("Success", "Failed")
    assert not page.errors


def test_force_sync_disables_the_button_with_a_countdown(page, stack: LocalStack, catalog) -> None:
    stack.wait_for("no run in flight", lambda: stack.status()["last_sync"]["status"] != "In Progress", 120)
    page.clock.install()  # the dashboard's timers and Date run on the test's clock from here
    sign_in(page, stack)
    page.click("#nav a[data-section=settings]")
    button = page.locator("#force-sync")
    button.wait_for()
    assert "entire product catalog" in page.locator("#force").inner_text()
    assert button.is_enabled()
    screenshot(page, "12-settings")
    button.click()  # the confirmation is accepted
    page.wait_for_selector("#force-result a")
    assert "started" in page.locator("#force-result").inner_text()
    assert button.is_disabled()
    countdown = page.locator("#force-countdown").inner_text()
    assert "available again in" in countdown
    screenshot(page, "13-force-sync-cooldown")
    # The cooldown comes from the API too: a fresh page shows it, and a second attempt is refused by the server.
    page.reload()
    page.locator("#force-sync").wait_for()
    page.wait_for_function("() => document.querySelector('#force-sync').disabled")
    code, _headers, body = stack.request("POST", "/api/sync", stack.token(), b'{"mode": "full"}')
    assert code in (409, 429), body
    cooldown = stack.status()["cooldown"]
    assert cooldown["seconds"] == COOLDOWN and not cooldown["available"]
    # The dashboard shows the server's refusal rather than hiding it. Its clock paused, the countdown cannot
    # disable the button again between the test enabling it and clicking it.
    page.clock.pause_at(datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, UTC) + timedelta(seconds=1))
    page.evaluate("() => { document.querySelector('#force-sync').disabled = false; }")
    page.click("#force-sync")
    page.wait_for_function("() => /Refused \\((409|429)\\)/.test(document.querySelector('#force-result').textContent)")
    page.wait_for_function("() => document.querySelector('#force-sync').disabled")
    screenshot(page, "14-force-sync-refused")
    assert not page.errors
    # The forced run ends before the next test (a run in flight would make it skip an event's sync).
    stack.wait_for("the forced run to end", lambda: stack.status()["last_sync"]["status"] != "In Progress", 180)


def test_small_fast_and_usable_at_390_px(page, stack: LocalStack, catalog) -> None:
    from tests.browser.conftest import REPO
    assets = [p for p in (REPO / "dashboard").rglob("*") if p.suffix in (".js", ".css", ".html")]
    assert sum(p.stat().st_size for p in assets) <= 150_000
    # A signed-in tab opens on the overview with its data (how fast: BENCHMARKS.md, not a test's business).
    sign_in(page, stack)
    page.locator("#last-sync .badge").wait_for()
    page.reload()
    page.locator("#last-sync .badge").wait_for()
    page.set_viewport_size({"width": 390, "height": 844})
    for view, ready in (("overview", "#last-sync .badge"), ("products", "#products-table"),
                        ("settings", "#force-sync"), ("help", "#resolvesync")):
        page.goto(f"{stack.base}/#/{view}")
        wait_view(page, ready)
        # Nothing wider than the screen but the tables, which scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, view
        screenshot(page, f"15-narrow-{view}")
    # Keyboard: the skip link comes first, and the navigation is reachable with Tab.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#nav') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#/overview$"))
    assert not page.errors


def test_the_dashboard_runs_under_its_content_security_policy(page, stack: LocalStack, catalog) -> None:
    """Every file comes with the policy; the dashboard works under it (every test here would fail on a violation),
    and the policy is on: script injected inline does not run, a request to another origin is refused."""
    response = page.goto(stack.base + "/")
    policy = content_security_policy(sign_in_origin(stack.info["cognito"]["endpoint_url"]))
    assert response.headers["content-security-policy"] == policy
    assert response.headers["x-content-type-options"] == "nosniff"
    sign_in(page, stack)  # the sign-in form posts to the user pool on moto: allowed by connect-src
    page.locator("#last-sync .badge").wait_for()
    refused = lambda message: "Content Security Policy" in message.text  # noqa: E731
    with page.expect_console_message(refused) as inline:
        ran = page.evaluate("""() => { const s = document.createElement('script');
                                       s.textContent = 'window.injected = true'; document.body.append(s);
                                       return window.injected === true; }""")
    with page.expect_console_message(refused) as elsewhere:
        fetched = page.evaluate("() => fetch('https://example.com/').then(() => 'fetched', () => 'refused')")
    assert (ran, fetched) == (False, "refused")
    assert "script-src" in inline.value.text and "connect-src" in elsewhere.value.text
    page.csp_violations.clear()  # this test's own, on purpose
    page.errors.clear()


def test_a_page_left_behind_never_draws_over_the_page_shown(page, stack: LocalStack, catalog) -> None:
    # The overview's answer arrives after the admin moved on to the products: it must not replace them (under load
    # a late overview refresh drew over the products page; the URL said #/products).
    sign_in(page, stack)
    page.locator("#last-sync .badge").wait_for()
    page.goto(f"{stack.base}/#/settings")
    wait_view(page, "#force-sync")
    held: list[Any] = []
    page.route("**/api/sync/status*", lambda route: route.continue_() if held else held.append(route))
    with page.expect_request(lambda request: "/api/sync/status" in request.url):
        page.goto(f"{stack.base}/#/overview")
    while not held:  # the route's handler runs on Playwright's loop, which turns while the page waits
        page.wait_for_timeout(50)
    page.goto(f"{stack.base}/#/products")
    wait_view(page, "#products-table")
    with page.expect_response(lambda response: "/api/sync/status" in response.url) as answered:
        for route in held:
            route.continue_()
    answered.value.finished()
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
    assert page.locator("#products-table").is_visible()
    assert page.locator("#last-sync").count() == 0
    assert not page.errors
