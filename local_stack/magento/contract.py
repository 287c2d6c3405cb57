"""Requests and responses checked against Magento's official REST schema (the 2.4.8 feeds subset, Swagger 2.0).

The schema is the official subset plus ``EXTRA_SCHEMA_FILE``: operations a real Magento 2.4 with MSI serves that
the subset lacks, written from Magento's own code (each says where it comes from in its ``source``).

A request must name a path template of the schema under ``/rest/<store_code>`` (``/rest/V1/...`` is store
``default``), use its method, and send only the query parameters the operation declares, of their declared
types. searchCriteria parameters are matched with any index in place of the schema's ``[0]``, and in either
spelling Magento's input processor accepts (``filterGroups`` as the schema writes it, or ``filter_groups``);
the searchCriteria they build is then validated against ``framework-search-criteria-interface``. The bare
``searchCriteria=`` (an empty criteria, the documented way to ask for everything) and Magento's framework-wide
``fields`` parameter are accepted too. A response body is validated against the operation's 200 schema.

Two places where Magento knowingly differs from its generated schema are allowed, and only these: Swagger 2.0
cannot say "nullable", yet Magento sends ``null`` for the properties in ``NULLABLE`` (a getter documented as
returning a value, whose value is null, is serialized as null: a stock item's ``low_stock_date``, a media entry
without a label, a special price without a from or to date, a dynamic-price bundle's selection price and price
type); and error bodies carry ``parameters`` as an object ({"resources": ...}), not the schema's array, so error
responses are not validated.
"""
from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
from jsonschema.exceptions import best_match

from .errors import REQUIRED_FIELD, ContractError, MagentoError, ResponseContractError, invalid_value, no_route

SCHEMA_FILE = Path(__file__).with_name("magento-rest-2.4.8-feeds-subset.json")
EXTRA_SCHEMA_FILE = Path(__file__).with_name("magento-rest-inventory-sales-extra.json")
NULLABLE = {"catalog-inventory-data-stock-item-interface": ("low_stock_date",),
            "catalog-data-product-attribute-media-gallery-entry-interface": ("label",),
            "catalog-data-special-price-interface": ("price_from", "price_to"),
            "bundle-data-link-interface": ("price", "price_type")}
FRAMEWORK_PARAMETERS = frozenset({"fields"})
SEARCH_CRITERIA = "searchCriteria"
SEARCH_CRITERIA_DEFINITION = "framework-search-criteria-interface"
NOT_IN_SCHEMA = 'Parameter "%1" is not declared by the Magento REST schema for %2 %3.'
INVALID_CRITERIA = "searchCriteria does not match the Magento REST schema: %1"
INVALID_BODY = "The request body does not match the Magento REST schema: %1"
_TYPE_NAMES = {"integer": "int", "number": "float", "boolean": "bool", "string": "string"}
_CHECKS = {"integer": re.compile(r"-?\d+$"), "number": re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"),
           "boolean": re.compile(r"(?i)(true|false|1|0)$")}


