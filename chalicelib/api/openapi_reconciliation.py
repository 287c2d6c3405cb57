"""The OpenAPI paths of reconciliation and alerts (api/reconciliation_routes.py, api/sync_routes.py)."""
from __future__ import annotations

from typing import Any

from ..domain.feeds import FEEDS
from ..domain.runs import RUN_ID_SHAPE
from .openapi_parts import ADMINS, BAD_REQUEST, LOCATION, OPERATORS, STRING, error, json, signed_in


def paths() -> dict[str, Any]:
    feed = {"name": "feed", "in": "query", "required": False, "schema": {"enum": list(FEEDS), "default": "products"},
            "description": "the feed (Adobe's names)"}
    report_id = {"name": "report_id", "in": "path", "required": True,
                 "schema": {"type": "string", "pattern": f"^{RUN_ID_SHAPE.pattern}$"}, "description": "the report's id"}
    unavailable = ("tokens cannot be checked now; or the request could not be handed to the trigger queue "
                   "(try again)")

    def action(name: str, summary: str) -> dict[str, Any]:
        return {"post": {
            "operationId": f"reconciliation{name.title()}", "summary": summary, "description": ADMINS,
            "parameters": [report_id, feed],
            "responses": signed_in("reconcile the catalog", {
                "202": json("RepairAccepted", "a run of mode repair is started",
                            {"Location": LOCATION}),
                "400": error(BAD_REQUEST), "404": error("no such report of this feed"),
                "409": error("a run is in flight (its id is given), or the report is still running or failed",
                             schema="ActionConflict")}, unavailable)}}

    return {
        "/api/reconciliation": {"get": {
            "operationId": "getReconciliation", "summary": "A feed's latest reconciliation report and its history",
            "description": ADMINS, "parameters": [feed],
            "responses": signed_in("reconcile the catalog", {"200": json("Reconciliation", "the reports"),
                                                             "400": error(BAD_REQUEST)})}},
        "/api/reconcile": {"post": {
            "operationId": "reconcile", "summary": "Compare what the destination holds of a feed with the feed",
            "description": ADMINS + " The feed is read in the background; poll the report.", "parameters": [feed],
            "responses": signed_in("reconcile the catalog", {
                "202": json("ReconciliationSummary", "the reconciliation is started (status running)",
                            {"Location": {"schema": STRING, "description": "the report"}}),
                "400": error(BAD_REQUEST),
                "409": error("this destination cannot say what it holds (the S3 hub), or export is disabled")},
                unavailable)}},
        "/api/reconciliation/{report_id}": {"get": {
            "operationId": "getReconciliationReport", "summary": "One reconciliation report", "description": ADMINS,
            "parameters": [report_id, feed],
            "responses": signed_in("reconcile the catalog", {
                "200": json("ReconciliationReport", "the report"), "400": error(BAD_REQUEST),
                "404": error("no such report of this feed")})}},
        "/api/reconciliation/{report_id}/resend": action("resend", "Resend the report's missing and stale items"),
        "/api/reconciliation/{report_id}/delete": action("delete", "Delete the report's orphaned items at the "
                                                                   "destination"),
        "/api/alerts": {"get": {
            "operationId": "getAlerts", "summary": "What the alarms watch, per feed, with what to do",
            "description": OPERATORS,
            "responses": signed_in("read the status", {"200": json("Alerts", "the alerts (none: all well)"),
                                                       "400": error(BAD_REQUEST)})}},
    }
