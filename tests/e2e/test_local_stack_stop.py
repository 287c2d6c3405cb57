"""Ctrl-C stops the local stack as `make run` starts it: promptly, with nothing left running and no trace.
Its own stack (in its own module, so it never stops a stack another test uses)."""
from __future__ import annotations

import signal
import urllib.request

import pytest

from tests.stack_process import STACK_FILE, running_stack

STOP_BOUND = 60  # seconds: a generous bound on a busy machine; BENCHMARKS.md has how long a stop takes


def test_stops_cleanly_on_sigint(tmp_path) -> None:
    with running_stack(tmp_path, SAMPLE_PRODUCTS="30", SYNC_INTERVAL="3600") as stack:
        stack.first_sync()
        moto_url = stack.info["aws_endpoint_url"]
        stack.process.send_signal(signal.SIGINT)
        assert stack.process.wait(timeout=STOP_BOUND) == 0
        output = stack.output_tail(400)
        assert "Traceback" not in output and output.rstrip().endswith("Stopped.")
        assert not STACK_FILE.exists()
        with pytest.raises(OSError):  # the moto server went with it
            urllib.request.urlopen(f"{moto_url}/moto-api/data.json", timeout=2)
