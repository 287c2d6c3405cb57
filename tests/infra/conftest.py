"""The deploy rehearsal, run once per session for the modules that judge it, and the deployment's numbers (package
sizes, the rehearsal's time) at the end of the test session's output."""
from __future__ import annotations

from typing import Any

import pytest

from tests.infra.summary import SUMMARY


@pytest.fixture(scope="session")
def dev_template() -> dict[str, Any]:
    from tests.infra.synthesized import synthesize, template

    synthesize()
    return template("dev")


@pytest.fixture(scope="session")
def record(dev_template: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """What the deploy rehearsal saw (tests/infra/rehearsal.py): about a minute, once per session."""
    from tests.infra.rehearsal import rehearse
    from tests.infra.stack_reader import describe

    done = rehearse(tmp_path_factory.mktemp("rehearsal"), dev_template, describe)
    laps = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in done.seconds.items())
    SUMMARY.append(f"deploy rehearsal: {sum(done.seconds.values()):.0f} s ({laps})")
    return done
