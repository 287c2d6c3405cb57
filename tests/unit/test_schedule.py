"""`make test`'s two workers: every test that starts a local stack, drives the browser or touches infra/build shares
one unit of work (so one worker runs them one after another); every other test goes with its module."""
from __future__ import annotations

import re
from pathlib import Path

from tests.schedule import GROUP, unit_of

TESTS = Path(__file__).resolve().parents[1]


def test_the_stack_browser_and_deployment_tests_are_one_unit_and_the_rest_go_by_module():
    assert unit_of("tests/e2e/test_local_api.py::test_x") == GROUP
    assert unit_of("tests/browser/test_dashboard.py::test_y[admin]") == GROUP
    assert unit_of("tests/infra/test_deploy_rehearsal.py::test_z") == GROUP
    assert unit_of("tests/functional/test_api_sync.py::test_a[p@x]") == "tests/functional/test_api_sync.py"
    assert unit_of("tests/unit/test_feed.py::TestX::test_b") == "tests/unit/test_feed.py"


def test_every_test_folder_that_starts_a_local_stack_is_in_the_group():
    starts_stacks = re.compile(r"^from tests\.stack_process import .*\brunning_stack\b", re.MULTILINE)
    starters = {path.relative_to(TESTS).parts[0] for path in TESTS.rglob("*.py")
                if starts_stacks.search(path.read_text(encoding="utf-8"))}
    assert starters == {"e2e", "browser"}  # the folders found, so that the search is known to work
    assert all(unit_of(f"tests/{folder}/test_m.py::t") == GROUP for folder in starters)
