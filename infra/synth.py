"""`make synth`: the whole service as one plain CloudFormation template per stage, offline (no AWS account).

1. Read the app (infra/app_manifest.py, run with the app's .venv): its functions, tables and queue names.
2. Stage a copy of the Chalice project whose .chalice/config.json adds, for the stage: no automatic IAM
   policy (it cannot see PynamoDB's calls, and it would give every function everything), one policy file per
   function (infra/iam.py) and a regional API (CloudFront is its edge).
3. Build the merge template: infra/resources.yaml plus what follows from the app (tables from the models, each
   function's name, log group, environment, queue and concurrency, queues' visibility timeouts).
4. `chalice package --merge-template` (from .venv, Python 3.12 = the python3.12 Lambda runtime) -> SAM + zip.
5. Translate SAM to plain CloudFormation with aws-sam-translator, offline: that is what cfn-lint, checkov,
   the tests and `make deploy` all read.

Output: infra/build/<stage>/template.json, infra/build/<stage>/deployment.zip.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import iam
import package_check

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
BUILD = INFRA / "build"
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
RUNTIME = "3.12"  # the Lambda runtime: chalice package targets the Python that runs it
FAKE_REGION = "us-east-1"  # chalice package and the translator want a region; nothing is called

TABLE_RESOURCES = {"FEED_ROWS_TABLE": "FeedRowsTable", "SYNC_RUNS_TABLE": "SyncRunsTable",
                   "CONTROL_TABLE": "ControlTable", "SEARCH_INDEX_TABLE": "SearchIndexTable"}
QUEUE_RESOURCES = {"export": "ExportQueue", "dead_letter": "ExportDeadLetterQueue", "trigger": "TriggerQueue"}
# Most concurrent invocations per SQS consumer (2 is Lambda's minimum). The exporter's is a parameter: it
# bounds the POSTs the destination receives at once. Syncs take the feed lock, so more would only be refused.
CONSUMER_CONCURRENCY = {"export": {"Ref": "ExporterMaxConcurrency"}, "dead_letter": 2, "trigger": 2}
VISIBILITY_FACTOR = 6  # AWS: a Lambda-consumed queue's visibility timeout >= 6x the function's timeout
SIGN_IN_VARIABLES = {"COGNITO_USER_POOL_ID", "COGNITO_CLIENT_IDS", "FORCE_SYNC_SCOPE"}

FUNCTION_SKIPS = [
    {"id": "CKV_AWS_115", "comment": "No reserved concurrency: a new account's quota of 10 leaves nothing to reserve "
                                     "and the deploy would fail; SQS maximum concurrency bounds the consumers."},
    {"id": "CKV_AWS_116", "comment": "SQS consumers fail into their queue's redrive DLQ; the hourly sync is retried by "
                                     "the next hour and alarmed on (no successful sync for 2 hours)."},
    {"id": "CKV_AWS_117", "comment": "No VPC: the functions reach only AWS APIs, the Magento store and the destination "
                                     "over HTTPS; a VPC would add NAT gateways for no private resource."},
    {"id": "CKV_AWS_173", "comment": "The environment holds resource names and ARNs only; credentials live in Secrets "
                                     "Manager (infra/resources.yaml)."},
]
LOG_GROUP_SKIPS = [
    {"id": "CKV_AWS_158", "comment": "CloudWatch Logs encrypts log data at rest; the logs hold no credentials "
                                     "(never logged) and a customer key would need a key policy per log group."},
]
API_SKIPS = [
    {"id": "CKV_AWS_120", "comment": "No API cache: every answer is per user and live (status, runs, products)."},
    {"id": "CKV_AWS_76", "comment": "Access logs need the account-wide API Gateway CloudWatch role, which one stack "
                                    "should not own; the API function logs each request (Powertools)."},
]


class SynthError(SystemExit):
    pass


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, text=True, **kwargs)


def app_manifest() -> dict[str, Any]:
    if not APP_PYTHON.exists():
        raise SynthError(f"{APP_PYTHON} is missing: run `make test` or `make synth` (they create the app's .venv)")
    found = subprocess.run([str(APP_PYTHON), str(INFRA / "app_manifest.py")], capture_output=True, text=True)
    if found.returncode:
        raise SynthError(f"infra/app_manifest.py failed:\n{found.stderr}")
    manifest = json.loads(found.stdout)
    if manifest["python"] != RUNTIME:
        raise SynthError(f".venv runs Python {manifest['python']}, but the Lambda runtime is python{RUNTIME} and "
                         f"chalice package targets the Python that runs it: install python{RUNTIME}, then "
                         "`make clean synth`")
    return manifest


def trigger_role(manifest: dict, spec: dict) -> str:
    """What triggers a function: "schedule", "api", or the role of its queue ("export", "dead_letter", ...)."""
    if spec["kind"] != "sqs":
        return spec["kind"]
    for role, queue_name in manifest["queues"].items():
        if queue_name == spec["queue"]:
            return role
    raise SynthError(f"a handler reads the queue {spec['queue']!r}, which infra/synth.py does not deploy")


def _timeout(config: dict, stage: str, function: str) -> int:
    """The function's timeout as Chalice resolves it: function in stage, stage, function, top level."""
    stage_config = config["stages"][stage]
    for scope in (stage_config.get("lambda_functions", {}).get(function, {}), stage_config,
                  config.get("lambda_functions", {}).get(function, {}), config):
        if "lambda_timeout" in scope:
            return int(scope["lambda_timeout"])
    return 60


