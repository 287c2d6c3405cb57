"""How `make test` shares the suite between its two pytest-xdist workers.

The tests that start local stacks (they share .local/stack.json), drive the browser or synthesize and rehearse the
deployment (they share infra/build) run in one worker, one after another; every other module is a unit of its own
(its module-scoped fixtures set up once), handed to whichever worker is free. pytest-xdist's own `xdist_group` mark
cannot say this with pytest 9.2: the worker puts the group into `item._nodeid`, which pytest no longer reads."""
from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

ONE_WORKER = ("tests/e2e/", "tests/browser/", "tests/infra/")
GROUP = "local stacks, browser and deployment"


def unit_of(nodeid: str) -> str:
    """The work unit a test belongs to: the one group above, or its module."""
    if nodeid.startswith(ONE_WORKER):
        return GROUP
    return nodeid.split("::", 1)[0]


class StacksInOneWorker(LoadScopeScheduling):
    """pytest-xdist's scheduling by scope (largest units first), with `unit_of` as the scope."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)
