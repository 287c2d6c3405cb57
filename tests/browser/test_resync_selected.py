"""'Resync selected' in a real browser on the local stack (a stack of this module's own: its runs and rate limit
are no other test's): products picked in Synced catalog products, or every product a filter matches, are read
again and sent even if unchanged; not held to the force-sync cooldown, rate-limited, admins only."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import PRODUCTS, screenshot, sign_in, wait_view
from tests.stack_process import LocalStack, running_stack

RATE_LIMIT = 3  # seconds between two resyncs of selected items (SELECTED_RESYNC_SECONDS)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    with running_stack(tmp_path_factory.mktemp("resync-selected-stack"), SAMPLE_PRODUCTS=str(PRODUCTS),
                       SYNC_INTERVAL="3600", SELECTED_RESYNC_SECONDS=str(RATE_LIMIT)) as handle:
        handle.wait_for("the first sync", lambda: (handle.status()["last_sync"] or {}).get("status") == "Success", 90)
        yield handle


def _api(stack: LocalStack, path: str) -> dict:
    code, _, body = stack.get("/api" + path, stack.token())
    assert code == 200, body
    return json.loads(body)


def _finished(stack: LocalStack, run_id: str) -> dict:
    def ended() -> dict | None:
        run = _api(stack, f"/sync/runs/{run_id}")
        return run if run["status"] != "In Progress" else None
    return stack.wait_for(f"run {run_id} to end", ended, 90, every=0.5)


def _started_run(page) -> str:
    page.wait_for_selector("#resync-result a")
    return page.locator("#resync-result a").get_attribute("href").rsplit("/", 1)[1]


def test_resync_selected_products_and_everything_a_filter_matches(page, stack: LocalStack) -> None:
    rows = _api(stack, "/products?limit=200")["items"]
    sign_in(page, stack)
    page.click("#nav a[data-section=products]")
    wait_view(page, "#products-table tbody tr")
    first_sku = page.locator("#products-table tbody tr").nth(0).get_attribute("data-sku")
    other_sku = next(sku for sku in page.locator("#products-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.sku)") if sku != first_sku)
    # Ticking one row of a product ticks its other store views: a resync reads the product in every view.
    page.check(f"#products-table tbody tr[data-sku='{first_sku}'] input.pick >> nth=0")
    ticked = page.locator(f"#products-table tbody tr[data-sku='{first_sku}'] input.pick")
    assert all(ticked.nth(i).is_checked() for i in range(ticked.count()))
    page.check(f"#products-table tbody tr[data-sku='{other_sku}'] input.pick >> nth=0")
    assert page.locator("#selected-count").inner_text() == "2 selected"
    screenshot(page, "20-resync-selected")
    page.click("#resync-selected")  # the confirmation is accepted
    run_id = _started_run(page)
    result = page.locator("#resync-result").inner_text()
    assert "Resync of 2 selected products started" in result
    assert "not subject to the 15-minute force-sync cooldown" in result and f"one per {RATE_LIMIT} s" in result
    assert page.locator("#selected-count").inner_text() == "0 selected"
    # At once again: refused (the run is in flight, or the rate limit), and the dashboard says so.
    page.check("#products-table tbody tr input.pick >> nth=0")
    page.click("#resync-selected")
    page.wait_for_function("() => !/^Starting|^Resync of 2/.test(document.querySelector('#resync-result').textContent)")
    refused = page.locator("#resync-result").inner_text()
    assert re.match(r"Refused \((409|429)\)", refused), refused
    screenshot(page, "21-resync-refused")
    run = _finished(stack, run_id)
    assert (run["status"], run["mode"], run["trigger"]) == ("Success", "ids", "force")
    assert sorted(run["options"]["ids"]) == sorted([first_sku, other_sku]) and run["unknown_ids"] == []
    views = [row for row in rows if row["sku"] in (first_sku, other_sku)]
    assert run["rows_exported"] == run["rows_seen"] == len(views)  # unchanged, sent all the same
    assert stack.status()["cooldown"]["available"] is True  # the force-sync cooldown was not used

    # Everything a filter matches: the products of one search, collected page by page.
    stack.wait_for("the rate limit to lapse", lambda: _lapsed(stack), 30)
    found = _api(stack, f"/products?q={first_sku}&limit=200")
    expected = sorted({row["sku"] for row in found["items"]})
    page.goto(f"{stack.base}/#/products?q={first_sku}")
    page.wait_for_function("n => document.querySelector('#resync-matching')?.textContent === "
                           "`Resync all matching (${n} rows)`", arg=found["total"])
    page.click("#resync-matching")
    run_id = _started_run(page)
    many = "products" if len(expected) > 1 else "product"
    assert f"Resync of all {len(expected)} matching {many} started" in page.locator("#resync-result").inner_text()
    run = _finished(stack, run_id)
    assert sorted(run["options"]["ids"]) == expected and run["status"] == "Success"
    screenshot(page, "22-resync-matching")
    assert not page.errors


def _lapsed(stack: LocalStack) -> bool:
    """The last resync of selected items ended and started more than RATE_LIMIT seconds ago."""
    last = _api(stack, "/sync/runs?limit=1")["items"][0]
    started = datetime.fromisoformat(last["started_at"].replace("Z", "+00:00"))
    return last["status"] != "In Progress" and datetime.now(UTC) > started + timedelta(seconds=RATE_LIMIT + 1)


def test_operators_cannot_resync_selected_products(page, stack: LocalStack) -> None:
    sign_in(page, stack, user="operator")
    page.goto(stack.base + "/#/products")
    page.wait_for_selector("#not-allowed")  # the page says it is not open to the operator's role
    assert page.locator("#resync-selected").count() == 0
    code, _, _ = stack.request("GET", "/api/products?limit=1", stack.token("operator"))
    assert code == 403
    assert not page.errors
