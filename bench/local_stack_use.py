"""`local`: the embedded local stack as a user meets it: a burst of 500 parallel requests, the dashboard's first
render, and how long Ctrl-C takes (the tests check that each works, never how fast)."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .common import Result

NAME = "local"
TITLE = "The local stack: a burst of requests, the dashboard's first render, stopping"
GOAL = ("500 parallel requests (status and product searches) all answered; the overview with its data on screen "
        "within 1 s of a signed-in tab opening; Ctrl-C done within 3 s (idle) and 5 s (mid-sync)")
REPO = Path(__file__).resolve().parent.parent
STACK_FILE = REPO / ".local" / "stack.json"
BURST = 500


def _start(products: int) -> tuple[subprocess.Popen, dict, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PORT": str(port), "SOURCE": "sample", "SAMPLE_PRODUCTS": str(products),
           "SYNC_INTERVAL": "3600"}
    STACK_FILE.unlink(missing_ok=True)
    process = subprocess.Popen([sys.executable, "-m", "local_stack"], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            info = json.loads(STACK_FILE.read_text())
            if info["pid"] == process.pid:
                return process, info, f"http://127.0.0.1:{port}"
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the local stack did not start within 120 s")


def _token(info: dict) -> str:
    from chalicelib.adapters.cognito_sign_in import access_token

    cognito, user = info["cognito"], info["cognito"]["users"]["admin"]
    return access_token(cognito["endpoint_url"], cognito["region"], cognito["client_id"], user["username"],
                        user["password"])


def _status(base: str, token: str) -> dict:
    request = urllib.request.Request(base + "/api/sync/status", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


async def _timed_get(port: int, path: str, token: str) -> tuple[object, float]:
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                     "Connection: close\r\n\r\n".encode())
        await writer.drain()
        answer = await reader.read()
        writer.close()
        return int(answer.split(b" ", 2)[1]), time.perf_counter() - started
    except (OSError, ValueError, IndexError) as error:
        return type(error).__name__, time.perf_counter() - started


async def _burst(port: int, token: str) -> list[tuple[object, float]]:
    paths = ["/api/sync/status", "/api/products?q=ms-0&limit=20"] * (BURST // 2)
    return await asyncio.gather(*(_timed_get(port, path, token) for path in paths))


def _first_render(base: str, info: dict) -> float | None:
    """Milliseconds from a signed-in tab's navigation to the overview's badge, in Debian's Chromium."""
    if not Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import sync_playwright

    user = info["cognito"]["users"]["admin"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(base + "/")
        page.fill("#username", user["username"])
        page.fill("#password", user["password"])
        page.click("#sign-in-form button[type=submit]")
        page.locator("#last-sync .badge").wait_for()
        page.reload()
        page.locator("#last-sync .badge").wait_for()
        rendered = page.evaluate("performance.now()")
        browser.close()
    return rendered


def _stop(process: subprocess.Popen) -> float:
    started = time.perf_counter()
    process.send_signal(signal.SIGINT)
    process.wait(60)
    return time.perf_counter() - started


def run(args) -> Result:
    products = args.rows or 2000
    result = Result(NAME, TITLE, GOAL)
    process, info, base = _start(products)
    try:
        token = _token(info)
        while (run := _status(base, token)["last_sync"]) is None or run["status"] == "In Progress":
            time.sleep(0.5)
        outcomes = asyncio.run(_burst(int(base.rsplit(":", 1)[1]), token))
        render_ms = _first_render(base, info)
    finally:
        idle_stop = _stop(process)
    process, info, base = _start(products)  # stopped again, this time in the middle of its first sync
    mid_sync_stop = _stop(process)
    answered = sum(1 for status, _ in outcomes if status == 200)
    seconds = sorted(elapsed for _, elapsed in outcomes)
    result.add("sample products (× ~2.8 rows)", products)
    result.add(f"answered 200 of {BURST}", answered)
    result.add("burst: median / p95 / slowest request (s)",
               f"{statistics.median(seconds):.2f} / {seconds[int(len(seconds) * 0.95)]:.2f} / {seconds[-1]:.2f}")
    result.add("overview on screen after navigation (ms)", "no chromium" if render_ms is None else round(render_ms))
    result.add("Ctrl-C to exit, idle (s)", round(idle_stop, 2))
    result.add("Ctrl-C to exit, mid-sync (s)", round(mid_sync_stop, 2))
    result.met = (answered == BURST and idle_stop <= 3 and mid_sync_stop <= 5
                  and (render_ms is None or render_ms <= 1000))
    result.verdict = f"{answered}/{BURST} answered; stop {idle_stop:.1f} s idle, {mid_sync_stop:.1f} s mid-sync"
    return result
