"""The synthesized CloudFormation (infra/build/<stage>/template.json): the properties the service relies on.

The template comes from `make synth` (run here through the Makefile's stamp, so only when an input changed);
it needs no AWS account. The first run creates .venv-infra from requirements-infra.txt.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from chalicelib import observability, settings
from chalicelib.api.security_headers import REFERRER_POLICY, cognito_origin, content_security_policy
from tests.infra.synthesized import synthesize

# The sign-in the issue asks for: these groups and the operators' scope (the app's own names where it has them).
GROUPS = {"admins", "operators"}
FORCE_SYNC_SCOPE = getattr(settings.Settings(), "force_sync_scope", "catalog-sync/sync")

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")
DDB = "dynamodb:"
ROWS_REINDEX = {"BatchGetItem", "BatchWriteItem", "Scan", "UpdateItem"}
SEARCH_PUBLISH = {"BatchWriteItem", "GetItem", "PutItem", "Query"}
LOGS = {"logs:CreateLogStream", "logs:PutLogEvents"}
XRAY = {"xray:PutTelemetryRecords", "xray:PutTraceSegments"}
SYNC = {
    "FeedRowsTable": {DDB + a for a in ROWS_REINDEX},
    "SearchIndexTable": {DDB + a for a in SEARCH_PUBLISH},
    "SyncRunsTable": {DDB + a for a in ("BatchGetItem", "BatchWriteItem", "GetItem", "PutItem", "UpdateItem")},
    "SyncRunsTable/index/batch-outbox": {DDB + "Query"},
    "SyncRunsTable/index/feed-started": {DDB + "Query"},  # is this the feed's first run? (search index upkeep)
    "ControlTable": {DDB + a for a in ("DeleteItem", "GetItem", "PutItem", "Scan", "UpdateItem")},
    "ExportQueue": {"sqs:SendMessage"},
    "MagentoCredentialsSecret": {"secretsmanager:GetSecretValue"},
    "HubBucket": {"s3:ListBucket", "s3:PutObject", "s3:GetObject", "s3:DeleteObject"},  # the search's snapshots too
}
CONSUME = {"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}
MARK = {  # an exporter writes no feed row: its batch's outcome
    "SearchIndexTable": {DDB + "BatchWriteItem", DDB + "PutItem"},
    "SyncRunsTable": {DDB + "GetItem", DDB + "UpdateItem"},
    "ControlTable": {DDB + "DeleteItem", DDB + "UpdateItem"},
    "HubBucket": {"s3:ListBucket", "s3:PutObject"},
}
# Per function, by what triggers it: resource (logical id) -> the actions its role allows on it, nothing else.
EXPECTED_ACTIONS: dict[str, dict[str, set[str]]] = {
    # the daily reconciliation reads the HTTP destination back
    "schedule": {**SYNC, "DestinationApiKeySecret": {"secretsmanager:GetSecretValue"}},
    # mode failed (forced runs only) reads the batches with failed rows; an on-demand reconciliation the destination
    # mode ids (forced runs only) looks up each id's rows
    "TriggerQueue": {**SYNC, "SyncRunsTable/index/batch-attention": {DDB + "Query"}, "TriggerQueue": CONSUME,
                     "FeedRowsTable": {DDB + a for a in (*ROWS_REINDEX, "Query")},
                     "DestinationApiKeySecret": {"secretsmanager:GetSecretValue"}},
    "ExportQueue": {**MARK, "ExportQueue": CONSUME, "DestinationApiKeySecret": {"secretsmanager:GetSecretValue"}},
    "ExportDeadLetterQueue": {**MARK, "ExportDeadLetterQueue": CONSUME},
    "api": {
        "FeedRowsTable": {DDB + "BatchGetItem", DDB + "Query"},  # Query: a product's prices and stock, a dry run by ids
        "SearchIndexTable": {DDB + "GetItem", DDB + "Query"},
        "HubBucket": {"s3:GetObject"},  # the search's snapshots
        # reconciliation reports: written (a request, an action) and listed (a Query on the feed's partition)
        "SyncRunsTable": {DDB + a for a in ("BatchGetItem", "GetItem", "PutItem", "Query", "UpdateItem")},
        "SyncRunsTable/index/feed-started": {DDB + "Query"},
        # the Feeds page: the items not yet submitted, through the batches holding them (outbox: also a dry run);
        # the alerts: rows of batches failed for now
        "SyncRunsTable/index/batch-outbox": {DDB + "Query"},
        "SyncRunsTable/index/batch-attention": {DDB + "Query"},
        # Scan: the Feeds page's dirty backlog
        "ControlTable": {DDB + a for a in ("BatchWriteItem", "DeleteItem", "GetItem", "PutItem", "Scan", "UpdateItem")},
        "TriggerQueue": {"sqs:SendMessage"},
        "EventsSecret": {"secretsmanager:GetSecretValue"},
        "MagentoCredentialsSecret": {"secretsmanager:GetSecretValue"},  # product detail: the source's document
        "DestinationApiKeySecret": {"secretsmanager:GetSecretValue"},  # and the destination's
    },
}


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, Any]]:
    synthesize()
    return {stage: json.loads((ROOT / "infra" / "build" / stage / "template.json").read_text()) for stage in STAGES}


@pytest.fixture(scope="module")
def manifest(templates) -> dict[str, Any]:
    return json.loads((ROOT / "infra" / "build" / "dev" / "manifest.json").read_text())


@pytest.fixture(scope="module", params=STAGES)
def template(request, templates) -> dict[str, Any]:
    return templates[request.param]


def _of_type(template: dict, kind: str) -> dict[str, dict]:
    return {name: resource for name, resource in template["Resources"].items() if resource["Type"] == kind}


def _functions(template: dict) -> dict[str, dict]:
    return _of_type(template, "AWS::Lambda::Function")


def _by_trigger(template: dict) -> dict[str, str]:
    """Function logical id by what triggers it: "schedule", "api", or the logical id of its queue."""
    triggers = {"APIHandler": "api"}
    for rule in _of_type(template, "AWS::Events::Rule").values():
        triggers[rule["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0]] = "schedule"
    for mapping in _of_type(template, "AWS::Lambda::EventSourceMapping").values():
        queue = re.fullmatch(r"\$\{(\w+)\.Arn\}", mapping["Properties"]["EventSourceArn"]["Fn::Sub"]).group(1)
        triggers[mapping["Properties"]["FunctionName"]["Ref"]] = queue
    return {trigger: function for function, trigger in triggers.items()}


def _target(resource: Any) -> str:
    """The logical id a policy's Resource entry names (or the entry itself for plain strings)."""
    if isinstance(resource, str):
        return resource
    if "Fn::GetAtt" in resource:
        return resource["Fn::GetAtt"][0]
    if "Ref" in resource:
        return resource["Ref"]
    text = resource["Fn::Sub"] if isinstance(resource["Fn::Sub"], str) else resource["Fn::Sub"][0]
    found = re.match(r"^\$\{(\w+)\.Arn\}(/index/[\w-]+)?", text)
    if found:
        return found.group(1) + (found.group(2) or "")
    if ":log-group:/aws/lambda/" in text:
        return "own log group"
    raise AssertionError(f"unexpected policy resource {resource}")


