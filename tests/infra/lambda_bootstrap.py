"""Runs one function of the unpacked deployment package as the python3.12 Lambda runtime would (packaged_lambda.py).

Started as ``python3.12 -I -S lambda_bootstrap.py <task root> <handler>``: isolated, without site-packages, so the
package's own directory (Lambda's /var/task) is all that can be imported besides the standard library. It imports
the handler's module at start (Lambda's init phase), then answers one JSON request per line on stdin, on the
original stdout; whatever the function prints (logs, EMF metrics) goes to stderr. Every AWS call a botocore client
makes — boto3's, PynamoDB's, Powertools' — is recorded with the parameters that name its resources.
Standard library only, until the task root is on the path.
"""
from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import time
import traceback
from typing import Any

NAMING_PARAMETERS = ("TableName", "IndexName", "QueueUrl", "Bucket", "Key", "Prefix", "SecretId", "Name",
                     "UserPoolId", "ClientId")
_calls: list[dict[str, Any]] = []


def _record(params: dict[str, Any], model: Any, **_: Any) -> None:
    named = {key: params[key] for key in NAMING_PARAMETERS if isinstance(params.get(key), str)}
    if "RequestItems" in params:  # BatchGetItem / BatchWriteItem: the tables, and for writes the kinds of request
        named["RequestItems"] = {table: sorted({kind for request in requests for kind in request})
                                 if isinstance(requests, list) else []
                                 for table, requests in params["RequestItems"].items()}
    if "TransactItems" in params:
        named["TransactItems"] = [[kind, body.get("TableName", "")] for item in params["TransactItems"]
                                  for kind, body in item.items()]
    _calls.append({"service": model.service_model.signing_name, "operation": model.name, "params": named})


def _install_recorder() -> None:
    from botocore import session

    create_client = session.Session.create_client

    def recording_create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = create_client(self, *args, **kwargs)
        client.meta.events.register("before-parameter-build", _record)
        return client

    session.Session.create_client = recording_create_client


class LambdaContext:
    """The context object of the Python runtime (awslambdaric's LambdaContext)."""

    def __init__(self, fields: dict[str, Any]):
        self.function_name = fields["function_name"]
        self.function_version = fields["function_version"]
        self.invoked_function_arn = fields["invoked_function_arn"]
        self.memory_limit_in_mb = fields["memory_limit_in_mb"]
        self.aws_request_id = fields["aws_request_id"]
        self.log_group_name = fields["log_group_name"]
        self.log_stream_name = fields["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + fields["timeout_seconds"]

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def _failure() -> dict[str, Any]:
    kind, error, _ = sys.exc_info()
    return {"type": getattr(kind, "__name__", "Error"), "message": str(error), "trace": traceback.format_exc()}


def _import_all(package: str) -> list[dict[str, Any]]:
    failures = []
    module = importlib.import_module(package)
    for found in pkgutil.walk_packages(module.__path__, f"{package}.", onerror=lambda name: None):
        try:
            importlib.import_module(found.name)
        except Exception:  # every module must import in the package as it ships
            failures.append({"module": found.name, **_failure()})
    return failures


def main(task_root: str, handler_name: str) -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the function's stdout (EMF metrics, print) goes to the log, as Lambda sends it to CloudWatch
    sys.path[:0] = [task_root]
    os.chdir(task_root)

    def answer(message: dict[str, Any]) -> None:
        protocol.write(json.dumps(message, default=str) + "\n")

    try:
        _install_recorder()
        module_name, _, attribute = handler_name.rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
    except Exception:
        answer({"ready": False, "error": _failure(), "calls": _calls})
        return
    answer({"ready": True, "calls": _calls, "sys_path": sys.path})
    for line in sys.stdin:
        request = json.loads(line)
        _calls.clear()
        started = time.monotonic()
        if request["op"] == "import_all":
            answer({"failures": _import_all(request["package"]), "calls": _calls})
            continue
        os.environ["_X_AMZN_TRACE_ID"] = request["trace_id"]  # per invocation, as the runtime sets it
        try:
            result, error = handler(request["event"], LambdaContext(request["context"])), None
        except Exception:
            result, error = None, _failure()
        answer({"result": result, "error": error, "calls": _calls, "seconds": time.monotonic() - started})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
