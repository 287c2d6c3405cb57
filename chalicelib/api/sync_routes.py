"""Sync status, run history and force sync."""
from __future__ import annotations

from typing import Any

from chalice import BadRequestError, NotFoundError, Response

from .. import container
from ..domain.access import FORCE_SYNC, READ_STATUS
from ..domain.client_input import parse_json, quoted
from ..domain.cooldown import available_at
from ..domain.errors import CooldownActiveError, InvalidRequestError, LockHeldError
from ..domain.runs import RUN_ID_SHAPE, parse_iso
from ..observability import logger
from ..services.force import ForceSyncUnavailableError, force_sync, parse_force_request
from ..services.runs import DEFAULT_LIMIT, list_runs, run_detail
from ..services.status import sync_status
from .auth import requires, who
from .blueprint import JSON, api, error, refused, retry_after, unavailable
from .params import feed, query, whole_number

MAX_FORCE_BODY_BYTES = 4096  # {"feed": ..., "mode": ...} is some 40 bytes


@api.route("/sync/status", methods=["GET"])
@requires(READ_STATUS)
def get_sync_status() -> dict[str, Any]:
    return sync_status(container.context(), feed(query({"feed": 100})))


@api.route("/sync/runs", methods=["GET"])
@requires(READ_STATUS)
def get_sync_runs() -> dict[str, Any]:
    params = query({"feed": 100, "cursor": 1024, "limit": 100})
    try:
        return list_runs(container.context(), feed(params), limit=whole_number(params, "limit", DEFAULT_LIMIT),
                         cursor=params.get("cursor"))
    except InvalidRequestError as invalid:
        raise BadRequestError(str(invalid)) from None


@api.route("/sync/runs/{run_id}", methods=["GET"])
@requires(READ_STATUS)
def get_sync_run(run_id: str) -> dict[str, Any]:
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


# Any content type: the body is read as JSON whatever it says (`curl -d '{"mode": "no-reindex"}'` sends a form's).
@api.route("/sync", methods=["POST"], content_types=["*/*"])
@requires(FORCE_SYNC)
def post_force_sync() -> Response:
    ctx = container.context()
    try:
        feed, mode = parse_force_request(_optional_json(api.current_request.raw_body))
    except InvalidRequestError as invalid:
        return refused(invalid)
    try:
        accepted = force_sync(ctx, feed, mode)
    except LockHeldError as held:
        return error(409, "ConflictError", f"a sync is in flight (run {held.run_id}); force sync is available "
                                           "again once it ends", run_id=held.run_id)
    except CooldownActiveError as cooling:
        until = available_at(cooling.last_forced_at, ctx.settings.cooldown_seconds)
        wait = (parse_iso(until) - ctx.clock()).total_seconds() if until else 0.0
        return error(429, "TooManyRequestsError", f"force sync was used at {cooling.last_forced_at}; it is "
                                                  f"available again at {until}", {"Retry-After": retry_after(wait)},
                     available_at=until)
    except ForceSyncUnavailableError as failure:
        return unavailable(str(failure))
    logger.info("force sync requested", extra={"run_id": accepted["run_id"], "mode": mode, "by": who()})
    return Response(body=accepted, status_code=202,
                    headers={**JSON, "Location": f"/api/sync/runs/{accepted['run_id']}"})
