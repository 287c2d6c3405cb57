"""The rehearsal's AWS: moto's server (tests/infra/moto_stack) in a subprocess, `infra/deploy.py` run against it as
`make deploy` runs it, and what a stack holds once deployed (outputs, resources, parameters)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
INFRA_PYTHON = ROOT / ".venv-infra" / "bin" / "python"
REGION = "us-east-1"
# Whatever the machine's environment holds, the rehearsal reaches moto only, with throwaway credentials.
AWS_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": REGION,
                   "AWS_DEFAULT_REGION": REGION}


class RehearsalError(AssertionError):
    """A step of the rehearsal failed; the message carries what the step printed."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class MotoServer:
    log: Path
    port: int = field(default_factory=free_port)
    _process: subprocess.Popen | None = None
    _clients: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> MotoServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self._process = subprocess.Popen([sys.executable, "-m", "tests.infra.moto_stack", "-H", "127.0.0.1",
                                              "-p", str(self.port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, env=self.environment(inherit=True))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RehearsalError(f"moto exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RehearsalError(f"moto did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def environment(self, inherit: bool = False) -> dict[str, str]:
        """moto's endpoint and throwaway credentials; with ``inherit``, over this environment minus every AWS_
        variable (no profile, session token, config file or CA bundle of the machine's can reach a real account)."""
        base = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")} if inherit else {}
        return {**base, **AWS_ENVIRONMENT, "AWS_ENDPOINT_URL": self.url}

    def client(self, service: str, on_call: Callable[..., None] | None = None) -> Any:
        """A client of moto (one per service, kept: making one loads the service's model); with ``on_call``, a new
        one whose every call is first handed to ``on_call`` (botocore's before-parameter-build)."""
        if on_call is None and service in self._clients:
            return self._clients[service]
        made = boto3.client(service, region_name=REGION, endpoint_url=self.url,
                            aws_access_key_id="testing", aws_secret_access_key="testing",
                            config=Config(retries={"max_attempts": 1}))
        if on_call is None:
            self._clients[service] = made
        else:
            made.meta.events.register("before-parameter-build", on_call)
        return made


def run_deploy(moto: MotoServer, *args: str, timeout: float = 300) -> str:
    """`infra/deploy.py` from .venv-infra, as `make deploy` / `make destroy` run it, against moto."""
    done = subprocess.run([str(INFRA_PYTHON), str(ROOT / "infra" / "deploy.py"), *args], cwd=ROOT,
                          env=moto.environment(inherit=True),
                          capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    if done.returncode:
        raise RehearsalError(f"infra/deploy.py {' '.join(args)} failed ({done.returncode}):\n{output[-6000:]}\n"
                             f"moto:\n{moto.log_tail()}")
    return output


@dataclass
class Stack:
    """A deployed stack as CloudFormation describes it."""

    name: str
    outputs: dict[str, str]
    parameters: dict[str, str]
    resources: dict[str, dict[str, str]]  # logical id -> {"type", "physical"}
    status: str

    @classmethod
    def read(cls, moto: MotoServer, name: str) -> Stack:
        cloudformation = moto.client("cloudformation")
        found = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        summaries = [summary for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=name)
                     for summary in page["StackResourceSummaries"]]
        return cls(name, {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])},
                   {p["ParameterKey"]: p["ParameterValue"] for p in found.get("Parameters", [])},
                   {s["LogicalResourceId"]: {"type": s["ResourceType"], "physical": s.get("PhysicalResourceId", "")}
                    for s in summaries}, found["StackStatus"])

    def physical(self, logical_id: str) -> str:
        return self.resources[logical_id]["physical"]

    def of_type(self, kind: str) -> dict[str, str]:
        return {name: item["physical"] for name, item in self.resources.items() if item["type"] == kind}
