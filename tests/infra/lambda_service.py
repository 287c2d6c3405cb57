"""What Lambda, EventBridge and API Gateway do for the deployed functions, done by the rehearsal: start each
function of the stack from the package in the artifacts bucket, with the environment the stack gave it, the
credentials of its role and the variables Lambda sets; poll the queues of its event source mappings; turn
schedule ticks and HTTP requests into the events Lambda delivers."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.infra import lambda_events
from tests.infra.deployed_stack import REGION, MotoServer, Stack
from tests.infra.packaged_lambda import FunctionFailedError, PackagedFunction


def unpack(moto: MotoServer, stack: Stack, into: Path) -> bytes:
    """The package the stack's functions run (CodeS3Bucket/CodeS3Key), unpacked as Lambda's /var/task."""
    package = moto.client("s3").get_object(Bucket=stack.parameters["CodeS3Bucket"],
                                           Key=stack.parameters["CodeS3Key"])["Body"].read()
    into.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        archive.extractall(into)
    return package


def lambda_environment(configuration: dict[str, Any], credentials: dict[str, str], task_root: Path,
                       xray_port: int) -> dict[str, str]:
    """The variables the python3.12 runtime sets for a function (besides its own)."""
    name = configuration["FunctionName"]
    return {
        "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(configuration["MemorySize"]),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}", "AWS_LAMBDA_LOG_STREAM_NAME": "rehearsal",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "_HANDLER": configuration["Handler"],
        "LAMBDA_TASK_ROOT": str(task_root), "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{xray_port}", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "_AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1", "_AWS_XRAY_DAEMON_PORT": str(xray_port),
        "TZ": ":UTC", "LANG": "en_US.UTF-8", "PATH": "/usr/local/bin:/usr/bin:/bin",
    }


def code_sha256(package: bytes) -> str:
    return base64.b64encode(hashlib.sha256(package).digest()).decode()


@dataclass
class LambdaService:
    moto: MotoServer
    stack: Stack
    template: dict[str, Any]
    python: str
    task_root: Path
    logs: Path
    settings: dict[str, str]  # the rehearsal's own stage settings, over the function's environment
    xray_port: int
    functions: dict[str, PackagedFunction] = field(default_factory=dict)  # by logical id
    configurations: dict[str, dict[str, Any]] = field(default_factory=dict)
    _pollers: dict[str, Any] = field(default_factory=dict)

    def start(self) -> None:
        lambda_client, sts = self.moto.client("lambda"), self.moto.client("sts")
        for logical_id in self.stack.of_type("AWS::Lambda::Function"):
            configuration = lambda_client.get_function_configuration(FunctionName=self.stack.physical(logical_id))
            credentials = sts.assume_role(RoleArn=configuration["Role"], RoleSessionName=logical_id)["Credentials"]
            environment = {**configuration.get("Environment", {}).get("Variables", {}),
                           **lambda_environment(configuration, credentials, self.task_root, self.xray_port),
                           # the rehearsal's: moto for AWS, and nothing read from the host's ~/.aws
                           "AWS_ENDPOINT_URL": self.moto.url, "AWS_CONFIG_FILE": os.devnull,
                           "AWS_SHARED_CREDENTIALS_FILE": os.devnull, **self.settings}
            function = PackagedFunction(configuration["FunctionName"], configuration["Handler"], self.python,
                                        self.task_root, environment, self.logs / f"{logical_id}.log",
                                        configuration["Timeout"], configuration["MemorySize"],
                                        configuration["FunctionArn"])
            self.configurations[logical_id] = configuration
            self.functions[logical_id] = function
            function.launch()  # the init phases overlap, as separate containers' do
        for function in self.functions.values():
            function.wait_ready()

    def stop(self) -> None:
        for function in self.functions.values():
            function.stop()

    def by_arn(self, arn: str) -> PackagedFunction:
        return next(function for function in self.functions.values() if function.arn == arn)

    # --- EventBridge --------------------------------------------------------------------------------------------
    def tick(self) -> list[Any]:
        """Each scheduled rule fires: its target functions get EventBridge's scheduled event."""
        events, results = self.moto.client("events"), []
        for rule in self.stack.of_type("AWS::Events::Rule").values():
            rule_arn = events.describe_rule(Name=rule)["Arn"]
            for target in events.list_targets_by_rule(Rule=rule)["Targets"]:
                results.append(self.by_arn(target["Arn"]).invoke(lambda_events.scheduled(rule_arn)).ok())
        return results

    # --- SQS event sources --------------------------------------------------------------------------------------
    def mappings(self) -> list[dict[str, Any]]:
        return self.moto.client("lambda").list_event_source_mappings()["EventSourceMappings"]

    def _poller(self, function: PackagedFunction) -> Any:
        """The SQS client of the function's event source mapping: its calls are recorded as the function's."""
        if function.name not in self._pollers:
            self._pollers[function.name] = self.moto.client("sqs", on_call=_recorder(function))
        return self._pollers[function.name]

    def _queue_url(self, mapping: dict[str, Any]) -> str:
        """The mapping knows its queue by ARN; the URL is the rehearsal's lookup, not a call of the function's."""
        name = mapping["EventSourceArn"].rsplit(":", 1)[1]
        return self.moto.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]

    def receive(self, mapping: dict[str, Any], function: PackagedFunction) -> list[dict[str, Any]]:
        """One poll of the mapping's queue, with the function's role (the poller's calls are the function's)."""
        sqs = self._poller(function)
        return sqs.receive_message(QueueUrl=self._queue_url(mapping), MaxNumberOfMessages=mapping["BatchSize"],
                                   AttributeNames=["All"],
                                   MessageAttributeNames=["All"], WaitTimeSeconds=0).get("Messages", [])

    def deliver(self, mapping: dict[str, Any], messages: list[dict[str, Any]]) -> Any:
        """Invoke the function with the batch; on success delete it (as the poller does), else leave it."""
        function = self.by_arn(mapping["FunctionArn"])
        invocation = function.invoke(lambda_events.sqs(messages, mapping["EventSourceArn"]))
        if invocation.error is None:
            sqs = self._poller(function)
            sqs.delete_message_batch(QueueUrl=self._queue_url(mapping), Entries=[
                {"Id": str(number), "ReceiptHandle": message["ReceiptHandle"]}
                for number, message in enumerate(messages)])
        return invocation

    def drain(self, queues: set[str] | None = None, timeout: float = 120) -> list[Any]:
        """Poll the mappings (of the ``queues``, by logical id, or all), invoking their functions, until their queues
        hold nothing: no message visible, in flight or delayed. Returns what the functions returned."""
        mappings = [mapping for mapping in self.mappings() if queues is None or self.queue_of(mapping) in queues]
        results, deadline = [], time.monotonic() + timeout
        while True:
            delivered = False
            for mapping in mappings:
                messages = self.receive(mapping, self.by_arn(mapping["FunctionArn"]))
                if messages:
                    results.append(self.deliver(mapping, messages).ok())
                    delivered = True
            if not delivered and all(self._empty(mapping) for mapping in mappings):
                return results
            if time.monotonic() > deadline:
                raise FunctionFailedError(f"the queues did not drain within {timeout:.0f} s")
            if not delivered:
                time.sleep(0.1)  # a delayed message (change events' debounce) is not receivable yet

    def _empty(self, mapping: dict[str, Any]) -> bool:
        counts = self.moto.client("sqs").get_queue_attributes(QueueUrl=self._queue_url(mapping), AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"])["Attributes"]
        return not any(int(value) for value in counts.values())

    def logical_id(self, function_arn: str) -> str:
        return next(name for name, function in self.functions.items() if function.arn == function_arn)

    def queue_of(self, mapping: dict[str, Any]) -> str:
        """The logical id of the mapping's queue."""
        name = mapping["EventSourceArn"].rsplit(":", 1)[1]
        return next(logical_id for logical_id, url in self.stack.of_type("AWS::SQS::Queue").items()
                    if url.rsplit("/", 1)[1] == name)

    def api_function(self) -> str:
        """The logical id of the function API Gateway's proxy integration invokes."""
        paths = self.template["Resources"]["RestAPI"]["Properties"]["Body"]["paths"]
        uri = next(iter(next(iter(paths.values())).values()))["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        [function] = re.findall(r"\$\{(\w+)\.Arn\}", uri)
        return function

    # --- API Gateway --------------------------------------------------------------------------------------------
    def request(self, method: str, url: str, token: str | None = None, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        """One HTTP request through API Gateway's proxy integration to the API function."""
        api = self.template["Resources"]["RestAPI"]["Properties"]["Body"]["paths"]
        [stage] = self.stack.of_type("AWS::ApiGateway::Stage").values()
        sent = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        raw = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        if raw is not None:
            sent.setdefault("Content-Type", "application/json")
        event = lambda_events.api_proxy(api, method, url, stage=stage, api_id=self.stack.physical("RestAPI"),
                                        account=self.functions[self.api_function()].arn.split(":")[4], headers=sent,
                                        body=raw)
        answer = self.functions[self.api_function()].invoke(event).ok()
        text = base64.b64decode(answer["body"]) if answer.get("isBase64Encoded") else answer.get("body", "")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return answer["statusCode"], answer.get("headers", {}), parsed


def _recorder(function: PackagedFunction) -> Any:
    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        named = {key: params[key] for key in ("QueueUrl", "QueueName") if key in params}
        function.calls.append({"service": model.service_model.signing_name, "operation": model.name,
                               "params": named, "by": "event source mapping"})
    return record
