"""Catalog reconciliation (admins): run one, read the reports with their history, take a report's actions."""
from __future__ import annotations

from chalice import NotFoundError, Response

from .. import container
from ..domain.access import RECONCILE
from ..domain.answers.reconciliation import Reconciliation
from ..domain.answers.reconciliation import ReconciliationReport as ReportView
from ..domain.client_input import quoted
from ..domain.errors import LockHeldError
from ..domain.reconciliation_report import DELETE, RESEND
from ..domain.runs import RUN_ID_SHAPE
from ..observability import logger
from ..services.reconciliation import (
    NotReconcilableError,
    ReconciliationUnavailableError,
    ReportNotReadyError,
    reconciliation_history,
    report_detail,
    request_reconciliation,
    take_action,
)
from .auth import requires, who
from .blueprint import JSON, api, error, unavailable
from .params import feed, query


def _report_id(report_id: str) -> str:
    """Only what could be a report id reaches the store: anything else is no report, without a read."""
    if not RUN_ID_SHAPE.fullmatch(report_id):
        raise NotFoundError(f"no reconciliation report {quoted(report_id)}")
    return report_id


@api.route("/reconciliation", methods=["GET"])
@requires(RECONCILE)
def get_reconciliation() -> Reconciliation:
    return reconciliation_history(container.context(), feed(query({"feed": 100})))


@api.route("/reconcile", methods=["POST"], content_types=["*/*"])
@requires(RECONCILE)
def post_reconcile() -> Response:
    name = feed(query({"feed": 100}))
    try:
        report = request_reconciliation(container.context(), name)
    except NotReconcilableError as impossible:
        return error(409, "ConflictError", str(impossible))
    except ReconciliationUnavailableError as failure:
        return unavailable(str(failure))
    logger.info("reconciliation requested", extra={"feed": name, "report_id": report.report_id, "by": who()})
    return Response(body=report.summary(), status_code=202,
                    headers={**JSON, "Location": f"/api/reconciliation/{report.report_id}?feed={name}"})


@api.route("/reconciliation/{report_id}", methods=["GET"])
@requires(RECONCILE)
def get_reconciliation_report(report_id: str) -> ReportView:
    name = feed(query({"feed": 100}))
    detail = report_detail(container.context(), name, _report_id(report_id))
    if detail is None:
        raise NotFoundError(f"no reconciliation report {quoted(report_id)} of the {name} feed")
    return detail


def _act(report_id: str, action: str) -> Response:
    name = feed(query({"feed": 100}))
    try:
        accepted = take_action(container.context(), name, _report_id(report_id), action)
    except LockHeldError as held:
        return error(409, "ConflictError", f"a sync is in flight (run {held.run_id}); try again once it ends",
                     run_id=held.run_id)
    except ReportNotReadyError as not_ready:
        return error(409, "ConflictError", str(not_ready))
    except ReconciliationUnavailableError as failure:
        return unavailable(str(failure))
    if accepted is None:
        raise NotFoundError(f"no reconciliation report {quoted(report_id)} of the {name} feed")
    logger.info("reconciliation action requested", extra={**accepted, "by": who()})
    return Response(body=accepted, status_code=202,
                    headers={**JSON, "Location": f"/api/sync/runs/{accepted['run_id']}"})


@api.route("/reconciliation/{report_id}/resend", methods=["POST"], content_types=["*/*"])
@requires(RECONCILE)
def post_reconciliation_resend(report_id: str) -> Response:
    return _act(report_id, RESEND)


@api.route("/reconciliation/{report_id}/delete", methods=["POST"], content_types=["*/*"])
@requires(RECONCILE)
def post_reconciliation_delete(report_id: str) -> Response:
    return _act(report_id, DELETE)