def _snake(token: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", token).lower()


def _brackets(name: str) -> list[str]:
    """'a[b][0][c]' → ['a', 'b', '0', 'c']."""
    head, _, rest = name.partition("[")
    return [head] + (rest[:-1].split("][") if rest.endswith("]") else ([rest] if rest else []))


@dataclass(frozen=True)
class QueryParameter:
    name: str  # as the schema spells it
    type: str
    pattern: re.Pattern


@dataclass(frozen=True)
class Operation:
    method: str
    template: str  # '/V1/products/{sku}'
    operation_id: str
    regex: re.Pattern
    path_types: Mapping[str, str]
    query: tuple[QueryParameter, ...]
    body_schema: Mapping[str, Any] | None
    response_schema: Mapping[str, Any] | None

    @property
    def takes_search_criteria(self) -> bool:
        return any(p.name.startswith(SEARCH_CRITERIA + "[") for p in self.query)


@dataclass(frozen=True)
class Request:
    """A request the schema describes, with its parts typed."""

    operation: Operation
    store_code: str
    path_params: Mapping[str, Any]
    query: Mapping[str, str]  # last value of each parameter
    arrays: Mapping[str, list[str]]  # every value of each array parameter, by its declared name
    search_criteria: Mapping[str, Any] | None  # in the schema's snake_case shape; None if none was sent
    body: Any


def _query_pattern(name: str, kind: str) -> re.Pattern:
    if kind == "array":
        return re.compile(re.escape(name) + r"(\[\d*\])?$")
    parts = []
    for token in _brackets(name):
        if token.isdigit():
            parts.append(r"\d+")
        else:
            spellings = {token, _snake(token)}
            parts.append("(?:" + "|".join(re.escape(s) for s in sorted(spellings)) + ")")
    return re.compile(parts[0] + "".join(rf"\[{p}\]" for p in parts[1:]) + "$")


class Contract:
    """The operations of one schema document, with validators built on first use."""

    def __init__(self, document: Mapping[str, Any] | None = None):
        self.document = document if document is not None else packaged_document()
        self.operations = self._operations()
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._lock = threading.Lock()

    def _operations(self) -> list[Operation]:
        operations = []
        for template, methods in self.document["paths"].items():
            for method, spec in methods.items():
                params = spec.get("parameters", [])
                path_types = {p["name"]: p.get("type", "string") for p in params if p.get("in") == "path"}
                # Magento's router trims the path's slashes: webapi.xml's trailing slash is optional.
                regex = re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template.rstrip("/")))
                                   + "/?$")
                query = tuple(QueryParameter(p["name"], p.get("type", "string"), _query_pattern(p["name"], p.get(
                    "type", "string"))) for p in params if p.get("in") == "query")
                body = next((p.get("schema") for p in params if p.get("in") == "body"), None)
                response = spec.get("responses", {}).get("200", {}).get("schema")
                operations.append(Operation(method.upper(), template, spec.get("operationId", ""), regex, path_types,
                                            query, body, response))
        # Magento tries routes with fewer variables first: /V1/products/attributes before /V1/products/{sku}.
        operations.sort(key=lambda op: (len(op.path_types), -op.template.count("/")))
        return operations

    @cached_property
    def _definitions(self) -> dict[str, Any]:
        definitions = copy.deepcopy(self.document["definitions"])
        for name, properties in NULLABLE.items():
            for prop in properties:
                spec = definitions[name]["properties"][prop]
                spec["type"] = [spec["type"], "null"]
        return definitions

    def validator(self, key: str, schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
        with self._lock:
            if key not in self._validators:
                root = {**schema, "definitions": self._definitions}
                self._validators[key] = jsonschema.Draft4Validator(root)
            return self._validators[key]

    # -- requests --------------------------------------------------------------------------------------

    def route(self, method: str, path: str) -> tuple[Operation, str, dict[str, str]]:
        """(operation, store code, raw path parameters) for ``/rest/[<store>/]V1/...``; 404 if none matches."""
        if not path.startswith("/rest/"):
            raise no_route()
        rest = path[len("/rest"):]
        first, _, remainder = rest[1:].partition("/")
        store, service_path = ("default", rest) if first == "V1" else (unquote(first), "/" + remainder)
        for operation in self.operations:
            found = operation.regex.match(service_path)
            if found and operation.method == method:
                return operation, store, found.groupdict()
        raise no_route()  # Magento's routes are per method: a known path with another method matches none

    def validate_request(self, method: str, path: str, query: Sequence[tuple[str, str]] = (),
                         body: bytes | None = None, strict: bool = True) -> Request:
        """The typed request, or MagentoError: 404 for no route, 400 (ContractError) for anything off-schema.

        Not ``strict``: undeclared parameters are ignored and searchCriteria and bodies are not checked against
        the schema, as Magento itself does; values that cannot be converted to their types still fail.
        """
        operation, store, raw = self.route(method, path)
        path_params = {name: _typed(name, unquote(value), operation.path_types[name])
                       for name, value in raw.items()}
        last: dict[str, str] = {}
        arrays: dict[str, list[str]] = {}
        criteria_pairs: list[tuple[list[str], str]] = []
        for name, value in query:
            last[name] = value
            if name in FRAMEWORK_PARAMETERS or (name == SEARCH_CRITERIA and operation.takes_search_criteria):
                continue
            declared = next((p for p in operation.query if p.pattern.match(name)), None)
            if declared is None:
                if not strict:
                    continue
                raise ContractError(NOT_IN_SCHEMA, [name, operation.method, operation.template])
            if declared.type == "array":
                arrays.setdefault(declared.name, []).append(value)
            else:
                _typed(name, value, declared.type)
            if name.startswith(SEARCH_CRITERIA + "["):
                criteria_pairs.append((_brackets(name)[1:], value))
        criteria = None
        if operation.takes_search_criteria and (criteria_pairs or SEARCH_CRITERIA in last):
            criteria = self._search_criteria(criteria_pairs, strict)
        return Request(operation, store, path_params, last, arrays, criteria, self._body(operation, body, strict))

    def _search_criteria(self, pairs: Iterable[tuple[list[str], str]], strict: bool) -> dict[str, Any]:
        tree: dict[Any, Any] = {}
        for tokens, value in pairs:
            node: dict[Any, Any] = tree
            for token in tokens[:-1]:
                key: str | int = _snake(token) if not token.isdigit() else int(token)
                node = node.setdefault(key, {})
            node[_snake(tokens[-1])] = value
        criteria = _lists(tree)
        criteria.setdefault("filter_groups", [])  # Magento's SearchCriteria defaults it to no groups
        for key in ("page_size", "current_page"):
            if key in criteria:
                criteria[key] = int(criteria[key])
        if not strict:
            return criteria
        schema = {"$ref": f"#/definitions/{SEARCH_CRITERIA_DEFINITION}"}
        error = best_match(self.validator("criteria", schema).iter_errors(criteria))
        if error is not None:
            raise _schema_error(error, INVALID_CRITERIA, "searchCriteria")
        return criteria

    def _body(self, operation: Operation, body: bytes | None, strict: bool) -> Any:
        if operation.body_schema is None:
            return None
        try:
            payload = json.loads(body or b"")
        except ValueError:
            raise ContractError(INVALID_BODY, ["the body is not JSON"]) from None
        if not strict:
            return payload
        error = best_match(self.validator(operation.operation_id + ":body", operation.body_schema)
                           .iter_errors(payload))
        if error is not None:
            raise _schema_error(error, INVALID_BODY, "")
        return payload

    # -- responses -------------------------------------------------------------------------------------

    def validate_response(self, operation: Operation, body: Any) -> None:
        """Raise ResponseContractError if ``body`` is not what the operation's 200 schema describes."""
        if operation.response_schema is None:
            return
        error = best_match(self.validator(operation.operation_id, operation.response_schema).iter_errors(body))
        if error is not None:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path) or "(body)"
            raise ResponseContractError(f"{operation.method} {operation.template} response {where}: {error.message}")


