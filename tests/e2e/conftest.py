"""End-to-end fixtures' helper: a failed test shows the tail of the local stack's output under its report."""
from __future__ import annotations

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            tail = getattr(value, "output_tail", None)
            if callable(tail):
                report.sections.append(("local stack output (last lines)", tail()))
