"""IAM policy evaluation, as far as the deployment's policies need it: does a document allow, deny or not speak to a
request (an action on a resource, with its condition keys)?

Explicit Deny wins, then any Allow; Action/NotAction and Resource with IAM's ``*`` and ``?`` wildcards (actions
case-insensitively); conditions with the operators below, every key and operator ANDed, the values of one key ORed.
An operator this module does not know raises: a condition is never assumed to hold.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["allow", "deny", "none"]


class UnknownConditionError(ValueError):
    """A policy uses a condition operator that cannot be evaluated here."""


@dataclass(frozen=True)
class Request:
    action: str  # e.g. "dynamodb:Query"
    resource: str  # an ARN
    context: dict[str, str] = field(default_factory=dict)  # condition keys, e.g. {"s3:prefix": "feeds/"}


def _pattern(value: str, ignore_case: bool = False) -> re.Pattern[str]:
    expression = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in value)
    return re.compile(f"^{expression}$", (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)


def matches(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return bool(_pattern(pattern, ignore_case).match(value))


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _string_like(expected: str, actual: str) -> bool:
    return matches(expected, actual)


_OPERATORS = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringNotEquals": lambda expected, actual: expected != actual,
    "StringLike": _string_like,
    "ArnEquals": lambda expected, actual: expected == actual,
    "ArnLike": _string_like,
    "Bool": lambda expected, actual: str(expected).lower() == str(actual).lower(),
}
_NEGATED = {"StringNotEquals"}


def _condition_holds(condition: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    for operator, keys in condition.items():
        base = operator.removesuffix("IfExists")
        if base not in _OPERATORS:
            raise UnknownConditionError(f"condition operator {operator} is not evaluated by tests/infra/iam_policy.py")
        compare = _OPERATORS[base]
        for key, expected in keys.items():
            actual = next((value for name, value in context.items() if name.lower() == key.lower()), None)
            if actual is None:
                if operator.endswith("IfExists"):
                    continue
                return False
            outcomes = [compare(str(value), actual) for value in _listed(expected)]
            if not (all(outcomes) if base in _NEGATED else any(outcomes)):
                return False
    return True


def applies(statement: dict[str, Any], request: Request) -> bool:
    """Whether the statement speaks to the request (its Effect then decides)."""
    if "Action" in statement:
        if not any(matches(action, request.action, ignore_case=True) for action in _listed(statement["Action"])):
            return False
    elif any(matches(action, request.action, ignore_case=True) for action in _listed(statement["NotAction"])):
        return False
    if "Resource" in statement:
        if not any(matches(resource, request.resource) for resource in _listed(statement["Resource"])):
            return False
    elif "NotResource" in statement and any(matches(resource, request.resource)
                                            for resource in _listed(statement["NotResource"])):
        return False
    return _condition_holds(statement.get("Condition", {}), request.context)


def statements(document: dict[str, Any] | str) -> list[dict[str, Any]]:
    parsed = json.loads(document) if isinstance(document, str) else document
    return _listed(parsed["Statement"])


def decide(document: dict[str, Any] | str, request: Request) -> Decision:
    decision: Decision = "none"
    for statement in statements(document):
        if applies(statement, request):
            if statement["Effect"] == "Deny":
                return "deny"
            decision = "allow"
    return decision