def function_names(manifest: dict, stage: str) -> dict[str, str]:
    """Deployed names as `chalice deploy` gives them: <app>-<stage> for the API, <app>-<stage>-<handler> else."""
    app = manifest["app_name"]
    return {name: f"{app}-{stage}" if spec["kind"] == "api" else f"{app}-{stage}-{name}"
            for name, spec in manifest["functions"].items()}


def table_resources(manifest: dict) -> dict[str, str]:
    """The tables' logical ids, by the variable that names each."""
    unknown = sorted(set(manifest["tables"]) - set(TABLE_RESOURCES))
    if unknown:
        raise SynthError(f"a model lives in the table named by {', '.join(unknown)}, which infra/synth.py does not "
                         "deploy: add it to TABLE_RESOURCES and give the functions that use it access (infra/iam.py)")
    return {variable: TABLE_RESOURCES[variable] for variable in manifest["tables"]}


def _tables(manifest: dict) -> dict[str, Any]:
    resources = {}
    logical_ids = table_resources(manifest)
    for variable, table in manifest["tables"].items():
        properties: dict[str, Any] = {
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": table["key_schema"],
            "AttributeDefinitions": table["attributes"],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},  # KMS, the AWS-managed key aws/dynamodb
            "DeletionProtectionEnabled": False,  # make destroy DELETE_DATA=1 may delete it; the stack retains it
        }
        if table["indexes"]:
            properties["GlobalSecondaryIndexes"] = table["indexes"]
        if table["ttl"]:
            properties["TimeToLiveSpecification"] = {"AttributeName": table["ttl"], "Enabled": True}
        resources[logical_ids[variable]] = {
            "Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Metadata": {"models": table["models"], "checkov": {"skip": [
                {"id": "CKV_AWS_119", "comment": "Encrypted with the AWS-managed KMS key aws/dynamodb; the tables "
                                                 "hold catalog data, read only by the functions' roles."}]}},
            "Properties": properties}
    return resources


