"""The deployed stack's resources read back through each service's own API (what an operator's `aws ... describe`
would show), for the rehearsal's tests to judge; and, after `make destroy`, which of them still exist."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from tests.infra.deployed_stack import MotoServer, Stack


def _tables(moto: MotoServer, stack: Stack) -> dict[str, Any]:
    dynamodb = moto.client("dynamodb")
    found = {}
    for logical_id, name in stack.of_type("AWS::DynamoDB::Table").items():
        table = dynamodb.describe_table(TableName=name)["Table"]
        backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        found[logical_id] = {
            "name": name, "billing": table.get("BillingModeSummary", {}).get("BillingMode"),
            "keys": table["KeySchema"],
            "indexes": sorted(index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])),
            "sse": table.get("SSEDescription", {}).get("Status"),
            "pitr": backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
            "ttl": dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]}
    return found


def _queues(moto: MotoServer, stack: Stack) -> dict[str, Any]:
    sqs = moto.client("sqs")
    found = {}
    for logical_id, url in stack.of_type("AWS::SQS::Queue").items():
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        if "RedrivePolicy" in attributes:
            attributes["RedrivePolicy"] = json.loads(attributes["RedrivePolicy"])
        found[logical_id] = attributes
    return found


def _buckets(moto: MotoServer, stack: Stack) -> dict[str, Any]:
    s3 = moto.client("s3")
    found = {}
    for logical_id, name in stack.of_type("AWS::S3::Bucket").items():
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket=name).get("Contents", [])]
        found[logical_id] = {
            "name": name,
            "encryption": s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"],
            "public_access_block": s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
            "versioning": s3.get_bucket_versioning(Bucket=name).get("Status"),
            "lifecycle": s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"],
            "policy": json.loads(s3.get_bucket_policy(Bucket=name)["Policy"]),
            "keys": keys, "config.json": json.loads(s3.get_object(Bucket=name, Key="config.json")["Body"].read())
            if "config.json" in keys else None}
    return found


def _functions(moto: MotoServer, stack: Stack) -> dict[str, Any]:
    lambda_client, logs = moto.client("lambda"), moto.client("logs")
    found = {}
    for logical_id, name in stack.of_type("AWS::Lambda::Function").items():
        config = lambda_client.get_function_configuration(FunctionName=name)
        groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"]
        found[logical_id] = {key: config.get(key) for key in ("FunctionName", "FunctionArn", "Runtime", "Handler",
                                                               "Architectures", "Role", "Timeout", "MemorySize",
                                                               "CodeSha256")}
        found[logical_id]["environment"] = config.get("Environment", {}).get("Variables", {})
        found[logical_id]["log_retention"] = {g["logGroupName"]: g.get("retentionInDays") for g in groups
                                              if g["logGroupName"] == f"/aws/lambda/{name}"}
    mappings = lambda_client.list_event_source_mappings()["EventSourceMappings"]
    return {"functions": found, "mappings": [{key: mapping.get(key) for key in (
        "EventSourceArn", "FunctionArn", "BatchSize", "ScalingConfig", "State")} for mapping in mappings]}


def _schedule_and_alarms(moto: MotoServer, stack: Stack) -> dict[str, Any]:
    events, cloudwatch, sns = moto.client("events"), moto.client("cloudwatch"), moto.client("sns")
    rules = {}
    for logical_id, name in stack.of_type("AWS::Events::Rule").items():
        rule = events.describe_rule(Name=name)
        rules[logical_id] = {"schedule": rule.get("ScheduleExpression"), "state": rule.get("State"),
                             "targets": [t["Arn"] for t in events.list_targets_by_rule(Rule=name)["Targets"]]}
    names = list(stack.of_type("AWS::CloudWatch::Alarm").values())
    alarms = {alarm["AlarmName"]: alarm for alarm in cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"]}
    topic = stack.outputs["AlarmTopicArn"]
    return {"rules": rules,
            "alarms": {logical_id: alarms[name]
                       for logical_id, name in stack.of_type("AWS::CloudWatch::Alarm").items()},
            "subscriptions": [(s["Protocol"], s["Endpoint"]) for s in
                              sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]],
            "topic_policy": json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])}


def _sign_in(moto: MotoServer, stack: Stack) -> dict[str, Any]:
    idp, pool_id = moto.client("cognito-idp"), stack.outputs["UserPoolId"]
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    clients = {logical_id: idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
               for logical_id, client_id in stack.of_type("AWS::Cognito::UserPoolClient").items()}
    admins = idp.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    return {"pool": pool, "clients": clients,
            "groups": sorted(g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]),
            "domain": idp.describe_user_pool_domain(Domain=stack.physical("UserPoolDomain"))["DomainDescription"],
            "resource_servers": idp.list_resource_servers(UserPoolId=pool_id, MaxResults=10)["ResourceServers"],
            "admins": [{a["Name"]: a["Value"] for a in user["Attributes"]}.get("email") for user in admins]}


def _secrets(moto: MotoServer, stack: Stack) -> dict[str, Any]:
    secrets = moto.client("secretsmanager")
    found = {}
    for logical_id, arn in stack.of_type("AWS::SecretsManager::Secret").items():
        try:
            found[logical_id] = sorted(json.loads(secrets.get_secret_value(SecretId=arn)["SecretString"]))
        except ClientError as error:  # created without a value: the operator puts one
            found[logical_id] = error.response["Error"]["Code"]
    return found


def _edge(moto: MotoServer, stack: Stack) -> dict[str, Any]:
    gateway, cloudfront = moto.client("apigateway"), moto.client("cloudfront")
    api_id = stack.physical("RestAPI")
    [stage] = stack.of_type("AWS::ApiGateway::Stage").values()
    resources = gateway.get_resources(restApiId=api_id, limit=500)["items"]
    distribution = cloudfront.get_distribution(Id=stack.outputs["DistributionId"])["Distribution"]
    return {"routes": sorted((r["path"], method) for r in resources for method in r.get("resourceMethods", {})),
            "stage": gateway.get_stage(restApiId=api_id, stageName=stage),
            "distribution": distribution["DistributionConfig"], "distribution_domain": distribution["DomainName"]}


def _exists(probe: Callable[[str], Any], physical_id: str) -> bool:
    try:
        probe(physical_id)
    except ClientError:
        return False
    return True


def remains(moto: MotoServer, before: Stack) -> dict[str, bool]:
    """Which of the destroyed stack's resources still exist, by logical id (and whether the stacks do)."""
    clients = {service: moto.client(service) for service in ("cloudformation", "dynamodb", "s3", "secretsmanager",
                                                               "cognito-idp", "lambda", "sqs", "iam", "sns")}
    probes: dict[str, Callable[[str], Any]] = {
        "AWS::DynamoDB::Table": lambda name: clients["dynamodb"].describe_table(TableName=name),
        "AWS::S3::Bucket": lambda name: clients["s3"].head_bucket(Bucket=name),
        "AWS::SecretsManager::Secret": lambda arn: clients["secretsmanager"].describe_secret(SecretId=arn),
        "AWS::Cognito::UserPool": lambda pool: clients["cognito-idp"].describe_user_pool(UserPoolId=pool),
        "AWS::Lambda::Function": lambda name: clients["lambda"].get_function(FunctionName=name),
        "AWS::SQS::Queue": lambda url: clients["sqs"].get_queue_attributes(QueueUrl=url),
        "AWS::IAM::Role": lambda name: clients["iam"].get_role(RoleName=name),
        "AWS::SNS::Topic": lambda arn: clients["sns"].get_topic_attributes(TopicArn=arn),
    }
    found = {logical_id: _exists(probes[item["type"]], item["physical"])
             for logical_id, item in before.resources.items() if item["type"] in probes}
    stacks = [s["StackName"] for s in clients["cloudformation"].list_stacks()["StackSummaries"]
              if s["StackStatus"] != "DELETE_COMPLETE"]
    found["stack"] = before.name in stacks
    found["artifacts stack"] = f"{before.name}-artifacts" in stacks
    return found


def describe(moto: MotoServer, stack: Stack | None, before: Stack | None = None) -> dict[str, Any]:
    if stack is None:
        assert before is not None
        return remains(moto, before)
    return {"tables": _tables(moto, stack), "queues": _queues(moto, stack), "buckets": _buckets(moto, stack),
            **_functions(moto, stack), **_schedule_and_alarms(moto, stack), "sign_in": _sign_in(moto, stack),
            "secrets": _secrets(moto, stack), **_edge(moto, stack)}
