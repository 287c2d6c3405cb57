"""The deploy rehearsal (tests/infra/rehearsal.py), judged: the packaged code run as Lambda runs it, the permissions
each function's calls needed, and `make deploy` / `make destroy` (the dashboard, the first admin, an update).

The rehearsal runs once per session (tests/infra/conftest.py, about a minute); each test judges one part of what it
recorded; test_deployed_stack.py judges the stack's resources.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.infra import permissions
from tests.infra.rehearsal import ADMIN, UPDATE, UPDATED_ALARM_EMAIL, Record
from tests.infra.synthesized import BUILD, ROOT, function_of, function_roles, infra_module

iam = infra_module("iam")
REGION, ACCOUNT = "us-east-1", "123456789012"
RETAINED = {"AWS::DynamoDB::Table", "AWS::SecretsManager::Secret", "AWS::Cognito::UserPool"}


# --- The package as Lambda runs it -----------------------------------------------------------------------------
def test_every_function_runs_the_package_make_synth_built(record: Record) -> None:
    built = (BUILD / "dev" / "deployment.zip").read_bytes()
    assert hashlib.sha256(record.package).digest() == hashlib.sha256(built).digest()
    assert set(record.code_sha256.values()) == {record.described["code sha256 of the package"]}


def test_the_package_imports_in_a_clean_python312_with_nothing_but_its_own_files(record: Record) -> None:
    task_root = record.sys_path[0]
    assert not [entry for entry in record.sys_path if "site-packages" in entry or ".venv" in entry]
    assert all(entry == task_root or "/lib/python3" in entry for entry in record.sys_path), record.sys_path
    assert record.import_failures == []  # every module of chalicelib, lazy imports' targets included


def test_a_sync_runs_end_to_end_through_the_packaged_handlers(record: Record) -> None:
    failed_only, third, forced, events, second, first = record.runs[:6]
    assert [run["trigger"] for run in record.runs] == ["force", "schedule", "force", "events", "schedule", "schedule"]
    assert {run["status"] for run in record.runs} == {"Success"}
    assert first["mode"] == "full" and first["rows_changed"] > 200
    assert first["rows_exported"] + first["rows_failed"] == first["rows_changed"] and first["batches_failed"] == 1
    assert second["rows_exported"] == first["rows_failed"]  # the next sync resent the dead batch's rows
    assert events["mode"] == "partial" and events["rows_changed"] > 0 and events["rows_deleted"] > 0
    assert events["rows_exported"] == events["rows_changed"]
    assert forced["mode"] == "full" and forced["rows_exported"] == forced["rows_seen"] > 200
    assert third["batches_total"] == 0  # nothing left to send: the sync finished its own run
    assert failed_only["mode"] == "failed" and failed_only["batches_total"] == 0  # no row is failing any more
    status = record.responses["status at the end"][1]
    assert status["last_sync"]["run_id"] == failed_only["run_id"] and status["export"]["enabled"] is True
    manifests = {key.split("/")[3] for key in record.hub_keys if key.endswith("manifest.json")}
    assert manifests == {run["run_id"] for run in record.runs if run["batches_total"]}
    assert record.trace_segments > 0  # Tracer (aws-xray-sdk from the package) sent segments to the daemon


def test_the_api_answers_api_gateway_events_for_each_role(record: Record) -> None:
    answers = {name: status for name, (status, _) in record.responses.items() if status}
    assert answers == {"health": 200, "status without a token": 401, "status": 200, "openapi": 200, "settings": 200,
                       "products as operator": 403, "products": 200, "product": 200, "dead-lettered run": 200,
                       "feeds": 200, "me": 200, "configurable": 200,
                       "change events": 202, "force sync": 202, "force sync of failed rows": 202, "runs": 200,
                       "status at the end": 200, "alerts": 200, "reconciliation": 200, "reconcile the hub": 409}
    assert record.responses["products"][1]["items"] and record.responses["openapi"][1]["openapi"].startswith("3.")
    assert record.responses["change events"][1]["sync"] == "scheduled"
    assert record.responses["alerts"][1]["alerts"] == []  # every run ended well, the dead batch's rows resent
    assert record.responses["reconciliation"][1]["available"] is False  # the hub cannot say what it holds
    products = record.responses["feeds"][1]["feeds"][0]
    assert products["feed"] == "products" and products["health"]["outbox_batches"] == 1  # the dead-lettered batch
    assert record.responses["me"][1]["roles"] == ["operator"]
    assert record.responses["configurable"][1]["type"] == "configurable"
    settings = json.dumps(record.responses["settings"][1])
    assert record.described["secrets"]["EventsSecret"] == ["EVENTS_SECRET"] and "EVENTS_SECRET\": \"" not in settings


def test_a_batch_that_keeps_timing_out_is_dead_lettered_and_its_rows_failed_for_the_next_sync(record: Record) -> None:
    assert record.dead_lettered == 1
    run = record.responses["dead-lettered run"][1]
    [cause] = run["errors"]
    assert cause["count"] == run["rows_failed"] > 0 and run["batches_failed"] == 1


def test_the_functions_print_only_json_logs_and_metrics_and_no_warning(record: Record) -> None:
    for function, text in record.logs.items():
        lines = [json.loads(line) for line in text.splitlines()]  # fails on any line that is not JSON
        assert not [line for line in lines if line.get("level") in ("WARNING", "ERROR", "CRITICAL")], function
    metrics = [json.loads(line) for text in record.logs.values() for line in text.splitlines() if '"_aws"' in line]
    names = {metric["Name"] for line in metrics for group in line["_aws"]["CloudWatchMetrics"]
             for metric in group["Metrics"]}
    assert {"SyncSucceeded", "RowsExported"} <= names  # what the alarms and dashboards read


# --- Permissions fit the code ----------------------------------------------------------------------------------
def test_every_aws_call_of_each_function_is_allowed_by_its_role(record: Record) -> None:
    found = {name: [str(gap) for gap in permissions.gaps(calls, record.policies[name], REGION, ACCOUNT)]
             for name, calls in record.calls.items()}
    assert found == {name: [] for name in record.calls}


def test_each_role_allows_only_what_its_function_used_or_what_iam_py_justifies(record: Record,
                                                                                dev_template: dict[str, Any]) -> None:
    roles = function_roles(dev_template)
    assert set(roles) == set(record.calls)
    for name, calls in record.calls.items():
        unused = permissions.unused(calls, record.policies[name], permissions.template_policy(dev_template, name),
                                    REGION, ACCOUNT)
        justified = set(iam.RUNTIME) | set(iam.NOT_REHEARSED[roles[name]])
        assert sorted(unused - justified) == [], f"{name} may do what it never did: remove it or justify it"
        assert sorted(justified - unused) == [], f"{name} used these: they need no justification in infra/iam.py"


# --- infra/deploy.py: dashboard, first admin, update, destroy ----------------------------------------------------
def test_deploy_uploads_the_dashboard_with_its_config_and_makes_the_first_admin(record: Record) -> None:
    assert record.created is not None
    dashboard = record.described["buckets"]["DashboardBucket"]
    shipped = {path.relative_to(ROOT / "dashboard").as_posix() for path in (ROOT / "dashboard").rglob("*")
               if path.is_file() and path.name != "config.json"}
    assert set(dashboard["keys"]) == shipped | {"config.json"}
    config = dashboard["config.json"]
    assert config["apiBase"] == "/api"
    assert (config["cognito"]["userPoolId"], config["cognito"]["clientId"]) == (
        record.created.outputs["UserPoolId"], record.created.outputs["DashboardClientId"])
    assert record.described["sign_in"]["admins"] == [ADMIN]
    assert f"Deployed {record.created.name}" in record.deploy_output


def test_an_update_applies_the_changed_parameters_and_keeps_every_resource(record: Record,
                                                                           dev_template: dict[str, Any]) -> None:
    assert record.created is not None and record.updated is not None
    assert record.updated.status == "UPDATE_COMPLETE"
    assert {k: v for k, v in record.updated.parameters.items() if k in UPDATE} == UPDATE
    assert record.updated.outputs == record.created.outputs
    replaced = {name for name, item in record.updated.resources.items() if item != record.created.resources.get(name)}
    assert replaced == {"AlarmEmailSubscription"}  # a new endpoint is a new subscription; nothing else was replaced
    exporter = record.updated_described["functions"][function_of(dev_template, "export")]["FunctionArn"]
    [mapping] = [m for m in record.updated_described["mappings"] if m["FunctionArn"] == exporter]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": int(UPDATE["ExporterMaxConcurrency"])}
    assert record.updated_described["alarms"]["ExporterErrorsAlarm"]["Threshold"] == float(
        UPDATE["ExporterErrorThreshold"])
    assert record.updated_described["subscriptions"] == [("email", UPDATED_ALARM_EMAIL)]
    assert {retention for function in record.updated_described["functions"].values()
            for retention in function["log_retention"].values()} == {int(UPDATE["LogRetentionDays"])}


def test_destroy_deletes_the_stacks_but_keeps_the_data(record: Record) -> None:
    assert record.created is not None
    remains = record.after_destroy
    assert (remains.pop("stack"), remains.pop("artifacts stack")) == (False, False)
    kept = {name for name, item in record.created.resources.items()
            if item["type"] in RETAINED or name == "HubBucket"}
    assert {name for name, exists in remains.items() if exists} == kept


def test_the_infra_readme_gives_the_reason_of_every_grant_iam_py_justifies() -> None:
    section = (ROOT / "infra" / "README.md").read_text().split("## Least privilege", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    for action, resource in set(iam.RUNTIME) | {grant for grants in iam.NOT_REHEARSED.values() for grant in grants}:
        named = resource if resource not in ("*", "own log group") else ""
        assert any(f"`{action}`" in row and named in row for row in rows), (action, resource)
