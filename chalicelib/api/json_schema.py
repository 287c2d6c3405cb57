"""The JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of the answers' definitions (``chalicelib/domain/answers``):
the one step from a ``TypedDict`` to the OpenAPI document's components.

Why our own ~100 lines and not a library: pydantic's ``TypeAdapter(...).json_schema()`` reads the same TypedDicts,
but pydantic is not in the Lambda package (aws-lambda-powertools[tracer] does not pull it; only the test tools do)
and would add pydantic + pydantic-core, 9.5 MB, and some 0.3 s of import and schema building to the API's cold
start; its output would still need rewriting (titles on every field, ``$defs`` instead of the document's
components, ``anyOf`` for every optional) to say what this document says. The constructs the answers use are few,
each is covered by tests/unit/test_json_schema.py, and anything else is a TypeError at import, not a silent guess.
"""
from __future__ import annotations

from collections.abc import Iterable
from types import NoneType, UnionType
from typing import (
    Annotated,
    Any,
    ForwardRef,
    Literal,
    NotRequired,
    Required,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)
from typing import is_typeddict as _is_typeddict

from ..domain.answers import Json, Keys, OneOf

Schema = dict[str, Any]
PREFIX = "#/components/schemas/"
_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean", NoneType: "null"}


def components(definitions: Iterable[type]) -> dict[str, Schema]:
    """Each definition's schema by its name; a definition that names another of them refers to it (``$ref``)."""
    named = tuple(definitions)
    converter = _Converter(named)
    return {definition.__name__: converter.object(definition) for definition in named}


def schema_of(hint: Any, named: Iterable[type] = ()) -> Schema:
    """The schema of one type (``named``: the TypedDicts that are components, referred to by ``$ref``)."""
    return _Converter(tuple(named)).schema(hint)


def ref(name: str) -> Schema:
    return {"$ref": PREFIX + name}


class _Converter:
    def __init__(self, named: tuple[type, ...]):
        self.named = named

    def object(self, definition: type) -> Schema:
        """A TypedDict as a closed object: its fields (its bases' first), required unless NotRequired."""
        properties, required = {}, []
        for name, hint in _fields(definition).items():
            if get_origin(hint) is NotRequired:
                hint = get_args(hint)[0]
            else:
                required.append(name)
            properties[name] = self.schema(hint)
        schema: Schema = {"type": "object", "properties": properties, "required": required,
                          "additionalProperties": False}
        if definition.__doc__:
            schema["description"] = definition.__doc__.strip()
        return schema

    def schema(self, hint: Any) -> Schema:
        origin, args = get_origin(hint), get_args(hint)
        if origin is Annotated:
            return self._annotated(args[0], args[1:])
        if origin is Required:
            return self.schema(args[0])
        if hint is Any:
            return {}
        if hint in _SCALARS:
            return {"type": _SCALARS[hint]}
        if origin is Literal:
            return _values(args)
        if origin in (Union, UnionType):
            return self._union(args)
        if origin is list:
            return {"type": "array", "items": self.schema(args[0])}
        if origin is dict and args[0] is str:
            values = self.schema(args[1])
            return {"type": "object", **({"additionalProperties": values} if values else {})}
        if _is_typeddict(hint):
            return ref(hint.__name__) if hint in self.named else self.object(hint)
        raise TypeError(f"no JSON Schema for {hint!r}: see chalicelib/domain/answers for what a definition may use")

    def _annotated(self, hint: Any, marks: tuple[Any, ...]) -> Schema:
        schema = self.schema(hint)
        for mark in marks:
            if isinstance(mark, str):
                schema["description"] = mark
            elif isinstance(mark, OneOf):
                schema = {**{k: v for k, v in schema.items() if k != "type"}, **_values(mark.values)}
            elif isinstance(mark, Json):
                schema.update(mark.keywords)
            elif isinstance(mark, Keys):
                values = schema.get("additionalProperties", {})
                schema = {"type": "object", "properties": {name: {**values, **({"description": about} if about else {})}
                                                           for name, about in mark.described},
                          "required": [name for name, _ in mark.described], "additionalProperties": False}
            else:
                raise TypeError(f"unknown mark {mark!r}")
        return schema

    def _union(self, members: tuple[Any, ...]) -> Schema:
        schemas = [self.schema(member) for member in members if member is not NoneType]
        nullable = len(schemas) < len(members)
        if len(schemas) > 1:
            return {"anyOf": [*schemas, *([{"type": "null"}] if nullable else [])]}
        schema = schemas[0]
        if not nullable:
            return schema
        if isinstance(schema.get("type"), str):  # each other keyword applies to its own type alone
            return {**schema, "type": [schema["type"], "null"]}
        about = {"description": schema.pop("description")} if "description" in schema else {}
        return {"anyOf": [schema, {"type": "null"}], **about}


def _fields(definition: type) -> dict[str, Any]:
    """A TypedDict's fields, its bases' included, in order: as evaluated (the answers' modules do not postpone
    annotations, and get_type_hints would only evaluate them again, at most of the document's build time)."""
    fields: dict[str, Any] = definition.__annotations__
    if any(isinstance(hint, str | ForwardRef) for hint in fields.values()):
        fields = get_type_hints(definition, include_extras=True)
    return fields


def _values(values: tuple[Any, ...]) -> Schema:
    return {"const": values[0]} if len(values) == 1 else {"enum": list(values)}
