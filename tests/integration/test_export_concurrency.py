"""A run's thread count bounds its export: on moto's FIFO export queue, the local stack's queue workers (Lambda's
stand-in) export at most that many of the run's batches at once; without one, a run's batches are exported as
concurrently as there are workers. The destination holds each delivery until the test lets it go, so the bound is
seen by conditions (deliveries in flight, workers that polled and were handed nothing), never by timings."""
from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import fields, replace
from typing import Any

import boto3
import pytest

from chalicelib.adapters.dynamo_batches import DynamoBatchStore
from chalicelib.adapters.dynamo_control import dynamo_control
from chalicelib.adapters.dynamo_feed import DynamoFeedStore
from chalicelib.adapters.dynamo_runs import DynamoRunStore
from chalicelib.adapters.sqs_queue import SqsBatchQueue
from chalicelib.domain.resync import ResyncOptions
from chalicelib.domain.runs import SUCCESS
from chalicelib.ports import Control
from chalicelib.services.context import SyncContext
from chalicelib.services.export import export_batch
from chalicelib.services.sync import start_sync
from chalicelib.settings import Settings
from local_stack.worker import QueueWorker
from tests.fakes import InMemorySource, RecordingDestination
from tests.unit.test_sync_service import Clock, catalog

WORKERS = 4
BATCHES = 6  # 30 products x 2 store views, 10 rows a batch
WAIT = 60  # seconds a condition may take on a loaded machine (a bound on waiting, not a timing asserted)
POLL_PAUSE = 0.02  # seconds a worker rests after an empty receive


class HeldDestination(RecordingDestination):
    """Each delivery waits until the test releases one; counts the deliveries in flight and the most at once."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = threading.Condition()
        self.in_flight = self.most = self.released = self.finished = 0
        self.delivering: set[str] = set()  # the worker threads in a delivery now

    def deliver(self, batch: Any, modified_at: str, deadline: Any = None) -> Any:
        with self.changed:
            self.in_flight += 1
            self.delivering.add(threading.current_thread().name)
            self.most = max(self.most, self.in_flight)
            ticket = self.finished + self.in_flight  # deliveries are let go in the order they started
            self.changed.notify_all()
            if not self.changed.wait_for(lambda: self.released >= ticket, WAIT):
                raise AssertionError("a delivery was never released")
        try:
            return super().deliver(batch, modified_at, deadline)
        finally:
            with self.changed:
                self.in_flight -= 1
                self.delivering.discard(threading.current_thread().name)
                self.finished += 1
                self.changed.notify_all()

    def until(self, condition: Any) -> None:
        with self.changed:
            assert self.changed.wait_for(condition, WAIT), "the condition was not met"

    def release(self, n: int = 1) -> None:
        with self.changed:
            self.released += n
            self.changed.notify_all()


class CountingSqs:
    """The workers' SQS client: counts the receives that came back empty, per worker thread."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.empty: Counter[str] = Counter()
        self.deleted = 0  # messages whose handler returned (the batch settled)
        self.changed = threading.Condition()

    def receive_message(self, **kwargs: Any) -> Any:
        found = self._client.receive_message(**kwargs)
        if not found.get("Messages"):
            with self.changed:
                self.empty[threading.current_thread().name] += 1
                self.changed.notify_all()
            # The workers poll without waiting (one shared lock, four workers: 1 s long polls made a step of the
            # test wait seconds for its idle workers' turns); a pause between empty polls keeps them from spinning.
            time.sleep(POLL_PAUSE)
        return found

    def delete_message(self, **kwargs: Any) -> Any:
        deleted = self._client.delete_message(**kwargs)
        with self.changed:
            self.deleted += 1
            self.changed.notify_all()
        return deleted

    def until_deleted(self, n: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.deleted >= n, WAIT)

    def every_worker_polled_empty_since(self, before: Counter[str], workers: set[str]) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: all(self.empty[w] > before[w] for w in workers), WAIT)


