"""Holds an API answer to the OpenAPI document: its status is documented for the route, its body matches the
schema and its documented headers are there."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE = "urn:catalog-sync:openapi"


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


class OpenApiCheck:
    def __init__(self, document: Mapping[str, Any]):
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry = Registry().with_resource(BASE, resource)
        self._routes = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
                        for path in document["paths"]]

    def route(self, method: str, path: str) -> str | None:
        """The documented path template of ``path`` for ``method``, or None."""
        path = path.split("?", 1)[0]
        for pattern, template in self._routes:
            if pattern.match(path) and method.lower() in self.document["paths"][template]:
                return template
        return None

    def check(self, method: str, path: str, status: int, headers: Mapping[str, str], body: bytes) -> None:
        template = self.route(method, path)
        assert template is not None, f"{method} {path} is not in the OpenAPI document"
        responses = self.document["paths"][template][method.lower()]["responses"]
        assert str(status) in responses, (f"{method} {template} answered {status}, which the document does not "
                                          f"list ({', '.join(responses)}): {body[:300]!r}")
        answer = responses[str(status)]
        lowered = {name.lower(): value for name, value in headers.items()}
        for name in answer.get("headers", {}):
            assert name.lower() in lowered, f"{method} {template} {status} lacks the documented header {name}"
        content = answer.get("content")
        if not content:
            return
        kind = lowered.get("content-type", "")
        assert kind.startswith("application/json"), f"{method} {template} {status} is {kind!r}, not JSON"
        pointer = _pointer("paths", template, method.lower(), "responses", str(status), "content",
                           "application/json", "schema")
        validator = Draft202012Validator({"$ref": f"{BASE}#/{pointer}"}, registry=self._registry,
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(json.loads(body)), key=lambda e: list(e.absolute_path))
        assert not errors, f"{method} {template} {status} does not match the document: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors[:5])
