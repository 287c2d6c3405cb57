"""What the deployment needs to know about the app, read from the app itself: run with the app's .venv.

Prints JSON: the Lambda functions Chalice will package (with their CloudFormation names and event sources),
the DynamoDB tables as the PynamoDB models define them, and the queue names the SQS handlers are bound to.
infra/synth.py builds the merge template from it, so a model or handler change reaches the template at the
next `make synth` instead of drifting from a copy.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _functions(app) -> dict[str, dict]:
    from chalice.app import Rate, ScheduledEventConfig, SQSEventConfig
    from chalice.utils import to_cfn_resource_name

    functions: dict[str, dict] = {}
    for source in app.event_sources:
        resource = to_cfn_resource_name(source.name)
        if isinstance(source, ScheduledEventConfig):
            expression = source.schedule_expression
            rate = expression.to_string() if isinstance(expression, Rate) else str(expression)
            functions[source.name] = {"resource": resource, "kind": "schedule", "schedule": rate}
        elif isinstance(source, SQSEventConfig):
            functions[source.name] = {"resource": resource, "kind": "sqs", "queue": source.queue,
                                      "batch_size": source.batch_size,
                                      "event": f"{resource}SqsEventSource"}
        else:
            raise SystemExit(f"infra does not deploy {type(source).__name__} ({source.name}) yet: add it to infra/")
    for name in app.pure_lambda_functions:
        raise SystemExit(f"infra does not deploy the pure Lambda function {name.name} yet: add it to infra/")
    if app.routes:
        functions["api_handler"] = {"resource": "APIHandler", "kind": "api",
                                    "routes": sorted(app.routes)}
    return functions


def _tables() -> dict[str, dict]:
    """One entry per table, keyed by the environment variable that names it (FEED_ROWS_TABLE, ...)."""
    from pynamodb.attributes import TTLAttribute

    from chalicelib import settings
    from chalicelib.adapters import dynamo_tables

    # The models bound to tables named after their variables (FEED_ROWS_TABLE, ...) tell which model lives in
    # which table.
    names = {field.name: field.name.upper() for field in dataclasses.fields(settings.Settings)
             if field.name.endswith("_table")}
    bound = dynamo_tables.bound(dynamo_tables.TableSettings.of(settings.Settings(**names)))
    models = [bound.feed_rows, bound.runs, bound.batches, bound.control, bound.search_index]
    tables: dict[str, dict] = {}
    for model in models:
        name = model.Meta.table_name
        schema = model._get_schema()
        table = tables.setdefault(name, {"models": [], "key_schema": None, "attributes": {}, "indexes": {},
                                         "ttl": None, "billing_mode": getattr(model.Meta, "billing_mode", None)})
        table["models"].append(model.__name__)
        keys = sorted(schema["key_schema"], key=lambda key: key["KeyType"])  # HASH before RANGE
        if table["key_schema"] not in (None, keys):
            raise SystemExit(f"the models of {name} disagree on its key schema")
        table["key_schema"] = keys
        for definition in schema["attribute_definitions"]:
            table["attributes"][definition["AttributeName"]] = definition["AttributeType"]
        for index in schema["global_secondary_indexes"]:
            table["indexes"][index["index_name"]] = {
                "IndexName": index["index_name"], "KeySchema": index["key_schema"],
                "Projection": index["projection"]}
        for attribute in model.get_attributes().values():
            if isinstance(attribute, TTLAttribute):
                table["ttl"] = attribute.attr_name
    for table in tables.values():
        table["attributes"] = [{"AttributeName": name, "AttributeType": kind}
                               for name, kind in sorted(table["attributes"].items())]
        table["indexes"] = [table["indexes"][name] for name in sorted(table["indexes"])]
    return tables


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import app as application
    from chalicelib import observability, settings
    from chalicelib.api.security_headers import cloudfront_policy

    manifest = {
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "app_name": application.app.app_name,
        "functions": _functions(application.app),
        "tables": _tables(),
        # the environment variables settings.py reads (each constant is named after its variable)
        "settings": sorted(name for name, value in vars(settings).items() if name.isupper() and value == name),
        "queues": {"export": settings.EXPORT_QUEUE, "dead_letter": settings.DEAD_LETTER_QUEUE,
                   "trigger": settings.TRIGGER_QUEUE},
        "metrics": {"namespace": observability.NAMESPACE, "service": observability.SERVICE,
                    "runs_failed": observability.RUNS_FAILED},
        # the headers the API and the local server send, for CloudFront to send on every answer
        "security_headers": cloudfront_policy("${AWS::Region}"),
    }
    json.dump(manifest, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
