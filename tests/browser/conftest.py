"""One local stack per module, Debian's Chromium (never a downloaded browser) and a signed-in page; a page that
breaks the Content-Security-Policy fails its test."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.stack_process import REPO, LocalStack, running_stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / "tests" / "browser" / "screenshots"
PRODUCTS = 40
COOLDOWN = 120


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            tail = getattr(value, "output_tail", None)
            if callable(tail):
                report.sections.append(("local stack output (last lines)", tail()))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    # One scheduled sync (at start); the next ones come from change events and the dashboard's force sync.
    with running_stack(tmp_path_factory.mktemp("browser-stack"), SAMPLE_PRODUCTS=str(PRODUCTS), SYNC_INTERVAL="3600",
                       EVENT_DEBOUNCE_SECONDS="1", COOLDOWN_SECONDS=str(COOLDOWN),
                       MAGENTO_RETRY_BUDGET_SECONDS="2") as handle:
        yield handle


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing (/usr/bin/chromium): "
                    "apt-get install -y --no-install-recommends chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


@pytest.fixture
def page(browser, stack: LocalStack):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.base)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    violations: list[str] = []  # Chromium reports each thing the policy refused on the console
    page.on("pageerror", lambda error: errors.append(str(error)))

    def on_console(message) -> None:
        if _is_csp_violation(message.text):
            violations.append(message.text)
            errors.append(f"CSP violation: {message.text}")
    page.on("console", on_console)
    page.csp_violations = violations

    def on_dialog(dialog) -> None:  # a confirm is accepted; an alert means script ran that should not have
        if dialog.type == "alert":
            errors.append(f"unexpected alert: {dialog.message}")
        dialog.accept()
    page.on("dialog", on_dialog)
    page.errors = errors
    yield page
    context.close()
    assert not violations, f"the dashboard broke its Content-Security-Policy: {violations}"


def sign_in(page, stack: LocalStack, user: str = "admin", url: str | None = None) -> None:
    """Opens ``url`` (the dashboard's home by default) and signs in through the form; the link's view follows."""
    credentials = stack.info["cognito"]["users"][user]
    page.goto(url or stack.base + "/")
    page.fill("#username", credentials["username"])
    page.fill("#password", credentials["password"])
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#app:not([hidden])")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def wait_view(page, selector: str) -> None:
    """Waits for ``selector``; on a timeout, fails with what the dashboard's message line said."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        page.wait_for_selector(selector)
    except PlaywrightTimeout:
        pytest.fail(f"{selector} never appeared; the dashboard said: {page.locator('#message').inner_text()!r}; "
                    f"page errors: {getattr(page, 'errors', [])}")
    # A view is built of elements: a stray text node at its top (such as "null") is a rendering slip.
    stray = page.evaluate("() => [...document.querySelector('#view').childNodes]"
                          ".filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent)")
    assert not stray, stray