def _allowed(template: dict, function: str) -> dict[str, set[str]]:
    role = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    allowed: dict[str, set[str]] = defaultdict(set)
    for policy in template["Resources"][role]["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for resource in resources:
                allowed[_target(resource)] |= set(statement["Action"])
    return dict(allowed)


def test_the_hourly_sync_runs_on_an_eventbridge_schedule_of_one_hour(template):
    [rule] = _of_type(template, "AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 hour)"
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [_by_trigger(template)["schedule"], "Arn"]}


def test_every_function_runs_python312_with_tracing_its_own_role_and_log_group(template, manifest):
    functions = _functions(template)
    assert set(functions) == {spec["resource"] for spec in manifest["functions"].values()}
    roles = [function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions.values()]
    assert len(set(roles)) == len(roles)  # no shared role: each has only what it uses
    log_groups = {group["Properties"]["LogGroupName"] for group in _of_type(template, "AWS::Logs::LogGroup").values()}
    for function in functions.values():
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.12"
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert f"/aws/lambda/{properties['FunctionName']}" in log_groups
        assert properties["Code"] == {"S3Bucket": {"Ref": "CodeS3Bucket"}, "S3Key": {"Ref": "CodeS3Key"}}


def test_the_sqs_handlers_take_one_message_at_a_time_from_their_own_queues(template):
    mappings = {mapping["Properties"]["EventSourceArn"]["Fn::Sub"]: mapping["Properties"]
                for mapping in _of_type(template, "AWS::Lambda::EventSourceMapping").values()}
    assert set(mappings) == {"${ExportQueue.Arn}", "${ExportDeadLetterQueue.Arn}", "${TriggerQueue.Arn}"}
    assert {mapping["BatchSize"] for mapping in mappings.values()} == {1}
    assert len({mapping["FunctionName"]["Ref"] for mapping in mappings.values()}) == 3
    # the exporter's concurrency bounds the POSTs the destination gets at once (2 by default)
    exporter = mappings["${ExportQueue.Arn}"]
    assert exporter["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "ExporterMaxConcurrency"}}
    assert template["Parameters"]["ExporterMaxConcurrency"]["Default"] == 2


def test_queues_redrive_to_their_dead_letter_queues_and_outlast_their_consumers(template):
    resources = template["Resources"]
    export, trigger = resources["ExportQueue"]["Properties"], resources["TriggerQueue"]["Properties"]
    assert export["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["ExportDeadLetterQueue", "Arn"]},
                                       "maxReceiveCount": 3}
    assert trigger["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["TriggerDeadLetterQueue", "Arn"]}
    consumers = {queue: function for queue, function in _by_trigger(template).items() if queue.endswith("Queue")}
    assert set(consumers) == {"ExportQueue", "ExportDeadLetterQueue", "TriggerQueue"}
    for queue, function in consumers.items():
        timeout = resources[function]["Properties"]["Timeout"]
        assert resources[queue]["Properties"]["VisibilityTimeout"] >= 6 * timeout
    for queue in _of_type(template, "AWS::SQS::Queue").values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True


def test_tables_follow_the_models_on_demand_with_pitr_encryption_and_ttl(template, manifest):
    tables = _of_type(template, "AWS::DynamoDB::Table")
    assert len(tables) == len(manifest["tables"]) >= 3
    for variable, model in manifest["tables"].items():
        name = "".join(part.title() for part in variable.lower().split("_"))
        table = tables[name]
        properties = table["Properties"]
        assert table["DeletionPolicy"] == "Retain"
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert properties["SSESpecification"] == {"SSEEnabled": True}
        assert properties["KeySchema"] == model["key_schema"]
        assert [index["IndexName"] for index in properties.get("GlobalSecondaryIndexes", [])] == \
            [index["IndexName"] for index in model["indexes"]]
        if model["ttl"]:
            assert properties["TimeToLiveSpecification"] == {"AttributeName": model["ttl"], "Enabled": True}
    # batches of a run expire (ExportBatchModel.expires)
    assert tables["SyncRunsTable"]["Properties"]["TimeToLiveSpecification"]["AttributeName"] == "expires"
    assert "GlobalSecondaryIndexes" not in tables["FeedRowsTable"]["Properties"]  # the outbox is of batches
    assert {index["IndexName"] for index in tables["SyncRunsTable"]["Properties"]["GlobalSecondaryIndexes"]} == \
        {"feed-started", "batch-outbox", "batch-attention"}


def test_buckets_block_public_access_and_are_encrypted(template):
    buckets = _of_type(template, "AWS::S3::Bucket")
    assert set(buckets) == {"DashboardBucket", "HubBucket"}
    for bucket in buckets.values():
        assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
        assert bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    hub_rules = buckets["HubBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any(rule.get("ExpirationInDays") == {"Ref": "HubRetentionDays"} for rule in hub_rules)
    # a replaced search snapshot is deleted; its version goes a day later
    assert any(rule.get("Prefix") == "search-index/" and rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
               for rule in hub_rules)
    assert buckets["HubBucket"]["DeletionPolicy"] == "Retain"
    for policy in _of_type(template, "AWS::S3::BucketPolicy").values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                   for s in statements)


def test_cloudfront_serves_the_dashboard_through_oac_over_https_and_routes_api_to_api_gateway(template):
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    assert origins["dashboard"]["OriginAccessControlId"] == {"Fn::GetAtt": ["DashboardOriginAccessControl", "Id"]}
    assert origins["api"]["DomainName"] == {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "dashboard"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    [api] = config["CacheBehaviors"]
    assert (api["PathPattern"], api["TargetOriginId"], api["ViewerProtocolPolicy"]) == ("/api/*", "api", "https-only")
    # the bucket admits CloudFront for this distribution only
    [allow] = [s for s in template["Resources"]["DashboardBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
               if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"} and allow["Action"] == "s3:GetObject"
    assert "${Distribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    # the API stage is regional (CloudFront is its edge) and its routes live under /api in the stage "api"
    assert template["Resources"]["RestAPI"]["Properties"]["EndpointConfiguration"]["Types"] == ["REGIONAL"]
    assert origins["api"]["OriginPath"] == "/api"


def test_cloudfront_sends_the_apps_security_headers_on_the_dashboard_and_the_api(template):
    policy = template["Resources"]["SecurityHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    headers = policy["SecurityHeadersConfig"]
    # The one definition (what the API and the local server send), for the Cognito endpoint of the stack's region.
    csp = content_security_policy(cognito_origin("${AWS::Region}"))
    assert headers["ContentSecurityPolicy"] == {"ContentSecurityPolicy": {"Fn::Sub": csp}, "Override": True}
    assert "connect-src 'self' https://cognito-idp.${AWS::Region}.amazonaws.com" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe" not in csp
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == REFERRER_POLICY
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    for behavior in (config["DefaultCacheBehavior"], *config["CacheBehaviors"]):
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"}


def test_each_function_may_do_only_what_it_uses(template, manifest):
    functions = _by_trigger(template)
    assert set(functions) == set(EXPECTED_ACTIONS)
    for trigger, needs in EXPECTED_ACTIONS.items():
        function = functions[trigger]
        if "SEARCH_INDEX_TABLE" not in manifest["tables"]:
            needs = {resource: actions for resource, actions in needs.items() if resource != "SearchIndexTable"}
        allowed = _allowed(template, function)
        assert allowed.pop("own log group") == LOGS, function
        assert allowed.pop("*") == XRAY, function  # X-Ray's write actions take no resource ARN
        assert allowed == needs, function


def test_the_indexes_policies_name_exist_in_the_models(template, manifest):
    indexes = {f"{''.join(part.title() for part in variable.lower().split('_'))}/index/{index['IndexName']}"
               for variable, table in manifest["tables"].items() for index in table["indexes"]}
    for function in _functions(template):
        for target in _allowed(template, function):
            if "/index/" in target:
                assert target in indexes, (function, target)


def test_no_policy_allows_wildcard_actions_or_resources_beyond_xray(template):
    for name, role in _of_type(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                assert all("*" not in action for action in statement["Action"]), name
                if statement["Resource"] == "*" or "*" in statement["Resource"]:
                    assert set(statement["Action"]) == XRAY, name


def test_functions_are_told_where_the_stacks_resources_are(template, manifest):
    for function in _functions(template).values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["EXPORT_QUEUE_URL"] == {"Ref": "ExportQueue"}
        assert variables["TRIGGER_QUEUE_URL"] == {"Ref": "TriggerQueue"}
        assert variables["FEED_ROWS_TABLE"] == {"Ref": "FeedRowsTable"}
        if "COGNITO_USER_POOL_ID" in manifest["settings"]:
            assert variables["COGNITO_USER_POOL_ID"] == {"Ref": "UserPool"}
            assert variables["COGNITO_CLIENT_IDS"] == {
                "Fn::Join": [",", [{"Ref": "DashboardClient"}, {"Ref": "MachineClient"}]]}
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == observability.NAMESPACE
        assert set(variables) <= set(manifest["settings"]) | {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"}


def test_cognito_has_the_apps_groups_a_dashboard_client_and_a_machine_client_with_the_sync_scope(template):
    resources = template["Resources"]
    groups = {group["Properties"]["GroupName"] for group in _of_type(template, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == GROUPS
    try:
        from chalicelib.domain import access
    except ImportError:  # sign-in not in the app yet
        pass
    else:
        assert groups == {access.ADMINS_GROUP, access.OPERATORS_GROUP}
    server = resources["SyncResourceServer"]["Properties"]
    scopes = {f"{server['Identifier']}/{scope['ScopeName']}" for scope in server["Scopes"]}
    assert scopes == {FORCE_SYNC_SCOPE}
    assert resources["DashboardClient"]["Properties"]["GenerateSecret"] is False
    machine = resources["MachineClient"]["Properties"]
    assert machine["AllowedOAuthFlows"] == ["client_credentials"]
    assert machine["AllowedOAuthScopes"] == [FORCE_SYNC_SCOPE]
    assert resources["UserPool"]["DeletionPolicy"] == "Retain"


def test_secrets_hold_no_value_in_the_template(template):
    secrets = _of_type(template, "AWS::SecretsManager::Secret")
    assert set(secrets) == {"MagentoCredentialsSecret", "DestinationApiKeySecret", "EventsSecret"}
    for secret in secrets.values():
        assert "SecretString" not in secret["Properties"]
    generated = secrets["EventsSecret"]["Properties"]["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "EVENTS_SECRET"


def test_alarms_watch_the_dlq_failed_runs_staleness_and_exporter_errors(template):
    alarms = _of_type(template, "AWS::CloudWatch::Alarm")
    by_metric = {alarm["Properties"].get("MetricName"): alarm["Properties"] for alarm in alarms.values()}
    assert by_metric[observability.RUNS_FAILED]["Namespace"] == observability.NAMESPACE
    stale = by_metric["SyncSucceeded"]
    assert (stale["Namespace"], stale["Period"] * stale["EvaluationPeriods"]) == (observability.NAMESPACE, 7200)
    assert stale["TreatMissingData"] == "breaching"
    exporter = _by_trigger(template)["ExportQueue"]
    assert by_metric["Errors"]["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": exporter}}]
    dead_letter = alarms["ExportDeadLetterAlarm"]["Properties"]["Metrics"]
    assert {m["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
            for m in dead_letter if "MetricStat" in m} == {"ExportDeadLetterQueue"}
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert stale["MetricName"] == observability.SYNCS_SUCCEEDED  # emitted by the app (services/finish.py)
    assert stale["Dimensions"] == [{"Name": "service", "Value": observability.SERVICE}]


def test_every_checkov_suppression_says_why(template):
    yaml_text = (ROOT / "infra" / "bootstrap.yaml").read_text()
    assert yaml_text.count("- id: CKV") == yaml_text.count("comment:")
    for name, resource in template["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), name
            assert len(skip.get("comment", "")) >= 40, f"{name} skips {skip['id']} without a reason"


def test_each_stage_gets_its_own_names(templates):
    for stage, template in templates.items():
        assert template["Parameters"]["Stage"]["AllowedValues"] == [stage]
        names = {function["Properties"]["FunctionName"] for function in _functions(template).values()}
        assert all(name.startswith(f"catalog-sync-{stage}") for name in names)