def environment(manifest: dict) -> dict[str, Any]:
    """What every function is told about the stack's resources, in the variables settings.py reads."""
    variables = {
        **{variable: {"Ref": resource} for variable, resource in table_resources(manifest).items()},
        "EXPORT_QUEUE_URL": {"Ref": "ExportQueue"},
        "TRIGGER_QUEUE_URL": {"Ref": "TriggerQueue"},
        "HUB_BUCKET": {"Ref": "HubBucket"},
        "MAGENTO_CREDENTIALS_SECRET": {"Ref": "MagentoCredentialsSecret"},
        "DESTINATION_API_KEY_SECRET": {"Ref": "DestinationApiKeySecret"},
        "EVENTS_SECRET_NAME": {"Ref": "EventsSecret"},
        "COGNITO_USER_POOL_ID": {"Ref": "UserPool"},
        "COGNITO_CLIENT_IDS": {"Fn::Join": [",", [{"Ref": "DashboardClient"}, {"Ref": "MachineClient"}]]},
        "FORCE_SYNC_SCOPE": "catalog-sync/sync",  # SyncResourceServer's identifier / scope
    }
    unknown = set(variables) - set(manifest["settings"])
    if unknown - SIGN_IN_VARIABLES:
        raise SynthError(f"chalicelib/settings.py reads none of {', '.join(sorted(unknown))}: infra/synth.py is out "
                         "of date")
    # Sign-in is set only once the app reads it (an app without Cognito settings deploys without them).
    return {name: value for name, value in variables.items() if name not in unknown}


def _functions(manifest: dict, config: dict, stage: str) -> dict[str, Any]:
    names = function_names(manifest, stage)
    resources: dict[str, Any] = {}
    for name, spec in manifest["functions"].items():
        log_group = f"{spec['resource']}LogGroup"
        function: dict[str, Any] = {
            "DependsOn": [log_group],  # created first, with its retention: the role may not create it
            "Metadata": {"checkov": {"skip": FUNCTION_SKIPS}},
            "Properties": {
                "FunctionName": names[name],
                "CodeUri": {"Bucket": {"Ref": "CodeS3Bucket"}, "Key": {"Ref": "CodeS3Key"}},
                "Tracing": "Active",  # Powertools Tracer
                "Environment": {"Variables": environment(manifest)},
            },
        }
        if spec["kind"] == "sqs":
            queue = trigger_role(manifest, spec)
            function["Properties"]["Events"] = {spec["event"]: {"Properties": {
                # chalice names the queue in a Fn::Sub; the stack's own queue (per stage) replaces it
                "Queue": {"Fn::Sub": f"${{{QUEUE_RESOURCES[queue]}.Arn}}"},
                "ScalingConfig": {"MaximumConcurrency": CONSUMER_CONCURRENCY[queue]},
            }}}
        if spec["kind"] == "api":
            resources["RestAPI"] = {"Metadata": {"checkov": {"skip": API_SKIPS}},
                                    "Properties": {"TracingEnabled": True,
                                                   "MethodSettings": [{"HttpMethod": "*", "ResourcePath": "/*",
                                                                       "ThrottlingBurstLimit": 100,
                                                                       "ThrottlingRateLimit": 50}]}}
        resources[spec["resource"]] = function
        resources[log_group] = {
            "Type": "AWS::Logs::LogGroup", "Metadata": {"checkov": {"skip": LOG_GROUP_SKIPS}},
            "Properties": {"LogGroupName": f"/aws/lambda/{names[name]}",
                           "RetentionInDays": {"Ref": "LogRetentionDays"}}}
    return resources


def security_headers_policy(manifest: dict) -> dict[str, Any]:
    """CloudFront's response-headers policy, from the app's one definition (chalicelib/api/security_headers.py): the
    dashboard's files and the API's answers carry the same headers here as from the local stack."""
    headers = manifest["security_headers"]
    return {"Type": "AWS::CloudFront::ResponseHeadersPolicy", "Properties": {"ResponseHeadersPolicyConfig": {
        "Name": {"Fn::Sub": "${AWS::StackName}-security-headers"},
        "Comment": "chalicelib/api/security_headers.py: what the API and the local stack send too",
        "SecurityHeadersConfig": {
            "ContentSecurityPolicy": {"ContentSecurityPolicy": {"Fn::Sub": headers["ContentSecurityPolicy"]},
                                      "Override": True},
            "ContentTypeOptions": {"Override": True},  # nosniff, CloudFront's only value
            "FrameOptions": {"FrameOption": headers["FrameOptions"], "Override": True},
            "ReferrerPolicy": {"ReferrerPolicy": headers["ReferrerPolicy"], "Override": True},
            "StrictTransportSecurity": {"AccessControlMaxAgeSec": headers["StrictTransportSecuritySeconds"],
                                        "IncludeSubdomains": True, "Override": True},
        }}}}


