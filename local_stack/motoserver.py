"""A moto server in a subprocess on 127.0.0.1: the local stack's AWS."""
from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
_REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port nobody listens on right now (bound on loopback only)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def die_with_parent() -> None:
    # If the stack is killed outright (SIGKILL), the kernel still stops moto instead of orphaning it.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class MotoServer:
    """moto's server (with the fixes in moto_patched) bound to loopback, never the default 0.0.0.0:5000."""

    def __init__(self, log_path: Path, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._log_path = log_path
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> MotoServer:
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._log_path, "wb") as log:  # kept apart: its output is not the stack's
            self._process = subprocess.Popen(
                [sys.executable, "-m", "local_stack.moto_patched", "-H", HOST, "-p", str(self.port)],
                cwd=_REPO, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                # Its own session: Ctrl-C reaches the stack only, which then stops moto in order.
                start_new_session=True, preexec_fn=die_with_parent if sys.platform == "linux" else None)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server exited with code {self._process.returncode}; "
                                   f"see {self._log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not answer on {self.url} within {timeout:.0f} s")

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, wait: bool = True) -> None:
        """Gone at once: moto holds everything in memory, which goes with it, so there is nothing to let it finish
        (asked to terminate, it took seconds on a busy machine)."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.kill()
        if wait:
            self._process.wait()
