"""`make deploy` / `make destroy`: the synthesized stack in the AWS account and region of the environment.

deploy:  artifacts stack (bucket) -> upload the Lambda package -> `aws cloudformation deploy` the service's
         stack -> the dashboard's files and its generated config.json to its bucket, CloudFront invalidated ->
         optionally the first admin user. Run `make synth` first (the Makefile does).
destroy: the dashboard bucket emptied -> the stack deleted (tables, hub bucket, secrets and user pool are
         retained) -> with --delete-data those too -> the artifacts stack.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "infra" / "build"
DASHBOARD = ROOT / "dashboard"
AWS = str(Path(sys.executable).parent / "aws")  # awscli from .venv-infra (requirements-infra.txt)
APP = "catalog-sync"


class DeployError(SystemExit):
    pass


def _stack(stage: str) -> str:
    return f"{APP}-{stage}"


def _artifacts_stack(stage: str) -> str:
    return f"{APP}-{stage}-artifacts"


def _aws(*args: str) -> None:
    print("+ aws " + " ".join(args), flush=True)
    subprocess.run([AWS, *args], check=True)


def _session():
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    session = boto3.session.Session()
    if not session.region_name:
        raise DeployError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region)")
    try:
        identity = session.client("sts").get_caller_identity()
    except (NoCredentialsError, BotoCoreError, ClientError) as error:
        raise DeployError(f"no usable AWS credentials ({error}): see README, Deploying") from None
    print(f"AWS account {identity['Account']}, region {session.region_name}, as {identity['Arn']}")
    return session


def _outputs(session, stack: str) -> dict[str, str]:
    found = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in found.get("Outputs", [])}


def _stack_exists(session, stack: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        status = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    except ClientError:
        return False
    return status != "DELETE_COMPLETE"


def _upload_package(session, bucket: str, package: Path) -> str:
    from botocore.exceptions import ClientError

    digest = hashlib.sha256(package.read_bytes()).hexdigest()
    key = f"lambda/{digest}.zip"
    s3 = session.client("s3")
    try:
        s3.head_object(Bucket=bucket, Key=key)
        print(f"package s3://{bucket}/{key} already uploaded")
    except ClientError:
        print(f"uploading the Lambda package to s3://{bucket}/{key}")
        s3.upload_file(str(package), bucket, key)
    return key


def site_config(outputs: dict[str, str], region: str) -> dict[str, Any]:
    """The dashboard's /config.json, in the shape the local stack serves it (local_stack/stack.py)."""
    return {"apiBase": "/api", "cognito": {"region": region, "userPoolId": outputs["UserPoolId"],
                                           "clientId": outputs["DashboardClientId"],
                                           "endpoint": f"https://cognito-idp.{region}.amazonaws.com/"}}


def _upload_dashboard(session, outputs: dict[str, str]) -> None:
    s3 = session.client("s3")
    bucket = outputs["DashboardBucketName"]
    wanted = {}
    for path in sorted(DASHBOARD.rglob("*")):
        if path.is_file() and path.name != "config.json":
            wanted[path.relative_to(DASHBOARD).as_posix()] = path
    for key, path in wanted.items():
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type,
                                                          "CacheControl": "max-age=300"})
    config = json.dumps(site_config(outputs, session.region_name), indent=1).encode()
    s3.put_object(Bucket=bucket, Key="config.json", Body=config, ContentType="application/json",
                  CacheControl="no-store")
    stale = [obj["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
             for obj in page.get("Contents", []) if obj["Key"] not in wanted and obj["Key"] != "config.json"]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in stale[start:start + 1000]]})
    session.client("cloudfront").create_invalidation(
        DistributionId=outputs["DistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]},
                           "CallerReference": hashlib.sha256(config + str(sorted(wanted)).encode()).hexdigest()
                           + os.urandom(4).hex()})
    print(f"dashboard: {len(wanted)} files and config.json uploaded to s3://{bucket}, CloudFront invalidated")


def _admin_user(session, outputs: dict[str, str], email: str) -> None:
    idp = session.client("cognito-idp")
    pool = outputs["UserPoolId"]
    try:
        idp.admin_get_user(UserPoolId=pool, Username=email)
        print(f"user {email} exists")
    except idp.exceptions.UserNotFoundException:
        idp.admin_create_user(UserPoolId=pool, Username=email, DesiredDeliveryMediums=["EMAIL"],
                              UserAttributes=[{"Name": "email", "Value": email},
                                              {"Name": "email_verified", "Value": "true"}])
        print(f"user {email} created: Cognito emails a temporary password")
    idp.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName="admins")


