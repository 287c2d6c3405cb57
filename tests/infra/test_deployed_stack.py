"""The stack the deploy rehearsal created on moto (tests/infra/conftest.py's record), read back through each
service's API: what the deployment promises of its resources, as the services hold them."""
from __future__ import annotations

from typing import Any

from tests.infra.rehearsal import ALARM_EMAIL, Record
from tests.infra.synthesized import function_of, infra_module

synth = infra_module("synth")
REGION = "us-east-1"


def test_the_stack_is_created_with_its_outputs(record: Record) -> None:
    stack = record.created
    assert stack is not None and stack.status == "CREATE_COMPLETE"
    assert {"DashboardUrl", "ApiUrl", "UserPoolId", "DashboardClientId", "MachineClientId", "TokenUrl",
            "EventsSecretArn", "AlarmTopicArn", "HubBucketName", "FeedRowsTableName"} <= set(stack.outputs)
    assert stack.outputs["DashboardUrl"] == f"https://{record.described['distribution_domain']}/"
    assert stack.outputs["ApiUrl"] == stack.outputs["DashboardUrl"] + "api/"


def test_tables_have_the_models_keys_point_in_time_recovery_encryption_and_ttl(record: Record,
                                                                              dev_template: dict[str, Any]) -> None:
    tables = record.described["tables"]
    declared = {name: resource["Properties"] for name, resource in dev_template["Resources"].items()
                if resource["Type"] == "AWS::DynamoDB::Table"}
    assert set(tables) == set(declared)
    for name, table in tables.items():
        assert (table["billing"], table["pitr"], table["sse"]) == ("PAY_PER_REQUEST", "ENABLED", "ENABLED")
        assert table["keys"] == declared[name]["KeySchema"]
        indexes = declared[name].get("GlobalSecondaryIndexes", [])
        assert table["indexes"] == sorted(index["IndexName"] for index in indexes)
        expiry = declared[name].get("TimeToLiveSpecification")
        if expiry:
            assert table["ttl"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": expiry["AttributeName"]}
    assert tables["SyncRunsTable"]["ttl"]["AttributeName"] == "expires"  # a run's batches expire


def test_queues_redrive_after_three_receives_and_outlast_their_consumers(record: Record) -> None:
    queues = record.described["queues"]
    for queue, dead_letters in (("ExportQueue", "ExportDeadLetterQueue"), ("TriggerQueue", "TriggerDeadLetterQueue")):
        assert queues[queue]["RedrivePolicy"] == {"deadLetterTargetArn": queues[dead_letters]["QueueArn"],
                                                  "maxReceiveCount": 3}
    functions = record.described["functions"]
    for mapping in record.described["mappings"]:
        queue = next(q for q in queues.values() if q["QueueArn"] == mapping["EventSourceArn"])
        consumer = next(f for f in functions.values() if f["FunctionArn"] == mapping["FunctionArn"])
        assert int(queue["VisibilityTimeout"]) >= 6 * consumer["Timeout"]
    assert {queue["SqsManagedSseEnabled"] for queue in queues.values()} == {"true"}


def test_buckets_are_private_encrypted_versioned_and_https_only(record: Record) -> None:
    for bucket in record.described["buckets"].values():
        assert set(bucket["public_access_block"].values()) == {True}
        assert bucket["encryption"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        assert bucket["versioning"] == "Enabled"
        assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                   for s in bucket["policy"]["Statement"])
    hub_rules = {rule["ID"]: rule for rule in record.described["buckets"]["HubBucket"]["lifecycle"]}
    assert hub_rules["expire-feed-batches"]["Expiration"] == {"Days": 30}


def test_functions_run_python312_on_x86_64_with_the_stacks_resources_in_their_environment(record: Record) -> None:
    assert record.created is not None
    physical = {name: item["physical"] for name, item in record.created.resources.items()}
    for name, function in record.described["functions"].items():
        assert (function["Runtime"], function["Architectures"]) == ("python3.12", ["x86_64"]), name
        environment = function["environment"]
        for variable, resource in synth.TABLE_RESOURCES.items():
            assert environment[variable] == physical[resource]
        assert environment["EXPORT_QUEUE_URL"] == physical["ExportQueue"]
        assert environment["TRIGGER_QUEUE_URL"] == physical["TriggerQueue"]
        assert environment["HUB_BUCKET"] == physical["HubBucket"]
        assert environment["COGNITO_USER_POOL_ID"] == record.created.outputs["UserPoolId"]
        assert environment["COGNITO_CLIENT_IDS"].split(",") == [record.created.outputs["DashboardClientId"],
                                                                 record.created.outputs["MachineClientId"]]
        assert function["log_retention"] == {f"/aws/lambda/{function['FunctionName']}": 30}
    assert len({function["Role"] for function in record.described["functions"].values()}) == len(
        record.described["functions"])  # a role each


def test_each_queue_has_one_consumer_taking_one_message_and_the_sync_runs_hourly(
        record: Record, dev_template: dict[str, Any]) -> None:
    mappings = record.described["mappings"]
    declared = [r for r in dev_template["Resources"].values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert len(mappings) == len(declared) and {m["BatchSize"] for m in mappings} == {1}
    assert len({m["EventSourceArn"] for m in mappings}) == len(mappings)
    [rule] = record.described["rules"].values()
    assert rule["schedule"] == "rate(1 hour)" and rule["state"] == "ENABLED"


def test_alarms_notify_the_topic_its_subscriber_and_cloudwatch_may_publish(record: Record,
                                                                           dev_template: dict[str, Any]) -> None:
    alarms = record.described["alarms"]
    assert set(alarms) == {"ExportDeadLetterAlarm", "TriggerDeadLetterAlarm", "RunFailedAlarm",
                           "NoSuccessfulSyncAlarm", "ExporterErrorsAlarm"}
    topic = record.created.outputs["AlarmTopicArn"] if record.created else ""
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]
    assert alarms["NoSuccessfulSyncAlarm"]["TreatMissingData"] == "breaching"
    exporter = record.described["functions"][function_of(dev_template, "export")]["FunctionName"]
    assert alarms["ExporterErrorsAlarm"]["Dimensions"] == [{"Name": "FunctionName", "Value": exporter}]
    assert record.described["subscriptions"] == [("email", ALARM_EMAIL)]
    [statement] = record.described["topic_policy"]["Statement"]
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}


