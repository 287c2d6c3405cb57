"""The OpenAPI description of reconciliation, alerts and freshness (merged into api/openapi.py's document)."""
from __future__ import annotations

from typing import Any

from ..domain.feeds import FEEDS
from ..domain.reconciliation import EXAMPLES, KINDS
from ..domain.reconciliation_report import ACTIONS, STATUSES, TRIGGERS
from ..domain.runs import RUN_ID_SHAPE
from ..services.alerts import CODES

Schema = dict[str, Any]
STRING, COUNT = {"type": "string"}, {"type": "integer", "minimum": 0}
TIME = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601 with milliseconds"}


def _null(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    return {"type": "object", "properties": properties,
            "required": [name for name in properties if name not in optional]}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


FRESHNESS = _object({"items": {**COUNT, "description": "items measured (changed within a day of the run's start)"},
                     "p50_seconds": {"type": "number"}, "p95_seconds": {"type": "number"},
                     "max_seconds": {"type": "number"}})


def schemas() -> dict[str, Schema]:
    counts = _object({kind: COUNT for kind in KINDS})
    item = _object({"identity": {"type": "array", "items": STRING,
                                 "description": "the feed's identity values, as the destination names the item"},
                    "id": _null(STRING), "scope": _null({**STRING, "description": "null: no row names this item"})})
    summary = _object({
        "report_id": STRING, "feed": {"enum": list(FEEDS)}, "trigger": {"enum": list(TRIGGERS)},
        "status": {"enum": list(STATUSES)}, "started_at": TIME, "finished_at": _null(TIME), "destination": STRING,
        "error": _null(STRING), "error_code": _null(STRING),
        "source_rows": {**COUNT, "description": "live rows of the feed"}, "source_deletions": COUNT,
        "held": {**COUNT, "description": "items the destination listed, deletions included"}, "in_sync": COUNT,
        "pending": {**COUNT, "description": "rows still to be sent (their batch is in the outbox)"},
        "counts": counts, "run_in_flight": _null({**STRING, "description": "a run held the feed while it was read"}),
        "actions": {"type": "object", "additionalProperties": STRING,
                    "description": "action -> the run that carried it out"}})
    report = {"allOf": [_ref("ReconciliationSummary"), _object({
        "examples": _object({kind: {"type": "array", "maxItems": EXAMPLES, "items": _ref("ReconciledItem")}
                             for kind in KINDS}),
        "actionable": _object({action: COUNT for action in ACTIONS})})]}
    history = _object({"feed": {"enum": list(FEEDS)}, "available": {"type": "boolean"}, "reason": _null(STRING),
                       "latest": _null(_ref("ReconciliationReport")),
                       "history": {"type": "array", "items": _ref("ReconciliationSummary")}})
    accepted = _object({"run_id": STRING, "feed": {"enum": list(FEEDS)}, "mode": {"const": "repair"},
                        "trigger": {"const": "reconciliation"}, "status": {"const": "In Progress"},
                        "started_at": TIME, "report_id": STRING, "action": {"enum": list(ACTIONS)},
                        "items": COUNT})
    alert = _object({"code": {"enum": list(CODES)}, "feed": {"enum": list(FEEDS)},
                     "severity": {"enum": ["error", "warning"]}, "message": STRING,
                     "action": {**STRING, "description": "what to do"}, "run_id": _null(STRING),
                     "last_success_at": _null(TIME), "rows": COUNT},
                    optional=("run_id", "last_success_at", "rows"))
    alerts = _object({"alerts": {"type": "array", "items": _ref("Alert")}, "checked_at": TIME,
                      "freshness_threshold_minutes": COUNT})
    return {"ReconciledItem": item, "ReconciliationSummary": summary, "ReconciliationReport": report,
            "Reconciliation": history, "RepairAccepted": accepted, "Alert": alert, "Alerts": alerts,
            "Freshness": FRESHNESS}


def paths(signed_in: Any, json: Any, error: Any, bad_request: str) -> dict[str, Any]:
    """The routes; ``signed_in``, ``json`` and ``error`` are api/openapi.py's helpers."""
    admins = "Admins only."
    feed = {"name": "feed", "in": "query", "required": False, "schema": {"enum": list(FEEDS), "default": "products"},
            "description": "the feed (Adobe's names)"}
    report_id = {"name": "report_id", "in": "path", "required": True,
                 "schema": {"type": "string", "pattern": f"^{RUN_ID_SHAPE.pattern}$"}, "description": "the report's id"}
    unavailable = ("tokens cannot be checked now; or the request could not be handed to the trigger queue "
                   "(try again)")

    def action(name: str, summary: str) -> dict[str, Any]:
        return {"post": {
            "operationId": f"reconciliation{name.title()}", "summary": summary, "description": admins,
            "parameters": [report_id, feed],
            "responses": signed_in("reconcile the catalog", {
                "202": json(_ref("RepairAccepted"), "a run of mode repair is started",
                            {"Location": {"schema": STRING, "description": "the run's detail"}}),
                "400": error(bad_request), "404": error("no such report of this feed"),
                "409": error("a run is in flight, or the report is still running or failed")}, unavailable)}}

    return {
        "/api/reconciliation": {"get": {
            "operationId": "getReconciliation", "summary": "A feed's latest reconciliation report and its history",
            "description": admins, "parameters": [feed],
            "responses": signed_in("reconcile the catalog", {"200": json(_ref("Reconciliation"), "the reports"),
                                                             "400": error(bad_request)})}},
        "/api/reconcile": {"post": {
            "operationId": "reconcile", "summary": "Compare what the destination holds of a feed with the feed",
            "description": admins + " The feed is read in the background; poll the report.", "parameters": [feed],
            "responses": signed_in("reconcile the catalog", {
                "202": json(_ref("ReconciliationSummary"), "the reconciliation is started (status running)",
                            {"Location": {"schema": STRING, "description": "the report"}}),
                "400": error(bad_request),
                "409": error("this destination cannot say what it holds (the S3 hub), or export is disabled")},
                unavailable)}},
        "/api/reconciliation/{report_id}": {"get": {
            "operationId": "getReconciliationReport", "summary": "One reconciliation report", "description": admins,
            "parameters": [report_id, feed],
            "responses": signed_in("reconcile the catalog", {
                "200": json(_ref("ReconciliationReport"), "the report"), "400": error(bad_request),
                "404": error("no such report of this feed")})}},
        "/api/reconciliation/{report_id}/resend": action("resend", "Resend the report's missing and stale items"),
        "/api/reconciliation/{report_id}/delete": action("delete", "Delete the report's orphaned items at the "
                                                                   "destination"),
        "/api/alerts": {"get": {
            "operationId": "getAlerts", "summary": "What the alarms watch, per feed, with what to do",
            "description": "Admins and operators (or a machine client with the force-sync scope).",
            "responses": signed_in("read the status", {"200": json(_ref("Alerts"), "the alerts (none: all well)"),
                                                       "400": error(bad_request)})}},
    }