def deploy(stage: str, alarm_email: str, admin_email: str, parameters: list[str]) -> None:
    template = BUILD / stage / "template.json"
    package = BUILD / stage / "deployment.zip"
    if not template.exists() or not package.exists():
        raise DeployError(f"{template.relative_to(ROOT)} is missing: run `make synth STAGES={stage}` first")
    session = _session()
    _aws("cloudformation", "deploy", "--stack-name", _artifacts_stack(stage),
         "--template-file", str(ROOT / "infra" / "bootstrap.yaml"), "--no-fail-on-empty-changeset",
         "--tags", f"app={APP}", f"stage={stage}")
    bucket = _outputs(session, _artifacts_stack(stage))["ArtifactBucketName"]
    key = _upload_package(session, bucket, package)
    overrides = [f"CodeS3Bucket={bucket}", f"CodeS3Key={key}"]
    if alarm_email:
        overrides.append(f"AlarmEmail={alarm_email}")
    overrides += parameters  # e.g. ExporterMaxConcurrency=4 LogRetentionDays=90 (infra/resources.yaml)
    _aws("cloudformation", "deploy", "--stack-name", _stack(stage), "--template-file", str(template),
         "--s3-bucket", bucket, "--s3-prefix", "templates", "--capabilities", "CAPABILITY_IAM",
         "--no-fail-on-empty-changeset", "--parameter-overrides", *overrides,
         "--tags", f"app={APP}", f"stage={stage}")
    outputs = _outputs(session, _stack(stage))
    _upload_dashboard(session, outputs)
    if admin_email:
        _admin_user(session, outputs, admin_email)
    print(f"""
Deployed {_stack(stage)}.
  Dashboard:  {outputs['DashboardUrl']}   (CloudFront may take a few minutes the first time)
  API:        {outputs['ApiUrl']}
  Secrets to fill in (see README, Deploying): Magento {outputs['MagentoCredentialsSecretArn']}
                                              destination key {outputs['DestinationApiKeySecretArn']}
  Change events HMAC key (generated): {outputs['EventsSecretArn']}
  Alarms: {outputs['AlarmTopicArn']}""")


def _resources(session, stack: str) -> dict[str, dict[str, str]]:
    pages = session.client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=stack)
    return {item["LogicalResourceId"]: item for page in pages for item in page["StackResourceSummaries"]}


def _empty_bucket(session, bucket: str) -> None:
    from botocore.exceptions import ClientError

    s3 = session.client("s3")
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                      for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            if doomed:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
    except ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchBucket":
            raise


def destroy(stage: str, delete_data: bool) -> None:
    session = _session()
    stack = _stack(stage)
    retained: dict[str, dict[str, str]] = {}
    if _stack_exists(session, stack):
        resources = _resources(session, stack)
        retained = {name: item for name, item in resources.items()
                    if item["ResourceType"] in ("AWS::DynamoDB::Table", "AWS::SecretsManager::Secret",
                                                "AWS::Cognito::UserPool")
                    or name == "HubBucket"}
        if "DashboardBucket" in resources:
            _empty_bucket(session, resources["DashboardBucket"]["PhysicalResourceId"])
        _aws("cloudformation", "delete-stack", "--stack-name", stack)
        _aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", stack)
    else:
        print(f"no stack {stack}")
    if delete_data:
        _delete_data(session, retained)
    elif retained:
        print("Retained (data): " + ", ".join(f"{name} {item['PhysicalResourceId']}" for name, item in retained.items())
              + "\nThey stay (a new deploy creates new ones) until deleted by hand; `make destroy "
                "DELETE_DATA=1` deletes "
              "them together with the stack.")
    if _stack_exists(session, _artifacts_stack(stage)):
        _empty_bucket(session, _outputs(session, _artifacts_stack(stage))["ArtifactBucketName"])
        _aws("cloudformation", "delete-stack", "--stack-name", _artifacts_stack(stage))
        _aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", _artifacts_stack(stage))


def _delete_data(session, retained: dict[str, dict[str, str]]) -> None:
    from botocore.exceptions import ClientError

    for name, item in retained.items():
        physical, kind = item["PhysicalResourceId"], item["ResourceType"]
        try:
            if kind == "AWS::DynamoDB::Table":
                session.client("dynamodb").delete_table(TableName=physical)
            elif kind == "AWS::SecretsManager::Secret":
                session.client("secretsmanager").delete_secret(SecretId=physical, ForceDeleteWithoutRecovery=True)
            elif kind == "AWS::Cognito::UserPool":
                session.client("cognito-idp").delete_user_pool(UserPoolId=physical)
            elif name == "HubBucket":
                _empty_bucket(session, physical)
                session.client("s3").delete_bucket(Bucket=physical)
            print(f"deleted {name} {physical}")
        except ClientError as error:
            print(f"could not delete {name} {physical}: {error}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["deploy", "destroy"])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--alarm-email", default="")
    parser.add_argument("--admin-email", default="")
    parser.add_argument("--delete-data", action="store_true")
    parser.add_argument("--parameters", default="", help="Name=Value pairs for the stack's parameters, space separated")
    args = parser.parse_args()
    if os.environ.get("AWS_REGION") and not os.environ.get("AWS_DEFAULT_REGION"):
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"]  # boto3 and awscli v1 read only this one
    if args.action == "deploy":
        deploy(args.stage, args.alarm_email, args.admin_email, args.parameters.split())
    else:
        destroy(args.stage, args.delete_data)


if __name__ == "__main__":
    main()
