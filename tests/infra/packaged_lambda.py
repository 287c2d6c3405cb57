"""A function of the deployment package in its own isolated python3.12 process, driven as Lambda drives it.

One process per function (a warm Lambda container): lambda_bootstrap.py imports the handler at start, then each
invoke() sends an event and its context and reads back the result, the error and the AWS calls made. The process
sees only the unpacked package, the environment the stack gave the function and what Lambda itself sets.
"""
from __future__ import annotations

import json
import selectors
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")


class FunctionFailedError(AssertionError):
    """The packaged function did not start or did not answer."""


@dataclass
class Invocation:
    result: Any
    error: dict[str, Any] | None
    calls: list[dict[str, Any]]
    seconds: float = 0.0

    def ok(self) -> Any:
        if self.error:
            raise FunctionFailedError(f"{self.error['type']}: {self.error['message']}\n{self.error['trace']}")
        return self.result


@dataclass
class PackagedFunction:
    name: str  # the deployed function's name
    handler: str  # e.g. "app.export_batch"
    python: str  # the python3.12 interpreter
    task_root: Path
    environment: dict[str, str]  # everything the process sees: the function's and Lambda's own variables
    log: Path
    timeout_seconds: int = 300
    memory_mb: int = 1024
    arn: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)  # every call of this container, init included
    sys_path: list[str] = field(default_factory=list)  # what the process could import from
    _process: subprocess.Popen | None = None

    def launch(self) -> None:
        """Start the process (Lambda's init phase); wait_ready() waits for the handler's import."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            [self.python, "-I", "-S", str(BOOTSTRAP), str(self.task_root), self.handler], cwd=self.task_root,
            env=self.environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log.open("ab"),
            text=True)

    def wait_ready(self) -> None:
        ready = self._read(timeout=120)
        if not ready.get("ready"):
            raise FunctionFailedError(f"{self.name}: the package does not import {self.handler} in a clean "
                                      f"python3.12:\n{ready.get('error', {}).get('trace', ready)}")
        self.calls += ready["calls"]
        self.sys_path = ready["sys_path"]

    def invoke(self, event: dict[str, Any], timeout: float | None = None) -> Invocation:
        request_id = str(uuid.uuid4())
        context = {"function_name": self.name, "function_version": "$LATEST", "invoked_function_arn": self.arn,
                   "memory_limit_in_mb": str(self.memory_mb), "aws_request_id": request_id,
                   "log_group_name": f"/aws/lambda/{self.name}",
                   "log_stream_name": f"2026/01/01/[$LATEST]{uuid.uuid4().hex}",
                   "timeout_seconds": self.timeout_seconds}
        trace = f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=1"
        answer = self._ask({"op": "invoke", "event": event, "context": context, "trace_id": trace},
                           timeout or self.timeout_seconds)
        self.calls += answer["calls"]
        return Invocation(answer["result"], answer["error"], answer["calls"], answer["seconds"])

    def import_all(self, package: str) -> list[dict[str, Any]]:
        answer = self._ask({"op": "import_all", "package": package}, 120)
        self.calls += answer["calls"]
        return answer["failures"]

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        return self._read(timeout)

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                self._process.kill()
                raise FunctionFailedError(f"{self.name} did not answer within {timeout:.0f} s:\n{self.log_tail()}")
        line = self._process.stdout.readline()
        if not line:
            raise FunctionFailedError(f"{self.name} exited with {self._process.wait()}:\n{self.log_tail()}")
        return json.loads(line)
