"""Shared fixtures: moto in place of AWS (tables from the production models, made once per session and emptied
between tests: tests/moto_session.py), and in-memory fakes."""
from __future__ import annotations

import os
from typing import Any

import pytest
from moto import mock_aws

from chalicelib import container, observability
from chalicelib.services.context import SyncContext
from chalicelib.settings import Settings
from local_stack import moto_patched
from tests import stub_feeds
from tests.fakes import (
    InMemoryBatchStore,
    InMemoryFeedStores,
    InMemoryQueue,
    InMemoryReconciliationStore,
    InMemoryRunStore,
    InMemorySource,
    InMemorySyncTrigger,
    RecordingDestination,
    in_memory_control,
)
from tests.infra.summary import SUMMARY
from tests.moto_session import MotoResources, empty, provision

# No test may reach a real AWS account, whatever the machine's environment holds.
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                  POWERTOOLS_SERVICE_NAME="catalog-sync", POWERTOOLS_TRACE_DISABLED="1",
                  POWERTOOLS_METRICS_DISABLED="1", POWERTOOLS_LOG_LEVEL="WARNING")

INGESTION_KEY = "test-destination-key"


@pytest.fixture(autouse=True)
def _metrics_of_this_test_only():
    """Services called outside a handler add metrics that no invocation flushes: drop them between tests."""
    observability.metrics.clear_metrics()
    yield
    observability.metrics.clear_metrics()


@pytest.fixture(scope="session")
def _moto() -> MotoResources:
    """moto's AWS for the session, started by the first test that needs it. Its DynamoDB requests run one at a time,
    as in the local stack's moto: its backend has no locks (two writes of items with one partition key from two
    threads can lose one), and the row writers and exporters call it from several threads."""
    moto_patched.serialize_requests()
    with mock_aws():
        yield provision()


@pytest.fixture
def aws(_moto: MotoResources) -> MotoResources:
    """moto's AWS with the service's tables (from the PynamoDB models), queues and hub buckets, empty: emptied before
    the test too, as a test that does not use this fixture may still have written to the session's moto."""
    container.reset()
    empty()
    yield _moto
    container.reset()
    empty()


@pytest.fixture
def fake_ctx() -> SyncContext:
    """The services wired to in-memory fakes of every port."""
    runs = InMemoryRunStore()
    return SyncContext(Settings(batch_max_rows=10), InMemorySource(), RecordingDestination(), InMemoryFeedStores(),
                       runs, in_memory_control(), InMemoryQueue(), InMemoryBatchStore(runs),
                       reconciliations=InMemoryReconciliationStore())


@pytest.fixture
def every_feed(monkeypatch) -> tuple[str, ...]:
    """Adobe's six feeds registered (stubs for those the app does not define yet: tests/stub_feeds.py)."""
    return stub_feeds.register(monkeypatch)


@pytest.fixture
def fake_trigger() -> InMemorySyncTrigger:
    return InMemorySyncTrigger()


@pytest.fixture(scope="session")
def _ingestion_service():
    from local_stack.ingestion import IngestionService

    service = IngestionService(api_key=INGESTION_KEY)
    service.start()
    yield service
    service.stop()


@pytest.fixture
def ingestion(_ingestion_service):
    """The simulated ingestion service (docs/ingestion-api.md) on a free port, emptied for each test."""
    _ingestion_service.reset()
    yield _ingestion_service
    _ingestion_service.reset()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`make test`'s two workers (`-n 2`, pytest-xdist's default "load" distribution): the local-stack, browser and
    deployment tests in one of them (tests/schedule.py). Any other `--dist` asked for is pytest-xdist's own."""
    if config.getvalue("dist") != "load":
        return None
    from tests.schedule import StacksInOneWorker

    return StacksInOneWorker(config, log)


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)  # set in a pytest-xdist worker
    if workeroutput is not None:
        workeroutput["deployment"] = list(SUMMARY)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """In the controlling process (pytest-xdist): the deployment lines of each worker."""
    SUMMARY.extend(getattr(node, "workeroutput", {}).get("deployment", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SUMMARY:
        terminalreporter.section("deployment")
        for line in SUMMARY:
            terminalreporter.write_line(line)
