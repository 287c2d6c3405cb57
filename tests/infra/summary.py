"""The deployment's numbers (package sizes, the rehearsal's time), shown at the end of the test session's output.

In a pytest-xdist worker they travel to the controlling process in its `workeroutput` (tests/conftest.py)."""
from __future__ import annotations

SUMMARY: list[str] = []