def packaged_document() -> dict[str, Any]:
    """The official subset with the extra operations merged in (neither may redefine the other's)."""
    document = json.loads(SCHEMA_FILE.read_text())
    extra = json.loads(EXTRA_SCHEMA_FILE.read_text())
    for part in ("paths", "definitions"):
        overlap = document[part].keys() & extra[part].keys()
        if overlap:
            raise ValueError(f"{EXTRA_SCHEMA_FILE.name} redefines {sorted(overlap)}")
        document[part].update(extra[part])
    return document


def _typed(name: str, value: str, kind: str) -> Any:
    check = _CHECKS.get(kind)
    if check is not None and not check.match(value):
        raise invalid_value(name, value, _TYPE_NAMES.get(kind, kind))
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return value.lower() in ("true", "1")
    return value


def _lists(node: Any) -> Any:
    """Dicts keyed by indices become lists in index order (as PHP arrays keep them)."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        return [_lists(node[k]) for k in sorted(node)]
    return {k: _lists(v) for k, v in node.items()}


def _schema_error(error: jsonschema.ValidationError, message: str, prefix: str) -> MagentoError:
    where = prefix + "".join(f"[{p}]" for p in error.absolute_path)
    if error.validator == "required":
        missing = re.match(r"'([^']+)'", error.message)
        field = f"{where}[{missing.group(1)}]" if missing and where else (missing.group(1) if missing else where)
        return ContractError(REQUIRED_FIELD, {"fieldName": field})
    return ContractError(message, [f"{where or 'body'}: {error.message}"])


_DEFAULT: Contract | None = None
_DEFAULT_LOCK = threading.Lock()


def default_contract() -> Contract:
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Contract()
        return _DEFAULT


def validate_request(method: str, path: str, query: Sequence[tuple[str, str]] = (),
                     body: bytes | None = None) -> Request:
    """Check a request against the official schema (see the module's docstring); raises MagentoError."""
    return default_contract().validate_request(method, path, query, body, strict=True)


def validate_response(method: str, path: str, body: Any) -> None:
    """Check a 200 response body for the request ``method path``; raises ResponseContractError."""
    contract = default_contract()
    operation, _, _ = contract.route(method, path)
    contract.validate_response(operation, body)
