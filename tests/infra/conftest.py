"""The deployment's numbers (package sizes, the rehearsal's time) at the end of the test session's output."""
from __future__ import annotations

from typing import Any

SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SUMMARY:
        terminalreporter.section("deployment")
        for line in SUMMARY:
            terminalreporter.write_line(line)
