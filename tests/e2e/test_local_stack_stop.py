"""Ctrl-C stops the local stack as `make run` starts it: promptly, with nothing left running and no trace.
Its own stack (in its own module, so it never stops a stack another test uses)."""
from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request

import pytest

from tests.stack_process import REPO, STACK_FILE, running_stack

STOP_BOUND = 60  # seconds: a generous bound on a busy machine; BENCHMARKS.md has how long a stop takes


def test_stops_cleanly_on_sigint(tmp_path) -> None:
    # Started as a script's background job is (SIGINT ignored): Ctrl-C and `kill -INT` must stop it all the same.
    # (Before the stack installed its own handler, such a stack never stopped: issue 11's run under a CPU hog.)
    with running_stack(tmp_path, sigint_ignored=True, SAMPLE_PRODUCTS="30", SYNC_INTERVAL="3600") as stack:
        stack.first_sync()
        moto_url = stack.info["aws_endpoint_url"]
        stack.process.send_signal(signal.SIGINT)
        try:
            code = stack.process.wait(timeout=STOP_BOUND)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the stack did not stop within {STOP_BOUND} s of SIGINT:\n{stack.output_tail()}")
        assert code == 0, stack.output_tail()
        output = stack.output_tail(400)
        assert "Traceback" not in output and output.rstrip().endswith("Stopped."), output
        assert not STACK_FILE.exists()
        with pytest.raises(OSError):  # the moto server went with it
            urllib.request.urlopen(f"{moto_url}/moto-api/data.json", timeout=2)


# A sync left running when the stack stops (the scheduler past the grace period): moto goes from under it, and it
# fails. It must not log nor print a traceback after "Stopped.", however late the exiting thread runs.
ABANDONED_SYNC = """
import logging, threading, time
from pathlib import Path
from local_stack import stack as local

local._configure_logging()
local.STACK_FILE = Path({stack_file!r})
local.STOP_GRACE_SECONDS = 0.1
stack = local.Stack()
gone = threading.Event()

def sync():
    gone.wait()
    logging.getLogger("catalog-sync").error("run failed: moto went away")
    raise ConnectionError("moto went away")  # uncaught: the thread's traceback

class Moto:
    def stop(self, wait=True):
        gone.set()
        time.sleep(1.0)  # a busy machine runs the failing thread before the stack exits

thread = threading.Thread(target=sync, name="scheduler", daemon=True)
thread.start()
stack.threads, stack.moto = [thread], Moto()
stack.stop(0)
"""


def test_a_sync_abandoned_at_stop_leaves_stopped_as_the_last_line(tmp_path) -> None:
    answer = subprocess.run([sys.executable, "-c", ABANDONED_SYNC.format(stack_file=str(tmp_path / "stack.json"))],
                            cwd=REPO, capture_output=True, text=True, timeout=STOP_BOUND, check=False)
    output = answer.stdout + answer.stderr
    assert answer.returncode == 0, output
    assert "Not waiting for scheduler" in output, output
    assert "Traceback" not in output and "run failed" not in output, output
    assert answer.stdout.rstrip().endswith("Stopped."), output