class Serialized:
    """A store whose calls take one lock: moto's in-process DynamoDB is not thread-safe (two settlements at once can
    break its copy of an item: "dictionary keys changed during iteration"), DynamoDB is. The deliveries, which are
    no store's calls, stay concurrent."""

    def __init__(self, real: Any, lock: threading.Lock) -> None:
        self._real, self._lock = real, lock

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._real, name)
        if not callable(found):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return found(*args, **kwargs)
        return call


def exporters_context(ctx: SyncContext) -> SyncContext:
    """What the exporters run with: the same stores, one call at a time (see Serialized)."""
    lock = threading.Lock()
    control = Control(**{f.name: Serialized(getattr(ctx.control, f.name), lock) for f in fields(Control)})
    return replace(ctx, runs=Serialized(ctx.runs, lock), batches=Serialized(ctx.batches, lock), control=control)


@pytest.fixture
def exporting(aws):
    destination = HeldDestination()
    sqs = boto3.client("sqs")
    ctx = SyncContext(Settings(batch_max_rows=10), InMemorySource(catalog(30)), destination, DynamoFeedStore,
                      DynamoRunStore(), dynamo_control(), SqsBatchQueue(sqs, aws["queue_url"]), DynamoBatchStore())
    ctx.clock = Clock()
    # A held delivery never reappears to another worker (in AWS the visibility is 6 x the exporter's timeout).
    sqs.set_queue_attributes(QueueUrl=aws["queue_url"], Attributes={"VisibilityTimeout": "900"})
    counting, stop, lock = CountingSqs(sqs), threading.Event(), threading.Lock()
    exporters = exporters_context(ctx)
    workers = [QueueWorker(f"export-{n}", counting, aws["queue_url"], "arn:aws:sqs:us-east-1:123456789012:export",
                           "us-east-1", lambda event, _: export_batch(exporters, event["Records"][0]["body"]),
                           lambda: None, stop, lock, wait_seconds=0) for n in range(WORKERS)]
    yield ctx, destination, counting, workers
    stop.set()
    destination.release(BATCHES * 4)
    for worker in workers:
        worker.join(WAIT)


def test_a_run_with_thread_count_two_never_has_more_than_two_batches_in_export(exporting):
    ctx, destination, sqs, workers = exporting
    run = start_sync(ctx, trigger="cli", mode="full", options=ResyncOptions(force=True, thread_count=2))
    assert run.batches_total == BATCHES
    for worker in workers:
        worker.start()
    names = {worker.name for worker in workers}
    for done in range(BATCHES):
        busy = min(2, BATCHES - done)
        destination.until(lambda: destination.in_flight == busy)  # noqa: B023 - waited on at once
        # Every worker polled (at least once more) while those deliveries were held: the idle ones were handed
        # nothing, though batches were waiting: their groups were in flight.
        with destination.changed:
            idle = names - destination.delivering
        sqs.every_worker_polled_empty_since(Counter(sqs.empty), idle)
        assert destination.in_flight == busy
        destination.release()
        destination.until(lambda: destination.finished == done + 1)  # noqa: B023
    sqs.until_deleted(BATCHES)
    assert destination.most == 2
    assert ctx.runs.get(run.run_id).status == SUCCESS and len(destination.batches) == BATCHES


def test_without_a_thread_count_a_runs_batches_are_exported_concurrently(exporting):
    ctx, destination, sqs, workers = exporting
    run = start_sync(ctx, trigger="cli", mode="full", options=ResyncOptions(force=True))
    for worker in workers:
        worker.start()
    destination.until(lambda: destination.in_flight == WORKERS)  # every worker holds one of the run's batches
    destination.release(BATCHES)
    sqs.until_deleted(BATCHES)
    assert destination.most == WORKERS
    assert ctx.runs.get(run.run_id).status == SUCCESS and len(destination.batches) == BATCHES
