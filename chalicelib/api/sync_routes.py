"""Sync status, run history and force sync."""
from __future__ import annotations

from typing import Any

from chalice import BadRequestError, NotFoundError, Response

from .. import container
from ..domain.access import FORCE_SYNC, READ_STATUS
from ..domain.answers.reconciliation import Alerts
from ..domain.answers.runs import RunDetail, RunPage, SyncStatus
from ..domain.client_input import parse_json, quoted
from ..domain.cooldown import available_at
from ..domain.errors import CooldownActiveError, InvalidRequestError, LockHeldError
from ..domain.resync import MAX_ID_LENGTH, MAX_IDS
from ..domain.runs import RUN_ID_SHAPE, parse_iso
from ..observability import logger
from ..services.alerts import alerts
from ..services.context import SyncContext
from ..services.force import ForceSyncUnavailableError, RateLimitedError, force_sync, parse_force_request, preview
from ..services.runs import DEFAULT_LIMIT, list_runs, run_detail
from ..services.status import cooldown_view, sync_status
from .auth import requires, who
from .blueprint import JSON, api, error, refused, retry_after, unavailable
from .params import feed, query, whole_number

# {"feed": ..., "mode": ...} is some 40 bytes; with ids, up to MAX_IDS of MAX_ID_LENGTH characters (quoted, a comma
# and a space each, two bytes a character): a larger body is a 413 before it is parsed.
MAX_FORCE_BODY_BYTES = 4096 + MAX_IDS * (2 * MAX_ID_LENGTH + 4)


@api.route("/sync/status", methods=["GET"])
@requires(READ_STATUS)
def get_sync_status() -> SyncStatus:
    return sync_status(container.context(), feed(query({"feed": 100})))


@api.route("/alerts", methods=["GET"])
@requires(READ_STATUS)
def get_alerts() -> Alerts:
    query({})
    return alerts(container.context())


@api.route("/sync/runs", methods=["GET"])
@requires(READ_STATUS)
def get_sync_runs() -> RunPage:
    params = query({"feed": 100, "cursor": 1024, "limit": 100})
    try:
        return list_runs(container.context(), feed(params), limit=whole_number(params, "limit", DEFAULT_LIMIT),
                         cursor=params.get("cursor"))
    except InvalidRequestError as invalid:
        raise BadRequestError(str(invalid)) from None


@api.route("/sync/runs/{run_id}", methods=["GET"])
@requires(READ_STATUS)
def get_sync_run(run_id: str) -> RunDetail:
    # Only what could be a run id reaches the store: anything else is no run, without a read.
    detail = run_detail(container.context(), run_id) if RUN_ID_SHAPE.fullmatch(run_id) else None
    if detail is None:
        raise NotFoundError(f"no run {quoted(run_id)}")
    return detail


def _optional_json(raw: bytes | str | None) -> Any:
    """The body's JSON, None for no body (`curl -X POST` sends none); read whatever the Content-Type says."""
    if isinstance(raw, str):  # Chalice types the raw body either way; it hands over bytes
        raw = raw.encode()
    if not (raw or b"").strip():
        return None
    return parse_json(raw or b"", MAX_FORCE_BODY_BYTES)


def _in_flight(ctx: SyncContext, feed: str, held: LockHeldError) -> Response:
    """409: when force sync is available again — once the run ends, and not before the cooldown of the last force
    sync is over (a forced run in flight started it)."""
    until = cooldown_view(ctx, feed)["available_at"]
    when = f"once it ends and not before {until} (the force-sync cooldown)" if until else "once it ends"
    deadline = f"; it ends by {held.expires_at} at the latest" if held.expires_at else ""
    return error(409, "ConflictError", f"a sync is in flight (run {held.run_id}); force sync is available again "
                                       f"{when}{deadline}", run_id=held.run_id, available_at=until)


# Any content type: the body is read as JSON whatever it says (`curl -d '{"mode": "no-reindex"}'` sends a form's).
@api.route("/sync", methods=["POST"], content_types=["*/*"])
@requires(FORCE_SYNC)
def post_force_sync() -> Response:
    ctx = container.context()
    try:
        request = parse_force_request(_optional_json(api.current_request.raw_body))
    except InvalidRequestError as invalid:
        return refused(invalid)
    try:
        if request.dry_run:
            summary = preview(ctx, request)
            logger.info("dry run answered", extra={"feed": request.feed, "by": who()})
            return Response(body=summary, status_code=200, headers={**JSON})
        accepted = force_sync(ctx, request)
    except LockHeldError as held:
        return _in_flight(ctx, request.feed, held)
    except CooldownActiveError as cooling:
        until = available_at(cooling.last_forced_at, ctx.settings.cooldown_seconds) or cooling.last_forced_at
        return _too_soon(ctx, f"force sync was used at {cooling.last_forced_at}; it is available again at {until}",
                         until)
    except RateLimitedError as limited:
        return _too_soon(ctx, str(limited), limited.available_at)
    except ForceSyncUnavailableError as failure:
        return unavailable(str(failure))
    except InvalidRequestError as invalid:
        raise BadRequestError(str(invalid)) from None
    logger.info("force sync requested", extra={"run_id": accepted["run_id"], "mode": accepted["mode"], "by": who()})
    return Response(body=accepted, status_code=202,
                    headers={**JSON, "Location": f"/api/sync/runs/{accepted['run_id']}"})


def _too_soon(ctx: Any, message: str, until: str) -> Response:
    wait = (parse_iso(until) - ctx.clock()).total_seconds()
    return error(429, "TooManyRequestsError", message, {"Retry-After": retry_after(wait)}, available_at=until)
