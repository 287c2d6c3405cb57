"""The simulated Magento in its own process (``python -m local_stack.magento``) on 127.0.0.1.

Its own process, not a thread of the stack: it answers with its own interpreter lock, so serving the catalog
never slows the sync, the API and the exporters down (and they never slow it), as a real store is elsewhere.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from .motoserver import HOST, die_with_parent, free_port

_REPO = Path(__file__).resolve().parents[1]


class MagentoProcess:
    """The simulator subprocess: its URL and integration (read from its ``/__sim``) once it answers."""

    def __init__(self, log_path: Path, products: int, seed: int, port: int = 0, check_responses: bool = False):
        self.port = port or free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.command = [sys.executable, "-m", "local_stack.magento", "--host", HOST, "--port", str(self.port),
                        "--products", str(products), "--seed", str(seed), "--quiet"]
        if not check_responses:
            self.command.append("--unchecked-responses")
        self.integration: dict[str, str] = {}
        self._log_path = log_path
        self._process: subprocess.Popen | None = None

    def start(self) -> MagentoProcess:
        """Start the process; ``wait`` until it answers."""
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._log_path, "wb") as log:
            self._process = subprocess.Popen(
                self.command, cwd=_REPO, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                # Its own session: Ctrl-C reaches the stack only, which then stops it.
                start_new_session=True, preexec_fn=die_with_parent if sys.platform == "linux" else None)
        return self

    def wait(self, timeout: float = 60.0) -> dict[str, Any]:
        """Block until the simulator answers; returns its connection details (``GET /__sim``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                code = self._process.returncode if self._process else None
                raise RuntimeError(f"the simulated Magento exited with code {code}; see {self._log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/__sim", timeout=1) as response:
                    info = json.loads(response.read())
                self.integration = dict(info["integration"])
                return info
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the simulated Magento did not answer on {self.base_url} within {timeout:.0f} s; "
                           f"see {self._log_path}")

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, wait: bool = True) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        if not wait:
            return
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
