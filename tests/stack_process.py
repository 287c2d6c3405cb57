"""Starting the embedded local stack as `make run` does (a subprocess) for the e2e and browser tests."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from chalicelib import credentials, settings
from chalicelib.adapters.cognito_sign_in import access_token

REPO = Path(__file__).resolve().parents[1]
STACK_FILE = REPO / ".local" / "stack.json"
START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStack:
    """The stack subprocess, what it wrote to stack.json, and an HTTP helper."""

    def __init__(self, process: subprocess.Popen, output: Path, port: int):
        self.process = process
        self.output = output
        self.base = f"http://127.0.0.1:{port}"
        self.info: dict[str, Any] = {}
        self._tokens: dict[str, str] = {}

    def output_tail(self, lines: int = 60) -> str:
        text = self.output.read_text(encoding="utf-8", errors="replace") if self.output.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def token(self, user: str = "admin") -> str:
        """An access token of the stack's user (admin or operator), signed in as the dashboard does."""
        if user not in self._tokens:
            cognito = self.info["cognito"]
            credentials = cognito["users"][user]
            self._tokens[user] = access_token(cognito["endpoint_url"], cognito["region"], cognito["client_id"],
                                              credentials["username"], credentials["password"])
        return self._tokens[user]

    def request(self, method: str, path: str, token: str | None = None,
                body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, data=body, method=method)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path, token)

    def status(self) -> dict[str, Any]:
        code, _, body = self.get("/api/sync/status", self.token())
        assert code == 200, body
        return json.loads(body)

    def first_sync(self, timeout: float = 120) -> dict[str, Any]:
        """The run the scheduler starts with the stack, once it succeeded (its status says why if it failed)."""
        def succeeded() -> dict[str, Any] | None:
            run = self.status()["last_sync"]
            assert not run or run["status"] != "Failed", run
            return run if run and run["status"] == "Success" else None
        return self.wait_for("the first sync to succeed", succeeded, timeout)

    def fire_scheduled_sync(self) -> None:
        """The scheduled sync now, as if its rule fired (the stack's SIGUSR1): a test chooses when it starts."""
        self.process.send_signal(signal.SIGUSR1)

    def next_run(self, after_run_id: str | None, what: str, timeout: float = 120) -> dict[str, Any]:
        """The run that follows ``after_run_id`` (the last run before it was started), once it ended."""
        def ended() -> dict[str, Any] | None:
            run = self.status()["last_sync"]
            return run if run and run["run_id"] != after_run_id and run["status"] != "In Progress" else None
        return self.wait_for(what, ended, timeout)

    def wait_for(self, what: str, check: Callable[[], Any], timeout: float, every: float = 0.2) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the stack exited ({self.process.returncode}) waiting for {what}"
            if result := check():
                return result
            time.sleep(every)
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def wait_started(stack: LocalStack) -> None:
    def started() -> bool:
        try:
            info = json.loads(STACK_FILE.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if info.get("pid") != stack.process.pid:  # written by this process, not an earlier stack
            return False
        stack.info = info
        try:
            return stack.get("/api/health")[0] == 200
        except OSError:
            return False
    stack.wait_for("stack.json and /api/health", started, START_TIMEOUT)


@contextmanager
def running_stack(tmp_dir: Path, *, sigint_ignored: bool = False, **env: str) -> Iterator[LocalStack]:
    """A local stack with ``env`` on top of this environment (minus the app's settings, which come from the
    stack alone); stopped with Ctrl-C as a developer would, killed if it does not stop. ``sigint_ignored``: started
    as a shell without job control starts a background job (`make run &` in a script), SIGINT ignored."""
    port = free_port()
    environment = {name: value for name, value in os.environ.items()
                   if name not in vars(settings).values() and name != credentials.EVENTS_SECRET}
    environment.pop("POWERTOOLS_LOG_LEVEL", None)  # the tests at large quieten it; the stack's output should be whole
    environment.update(PORT=str(port), PYTHONUNBUFFERED="1", **env)
    STACK_FILE.unlink(missing_ok=True)
    output = tmp_dir / "output.log"
    with open(output, "wb") as sink:
        command = [sys.executable, "-m", "local_stack"]
        if sigint_ignored:  # what the process inherits across exec, as from such a shell
            command = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *command]
        process = subprocess.Popen(command, cwd=REPO, env=environment,
                                   stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT)
    handle = LocalStack(process, output, port)
    try:
        try:
            wait_started(handle)
        except BaseException:
            print(handle.output_tail())
            raise
        yield handle
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
