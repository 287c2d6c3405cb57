"""The parts every path of the OpenAPI document is made of: an answer, an error, the answers of a route behind
sign-in, a parameter; and the words the descriptions share."""
from __future__ import annotations

from typing import Any

from .json_schema import Schema, ref

STRING: Schema = {"type": "string"}
ADMINS, OPERATORS = "Admins only.", "Admins and operators (or a machine client with the force-sync scope)."
BAD_REQUEST = "a parameter or the body is not valid; the message names it and what it accepts"
TOO_LARGE = "the body is larger than the route accepts"
INTERNAL = ("something unexpected went wrong on the server's side (never the client's input); the message gives "
            "the request id under which it is logged")
SIGN_IN_UNAVAILABLE = "tokens cannot be checked now (sign-in not configured, or the pool's keys unreadable)"
LOCATION = {"schema": STRING, "description": "the run's detail"}


def json(schema: Schema | str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """An answer with a JSON body: ``schema``, or the component of that name."""
    body = ref(schema) if isinstance(schema, str) else schema
    answer: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": body}}}
    if headers:
        answer["headers"] = headers
    return answer


def error(description: str, headers: dict[str, Any] | None = None, schema: str = "Error") -> dict[str, Any]:
    return json(schema, description, headers)


def signed_in(permission: str, answers: dict[str, Any], unavailable: str = SIGN_IN_UNAVAILABLE) -> dict[str, Any]:
    """The answers of a route behind sign-in: its own, and 401 / 403 / 503."""
    return {**answers,
            "401": error("no access token, or one that is not valid (expired, another pool or app client, an ID "
                         "token...)", {"WWW-Authenticate": {"schema": STRING}}),
            "403": error(f"the caller's role may not {permission}"),
            "503": error(unavailable)}


def query(name: str, schema: Schema, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def path(name: str, schema: Schema, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def with_internal_errors(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation may answer the last resort's 500 (api/answers.py), which says no more than this."""
    for operations in paths.values():
        for operation in operations.values():
            operation["responses"]["500"] = error(INTERNAL)
    return paths
