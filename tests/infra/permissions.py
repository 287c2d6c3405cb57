"""Do a function's permissions fit its code? Its recorded AWS calls against its role's policy as deployed.

The policy is read back from the stack's role (IAM resolved every reference to the stack's ARNs); the template's
copy of the same statements names what each resource is (a logical id), so a grant no call used is reported as
``(action, "FeedRowsTable")`` rather than as an ARN.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from tests.infra.aws_calls import iam_requests
from tests.infra.iam_policy import Request, applies, decide, statements

Grant = tuple[str, str]  # (action, what the resource is: a logical id, "own log group", "*")


@dataclass(frozen=True)
class Gap:
    action: str
    resource: str
    call: str

    def __str__(self) -> str:
        return f"{self.action} on {self.resource} (for {self.call})"


def deployed_policy(iam: Any, role_arn: str) -> dict[str, Any]:
    """The role's one inline policy, as IAM holds it (moto returns it as a Python repr: read either form)."""
    role = role_arn.rsplit("/", 1)[1]
    [name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    if isinstance(document, str):
        try:
            return json.loads(document)
        except ValueError:
            return ast.literal_eval(document)
    return document


def template_policy(template: dict[str, Any], function: str) -> dict[str, Any]:
    role = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    [policy] = template["Resources"][role]["Properties"]["Policies"]
    return policy["PolicyDocument"]


def label(resource: Any) -> str:
    """What a template policy's resource entry is: a logical id (with an index or a key prefix), or the log group."""
    if isinstance(resource, str):
        return resource
    if "Fn::GetAtt" in resource:
        return resource["Fn::GetAtt"][0]
    if "Ref" in resource:
        return resource["Ref"]
    text = resource["Fn::Sub"] if isinstance(resource["Fn::Sub"], str) else resource["Fn::Sub"][0]
    found = re.match(r"^\$\{(\w+)\.Arn\}(.*)$", text)
    if found:
        return found.group(1) + found.group(2)
    if ":log-group:/aws/lambda/" in text:
        return "own log group"
    raise AssertionError(f"a policy resource the rehearsal cannot name: {resource}")


def requests_of(calls: list[dict[str, Any]], region: str, account: str) -> list[tuple[Request, str]]:
    return [(request, f"{call['service']}:{call['operation']}" + (f" by the {call['by']}" if call.get("by") else ""))
            for call in calls for request in iam_requests(call, region, account)]


def gaps(calls: list[dict[str, Any]], policy: dict[str, Any], region: str, account: str) -> list[Gap]:
    """Every request of the calls that the policy does not allow."""
    found = {Gap(request.action, request.resource, call) for request, call in requests_of(calls, region, account)
             if decide(policy, request) != "allow"}
    return sorted(found, key=str)


def unused(calls: list[dict[str, Any]], deployed: dict[str, Any], template: dict[str, Any], region: str,
           account: str) -> set[Grant]:
    """The grants (action on resource) that none of the calls needed."""
    made = [request for request, _ in requests_of(calls, region, account)]
    deployed_statements, template_statements = statements(deployed), statements(template)
    assert len(deployed_statements) == len(template_statements), "the deployed policy is not the template's"
    grants: set[Grant] = set()
    for live, declared in zip(deployed_statements, template_statements, strict=True):
        live_resources = live["Resource"] if isinstance(live["Resource"], list) else [live["Resource"]]
        declared_resources = declared["Resource"] if isinstance(declared["Resource"], list) else [declared["Resource"]]
        for action in live["Action"] if isinstance(live["Action"], list) else [live["Action"]]:
            for resource, named in zip(live_resources, declared_resources, strict=True):
                single = {**live, "Action": action, "Resource": resource}
                if not any(applies(single, Request(r.action, r.resource, r.context)) for r in made):
                    grants.add((action, label(named)))
    return grants