def _load_yaml(path: Path) -> dict[str, Any]:
    from cfnlint.decode import decode  # CloudFormation's YAML (short-form tags) as plain dicts

    template, matches = decode(str(path))
    if matches:
        raise SynthError(f"{path}: {matches}")
    return json.loads(json.dumps(template))


def merge_template(manifest: dict, config: dict, stage: str) -> dict[str, Any]:
    template = _load_yaml(INFRA / "resources.yaml")
    template["Parameters"]["Stage"].update({"Default": stage, "AllowedValues": [stage]})
    resources = template["Resources"]
    for name, spec in manifest["functions"].items():
        if spec["kind"] == "sqs":
            queue = trigger_role(manifest, spec)
            visibility = min(VISIBILITY_FACTOR * _timeout(config, stage, name), 43_200)
            resources[QUEUE_RESOURCES[queue]]["Properties"]["VisibilityTimeout"] = visibility
    resources["TriggerDeadLetterQueue"]["Properties"]["VisibilityTimeout"] = 30
    # CloudFront's /api/* reaches the API stage Chalice deploys (the routes carry /api themselves).
    api_stage = config["stages"][stage].get("api_gateway_stage", config.get("api_gateway_stage", "api"))
    origins = resources["Distribution"]["Properties"]["DistributionConfig"]["Origins"]
    next(origin for origin in origins if origin["Id"] == "api")["OriginPath"] = f"/{api_stage}"
    for logical_id in table_resources(manifest).values():  # for the CLI run against AWS (README, Deploying)
        template["Outputs"][f"{logical_id}Name"] = {"Value": {"Ref": logical_id}}
    [exporter] = [spec["resource"] for spec in manifest["functions"].values()
                  if spec["kind"] == "sqs" and trigger_role(manifest, spec) == "export"]
    resources["ExporterErrorsAlarm"]["Properties"]["Dimensions"] = [{"Name": "FunctionName",
                                                                     "Value": {"Ref": exporter}}]
    security = {"SecurityHeadersPolicy": security_headers_policy(manifest)}
    for generated in (_tables(manifest), _functions(manifest, config, stage), security):
        overlap = set(generated) & set(resources) - {"RestAPI"}
        if overlap:
            raise SynthError(f"infra/resources.yaml defines generated resources: {sorted(overlap)}")
        resources.update(generated)
    return template


def stage_project(manifest: dict, config: dict, stage: str, project: Path) -> None:
    """The app's files, with a .chalice/ of this deployment's own (the app's .chalice/config.json untouched)."""
    for name in ("chalicelib", "app.py", "requirements.txt"):
        target = project / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    project.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "chalicelib", project / "chalicelib",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for cli_only in package_check.CLI_ONLY:  # the operator's console script: nothing in Lambda runs it
        (project / cli_only).unlink()
    shutil.copy2(ROOT / "app.py", project / "app.py")
    shutil.copy2(ROOT / "requirements.txt", project / "requirements.txt")
    dot_chalice = project / ".chalice"
    dot_chalice.mkdir(exist_ok=True)
    for old in dot_chalice.glob("policy-*.json"):
        old.unlink()
    deployed = copy.deepcopy(config)
    stage_config = deployed["stages"][stage]
    stage_config["autogen_policy"] = False
    stage_config["api_gateway_endpoint_type"] = "REGIONAL"
    functions = stage_config.setdefault("lambda_functions", {})
    names = function_names(manifest, stage)
    triggers = {name: (names[name], trigger_role(manifest, spec)) for name, spec in manifest["functions"].items()}
    statements = iam.policies(triggers, set(table_resources(manifest).values()))
    for name, policy in statements.items():
        policy_file = f"policy-{name}.json"
        (dot_chalice / policy_file).write_text(json.dumps(iam.document(policy), indent=1))
        functions.setdefault(name, {})["iam_policy_file"] = policy_file
    (dot_chalice / "config.json").write_text(json.dumps(deployed, indent=2))


