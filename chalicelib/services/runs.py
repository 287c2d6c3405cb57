"""Run history, newest first, and one run with its errors grouped by cause."""
from __future__ import annotations

from ..domain.answers.runs import ErrorGroup, RowKey, RunDetail, RunPage
from ..domain.cursor import decode_cursor, encode_cursor
from ..domain.errors import InvalidRequestError
from ..domain.runs import RUN_ID_SHAPE, TIME_SHAPE
from ..ports import RunCursor
from .context import SyncContext
from .status import with_progress

DEFAULT_LIMIT, MAX_LIMIT = 20, 100


def list_runs(ctx: SyncContext, feed: str = "products", limit: int = DEFAULT_LIMIT,
              cursor: str | None = None) -> RunPage:
    """A page of runs; ``next_cursor`` continues it (None on the last page). Bad input: InvalidRequestError."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_LIMIT}; got {limit}")
    after = None
    if cursor:
        started_at, run_id = decode_cursor(cursor, {"started_at": TIME_SHAPE, "run_id": RUN_ID_SHAPE})
        after = RunCursor(started_at, run_id)
    runs, following = ctx.runs.list_runs(feed, limit, after)
    rows_total = ctx.control.feed_states.get(feed).rows_total
    return {"items": [with_progress(ctx, run, rows_total) for run in runs],
            "next_cursor": encode_cursor({"started_at": following.started_at, "run_id": following.run_id})
            if following else None}


def run_detail(ctx: SyncContext, run_id: str) -> RunDetail | None:
    """The run with its failed rows grouped by failure code (count, the first example's message and a few example
    rows each); None if there is none."""
    run = ctx.runs.get(run_id)
    if run is None:
        return None
    codes = sorted(run.error_counts.items(), key=lambda item: (-item[1], item[0]))
    errors: list[ErrorGroup] = []
    for code, count in codes:
        examples = [RowKey(id=example["id"], scope=example["scope"], message=example["message"])
                    for example in run.error_examples.get(code, [])]
        errors.append({"code": code, "count": count, "message": examples[0]["message"] if examples else code,
                       "examples": examples})
    view = with_progress(ctx, run, ctx.control.feed_states.get(run.feed).rows_total)
    options = run.options
    return {**view, "export_disabled_reason": run.export_disabled_reason, "deadline_at": run.deadline_at,
            "sealed_at": run.sealed_at, "errors": errors,
            "options": {"force": options.force, "cleanup": options.cleanup, "ids": list(options.ids),
                        "id_type": options.id_type, "batch_size": options.batch_size,
                        "thread_count": options.thread_count, "continues": options.resumes[-1] if options.resumes
                        else None},
            "read_complete": run.read_complete, "unknown_ids": list(run.unknown_ids)}
