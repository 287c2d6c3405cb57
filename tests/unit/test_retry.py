"""The one retry helper (chalicelib/domain/retry.py): attempts, backoff, jitter, Retry-After, budgets and deadlines,
on a fake clock (no test sleeps)."""
from __future__ import annotations

import random

import pytest

from chalicelib.adapters import aws
from chalicelib.adapters.dynamo_conflicts import CONFLICTS
from chalicelib.domain.budget import Deadline
from chalicelib.domain.retry import RetriesExhaustedError, RetryPolicy, TransientError


class Clock:
    """A monotonic clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Failing:
    """Fails with the given errors in turn, then answers ``"done"``."""

    def __init__(self, *errors: Exception, cost: float = 0.0, clock: Clock | None = None):
        self.errors, self.calls, self.cost, self.clock = list(errors), 0, cost, clock

    def __call__(self) -> str:
        self.calls += 1
        if self.clock is not None:
            self.clock.now += self.cost  # the try itself takes time
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def _policy(clock: Clock, **more) -> RetryPolicy:
    return RetryPolicy(sleep=clock.sleep, rng=random.Random(7), **more)


def test_a_transient_error_is_tried_again_until_it_passes():
    clock = Clock()
    attempt = Failing(TransientError("503"), TransientError("503"))
    told = []
    assert _policy(clock).call(attempt, on_retry=lambda e, n, p: told.append((str(e), n, p))) == "done"
    assert attempt.calls == 3
    assert [(what, n) for what, n, _ in told] == [("503", 1), ("503", 2)]
    assert [p for *_, p in told] == clock.slept


def test_an_error_that_is_not_retryable_is_raised_at_once():
    clock = Clock()
    attempt = Failing(ValueError("bad request"))
    with pytest.raises(ValueError, match="bad request"):
        _policy(clock).call(attempt)
    assert attempt.calls == 1 and clock.slept == []


def test_full_jitter_draws_each_pause_below_a_doubling_ceiling_capped():
    clock = Clock()
    policy = _policy(clock, budget_seconds=None, attempts=8, base_seconds=0.5, cap_seconds=4.0)
    with pytest.raises(RetriesExhaustedError):
        policy.call(Failing(*[TransientError("x")] * 8))
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    assert len(clock.slept) == 7
    assert all(0 <= pause <= ceiling for pause, ceiling in zip(clock.slept, ceilings, strict=True))


def test_without_jitter_the_pause_is_the_ceiling():
    clock = Clock()
    policy = _policy(clock, budget_seconds=None, attempts=5, base_seconds=0.05, jitter=False)
    with pytest.raises(RetriesExhaustedError) as gave_up:
        policy.call(Failing(*[TransientError("conflict")] * 5))
    assert clock.slept == pytest.approx([0.05, 0.1, 0.2, 0.4])
    assert gave_up.value.attempts == 5 and str(gave_up.value.last) == "conflict"
    assert gave_up.value.waited == pytest.approx(0.75)


def test_a_pause_is_never_shorter_than_retry_after():
    clock = Clock()
    _policy(clock, jitter=False).call(Failing(TransientError("429", retry_after=7.0)))
    assert clock.slept == [7.0]


def test_the_budget_bounds_the_total_of_the_pauses():
    clock = Clock()
    attempt = Failing(*[TransientError("down")] * 10)
    with pytest.raises(RetriesExhaustedError) as gave_up:
        _policy(clock, budget_seconds=3.0, jitter=False).call(attempt)
    assert clock.slept == [0.5, 1.0]  # the next pause (2 s) would make 3.5 s of waiting
    assert gave_up.value.attempts == 3 and gave_up.value.waited == 1.5


def test_a_deadline_stops_the_retries_that_would_leave_no_time_for_a_try():
    clock = Clock()
    deadline = Deadline.after(10.0, clock)
    attempt = Failing(*[TransientError("timeout")] * 10, cost=3.0, clock=clock)
    with pytest.raises(RetriesExhaustedError) as gave_up:
        _policy(clock, budget_seconds=None, jitter=False, reserve_seconds=0.5).call(attempt, deadline)
    # t=3 fails, pause 0.5 (t=3.5), t=6.5 fails, pause 1 (t=7.5), t=10.5 fails: no time left
    assert clock.slept == [0.5, 1.0] and gave_up.value.attempts == 3


def test_a_retry_after_beyond_the_deadline_gives_up_without_waiting():
    clock = Clock()
    with pytest.raises(RetriesExhaustedError):
        _policy(clock, budget_seconds=None).call(Failing(TransientError("429", retry_after=60.0)),
                                                 Deadline.after(30.0, clock))
    assert clock.slept == []


def test_a_zero_pause_does_not_sleep():
    clock = Clock()
    policy = _policy(clock, budget_seconds=None, attempts=3, base_seconds=0.0, jitter=False)
    assert policy.call(Failing(TransientError("replaced"), TransientError("replaced"))) == "done"
    assert clock.slept == []


def test_which_errors_are_retryable_is_part_of_the_policy():
    clock = Clock()
    policy = _policy(clock, retryable=lambda error: isinstance(error, KeyError), jitter=False)
    assert policy.call(Failing(KeyError("gone"))) == "done"
    with pytest.raises(TransientError):
        policy.call(Failing(TransientError("not this policy's")))


def test_the_same_seed_draws_the_same_pauses():
    first, second = Clock(), Clock()
    for clock in (first, second):
        with pytest.raises(RetriesExhaustedError):
            _policy(clock, attempts=4).call(Failing(*[TransientError("x")] * 4))
    assert first.slept == second.slept


def test_aws_throttling_is_botocores_standard_mode_and_conflicts_ours(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    retries = aws.client("sqs").meta.config.retries
    assert retries["mode"] == "standard" and retries["total_max_attempts"] == aws.MAX_ATTEMPTS
    assert not CONFLICTS.jitter and CONFLICTS.base_seconds == 0.05