def test_sign_in_has_the_pool_its_groups_the_dashboards_client_and_the_machine_clients_scope(record: Record) -> None:
    sign_in = record.described["sign_in"]
    assert sign_in["groups"] == ["admins", "operators"]
    assert sign_in["pool"]["UsernameAttributes"] == ["email"]
    assert sign_in["pool"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    clients = sign_in["clients"]
    assert "ClientSecret" not in clients["DashboardClient"]
    assert "ALLOW_USER_PASSWORD_AUTH" in clients["DashboardClient"]["ExplicitAuthFlows"]
    assert clients["MachineClient"]["AllowedOAuthFlows"] == ["client_credentials"]
    assert clients["MachineClient"]["AllowedOAuthScopes"] == ["catalog-sync/sync"] and clients["MachineClient"][
        "ClientSecret"]
    [server] = sign_in["resource_servers"]
    assert (server["Identifier"], [scope["ScopeName"] for scope in server["Scopes"]]) == ("catalog-sync", ["sync"])


def test_the_api_stage_serves_every_route_of_the_app_behind_cloudfront(record: Record,
                                                                       dev_template: dict[str, Any]) -> None:
    paths = dev_template["Resources"]["RestAPI"]["Properties"]["Body"]["paths"]
    assert sorted(record.described["routes"]) == sorted((path, method.upper()) for path, methods in paths.items()
                                                        for method in methods)
    stage = record.described["stage"]
    assert stage["stageName"] == "api" and stage["tracingEnabled"] is True
    assert record.created is not None
    origins = {o["Id"]: o for o in record.described["distribution"]["Origins"]["Items"]}
    assert origins["api"]["DomainName"] == f"{record.created.physical('RestAPI')}.execute-api.{REGION}.amazonaws.com"
    assert origins["api"]["OriginPath"] == "/api"


