"""Metrics: EMF lines when enabled (as in Lambda), nothing at all when disabled (local stack, tests)."""
import json

from chalicelib import observability
from chalicelib.observability import RETRIES, RUNS_FAILED, count, invocation


def emf_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"_aws"')]


def test_an_invocation_publishes_its_metrics_once_when_enabled(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "0")
    with invocation("export_batch"):
        count(RETRIES, 2)
        count(RUNS_FAILED)
    lines = emf_lines(capsys.readouterr().out)
    assert len(lines) == 1
    assert lines[0]["Retries"] == [2.0] and lines[0]["RunsFailed"] == [1.0]
    assert lines[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "CatalogSync"


def test_metrics_are_flushed_even_when_the_handler_fails(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "0")
    try:
        with invocation("export_batch"):
            count(RETRIES)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert emf_lines(capsys.readouterr().out)[0]["Retries"] == [1.0]


def test_disabled_metrics_print_nothing_and_do_not_pile_up(capsys):
    with invocation("export_batch"):
        count(RETRIES, 5)
    assert emf_lines(capsys.readouterr().out) == []
    assert not observability.metrics.metric_set
