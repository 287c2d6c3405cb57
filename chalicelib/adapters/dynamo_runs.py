"""Sync runs in DynamoDB: atomic counters and one finisher (their batches: dynamo_batches.py)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from ..domain.resync import ResyncOptions
from ..domain.runs import IN_PROGRESS, MAX_ERROR_CAUSES, MAX_EXAMPLES_PER_CAUSE, SyncRun
from ..ports import RunCursor, RunStore
from .dynamo_models import SyncRunModel as R
from .dynamo_tables import Tables, bound

RUN_ITEM = "run"
_RUN_FIELDS = [f.name for f in fields(SyncRun)]
_COUNTERS = ("rows_seen", "rows_changed", "rows_deleted", "rows_invalid", "batches_done", "batches_failed",
             "rows_exported", "rows_failed", "rows_retrying", "rows_new", "rows_updated", "rows_unchanged")
# Written by the sync when it seals the run (the exporters only add to their own counters).
_SEALED = ("rows_seen", "rows_changed", "rows_deleted", "rows_invalid", "rows_new", "rows_updated", "rows_unchanged",
           "batches_total", "error", "error_code", "source_read_at", "sealed_at", "read_position", "read_complete")


_MAPS = ("error_counts", "error_examples", "freshness")
_JSON = ("options", "unknown_ids")


def _examples(item: R) -> dict[str, list[dict[str, str]]]:
    stored = item.error_examples.as_dict() if item.error_examples else {}
    return {code: [{name: str(row.get(name) or "") for name in ("id", "scope", "message")}
                   for row in rows if isinstance(row, dict)]
            for code, rows in stored.items() if isinstance(rows, list)}


def _run(item: R) -> SyncRun:
    values = {name: getattr(item, name) for name in _RUN_FIELDS if name not in (*_MAPS, *_JSON)}
    for name in _COUNTERS:
        values[name] = int(values[name] or 0)
    if values["batches_total"] is not None:
        values["batches_total"] = int(values["batches_total"])
    values["read_complete"] = bool(values["read_complete"])
    counts = item.error_counts.as_dict() if item.error_counts else {}
    lags = item.freshness.as_dict() if item.freshness else {}
    return SyncRun(**values, error_counts={cause: int(n) for cause, n in counts.items()},
                   error_examples=_examples(item), freshness={bucket: int(n) for bucket, n in lags.items()},
                   options=ResyncOptions.from_dict(_json(item.options, {})),
                   unknown_ids=tuple(_json(item.unknown_ids, [])))


def _json(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def _stored(run: SyncRun, name: str) -> Any:
    """A run's field as its item keeps it."""
    if name == "options":
        return json.dumps(run.options.to_dict()) if run.options.to_dict() else None
    if name == "unknown_ids":
        return json.dumps(list(run.unknown_ids)) if run.unknown_ids else None
    return getattr(run, name)


def _conditional_failed(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def count_actions(error_counts: Mapping[str, int]) -> list:
    """Increment the map of error causes (ADD cannot reach into a map: SET with if_not_exists)."""
    causes = sorted(error_counts.items(), key=lambda item: -item[1])[:MAX_ERROR_CAUSES]
    return [R.error_counts[cause].set((R.error_counts[cause] | 0) + n) for cause, n in causes]


def freshness_actions(freshness: Mapping[str, int]) -> list:
    """Add a batch's lags to its run's histogram (SET with if_not_exists, as the error causes)."""
    return [R.freshness[bucket].set((R.freshness[bucket] | 0) + n) for bucket, n in sorted(freshness.items())]


def example_actions(error_examples: Mapping[str, list[dict[str, str]]] | None) -> list:
    """A cause keeps the examples it got first (SET with if_not_exists): a few rows, not every batch's."""
    causes = sorted((error_examples or {}).items())[:MAX_ERROR_CAUSES]
    return [R.error_examples[cause].set(R.error_examples[cause] | list(rows[:MAX_EXAMPLES_PER_CAUSE]))
            for cause, rows in causes if rows]


class DynamoRunStore(RunStore):
    def __init__(self, tables: Tables | None = None):
        self._r = (tables or bound()).runs

    def create(self, run: SyncRun) -> None:
        values = {name: _stored(run, name) for name in _RUN_FIELDS}
        self._r(run.run_id, RUN_ITEM, **values).save(condition=R.run_id.does_not_exist())

    def get(self, run_id: str) -> SyncRun | None:
        try:
            return _run(self._r.get(run_id, RUN_ITEM, consistent_read=True))
        except DoesNotExist:
            return None

    def latest(self, feed: str) -> SyncRun | None:
        for item in self._r.feed_started_index.query(feed, scan_index_forward=False, limit=1):
            return _run(item)
        return None

    def list_runs(self, feed: str, limit: int,
                  after: RunCursor | None = None) -> tuple[list[SyncRun], RunCursor | None]:
        start = None
        if after is not None:  # the index's key of the last run shown: the table's key and the index's
            start = {"feed": {"S": feed}, "started_at": {"S": after.started_at}, "run_id": {"S": after.run_id},
                     "item": {"S": RUN_ITEM}}
        page = self._r.feed_started_index.query(feed, scan_index_forward=False, limit=limit, last_evaluated_key=start,
                                          page_size=limit)
        runs = [_run(item) for item in page]
        more = page.last_evaluated_key is not None and len(runs) == limit
        return runs, RunCursor(runs[-1].started_at, runs[-1].run_id) if more else None

    def claim_reindex(self, run_id: str, at: str) -> bool:
        try:
            self._r(run_id, RUN_ITEM).update(actions=[R.progress_at.set(at)],
                                       condition=R.run_id.exists() & R.progress_at.does_not_exist())
            return True
        except UpdateError as update_error:
            if _conditional_failed(update_error):
                return False
            raise

    def note_progress(self, run_id: str, rows_seen: int, rows_changed: int, at: str,
                      read_position: str | None = None) -> None:
        actions: list[Any] = [R.rows_seen.set(rows_seen), R.rows_changed.set(rows_changed), R.progress_at.set(at)]
        if read_position is not None:
            actions.append(R.read_position.set(read_position))
        self._r(run_id, RUN_ITEM).update(actions=actions)

    def seal(self, run: SyncRun) -> SyncRun:
        actions = [getattr(R, name).set(_stored(run, name)) for name in (*_SEALED, "unknown_ids")]
        actions.append(R.rows_failed.add(run.rows_invalid))
        item = self._r(run.run_id, RUN_ITEM)
        item.update(actions=actions + count_actions(run.error_counts) + example_actions(run.error_examples))
        return _run(item)

    def finish(self, run_id: str, status: str, error: str | None, finished_at: str) -> bool:
        try:
            self._r(run_id, RUN_ITEM).update(
                actions=[R.status.set(status), R.error.set(error) if error is not None else R.error.remove(),
                         R.finished_at.set(finished_at)],
                condition=R.status == IN_PROGRESS)
            return True
        except UpdateError as update_error:
            if _conditional_failed(update_error):
                return False
            raise
