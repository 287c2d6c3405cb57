"""A moto server subprocess on 127.0.0.1 for the stack benchmark, with its CPU time and a reset."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class MotoProcess:
    """``python -m moto.server`` (or ``-m local_stack.moto_patched``: the local stack's server, with its "
      "DynamoDB fixes)."""

    def __init__(self, fixed: bool = False, memory_limit_mb: int = 6_000):
        self.port = _free_port()
        self.url = f"http://{HOST}:{self.port}"
        module = "local_stack.moto_patched" if fixed else "moto.server"
        self.command = [sys.executable, "-m", module, "-H", HOST, "-p", str(self.port)]
        self._log = tempfile.NamedTemporaryFile(prefix="bench-moto-", suffix=".log", delete=False)  # noqa: SIM115  (closed in stop())
        self._process: subprocess.Popen | None = None
        self.memory_limit_mb = memory_limit_mb
        self.over_memory = False

    def __enter__(self) -> MotoProcess:
        self._process = subprocess.Popen(self.command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=self._log,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server exited ({self._process.returncode}); see {self._log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=1):
                    threading.Thread(target=self._watch_memory, name="moto-memory", daemon=True).start()
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"moto server did not answer on {self.url}")

    def __exit__(self, *exc) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()
        os.unlink(self._log.name)

    def _watch_memory(self) -> None:
        """Stop the server before the kernel's OOM killer has to (stock moto's transactions can fill memory)."""
        while self.alive:
            if self.peak_rss_mb() > self.memory_limit_mb:
                self.over_memory = True
                self._process.terminate()
                return
            time.sleep(0.5)

    def reset(self) -> None:
        """Forget every resource (``POST /moto-api/reset``)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=60).close()

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def peak_rss_mb(self) -> float:
        """The server's peak resident memory so far (VmHWM; 0 once it is gone)."""
        try:
            status = Path(f"/proc/{self._process.pid}/status").read_text()
        except OSError:
            return 0.0
        return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