def translate(sam: dict[str, Any]) -> dict[str, Any]:
    """SAM -> CloudFormation with aws-sam-translator; no AWS call (no managed policy is referenced)."""
    os.environ.setdefault("AWS_DEFAULT_REGION", FAKE_REGION)
    from samtranslator.translator.transform import transform

    class _NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    return transform(sam, {}, _NoManagedPolicies())  # type: ignore[arg-type]


def _carry_metadata(sam: dict[str, Any], cfn: dict[str, Any]) -> None:
    """checkov's suppressions on SAM resources belong on the CloudFormation resources they become."""
    for name, resource in sam["Resources"].items():
        skips = resource.get("Metadata", {}).get("checkov")
        if not skips or not resource["Type"].startswith("AWS::Serverless::"):
            continue
        targets = [name]  # a function keeps its name
        if resource["Type"] == "AWS::Serverless::Api":  # the checks are on the stage it becomes
            targets = [key for key, value in cfn["Resources"].items()
                       if key.startswith(name) and value["Type"] == "AWS::ApiGateway::Stage"]
            cfn["Resources"][name].get("Metadata", {}).pop("checkov", None)
        for target in targets:
            cfn["Resources"][target].setdefault("Metadata", {})["checkov"] = skips


def check_package(cfn: dict[str, Any], package: Path) -> None:
    """The zip fits Lambda's limits, ships only the app and its requirements, and its native code runs on the
    functions' runtime and architecture (infra/package_check.py)."""
    functions = [resource["Properties"] for resource in cfn["Resources"].values()
                 if resource["Type"] == "AWS::Lambda::Function"]
    [(runtime, architectures)] = {(f["Runtime"], tuple(f.get("Architectures", ["x86_64"]))) for f in functions}
    report = package_check.check(package, (ROOT / "requirements.txt").read_text(), runtime, list(architectures))
    if report.problems:
        raise SynthError(f"{package.relative_to(ROOT)}:\n  " + "\n  ".join(report.problems))
    print(f"package {package.relative_to(ROOT)}: {report.summary()}")


def synth(stage: str, manifest: dict[str, Any]) -> Path:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    if stage not in config.get("stages", {}):
        raise SynthError(f"no stage {stage!r} in .chalice/config.json (stages: {', '.join(config['stages'])})")
    out = BUILD / stage
    project, package = out / "project", out / "package"
    stage_project(manifest, config, stage, project)
    merge = out / "merge.json"
    merge.write_text(json.dumps(merge_template(manifest, config, stage), indent=1))
    if package.exists():
        shutil.rmtree(package)
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or FAKE_REGION}
    _run([str(ROOT / ".venv" / "bin" / "chalice"), "--project-dir", str(project), "package", "--stage", stage,
          "--pkg-format", "cloudformation", "--template-format", "json", "--merge-template", str(merge),
          str(package)], env=env, stdout=subprocess.DEVNULL)
    sam = json.loads((package / "sam.json").read_text())
    if "DefaultRole" in sam["Resources"]:
        raise SynthError("chalice generated its DefaultRole: a function has no policy file of its own")
    cfn = translate(copy.deepcopy(sam))
    _carry_metadata(sam, cfn)
    (out / "template.json").write_text(json.dumps(cfn, indent=1, sort_keys=True))
    shutil.copy2(package / "deployment.zip", out / "deployment.zip")
    check_package(cfn, out / "deployment.zip")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return out / "template.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stages", nargs="*", default=["dev", "prod"])
    args = parser.parse_args()
    manifest = app_manifest()
    for stage in args.stages:
        print(f"synth {stage}: {synth(stage, manifest).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
