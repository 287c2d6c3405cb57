"""What the API answers, each shape defined once: a ``TypedDict`` per answer (and per named part of one), in one
module per API area. The code that builds an answer returns its type, so mypy proves the keys it builds are the
ones defined here (and their types, where the values are typed); ``chalicelib/api/json_schema.py`` turns the same
definitions into the JSON Schemas of the OpenAPI document, so the document cannot say otherwise.

How a definition reads (the converter's vocabulary, all of it plain ``typing``):
- a field's type: ``str``, ``int``, ``float``, ``bool``, ``None``, ``Any``, ``list[T]``, ``dict[str, T]``, ``T | None``,
  ``Literal[...]``, another ``TypedDict`` (inline, or a ``$ref`` when the document names it as a component);
- ``NotRequired[T]``: a key the answer may leave out;
- ``Annotated[T, ...]``: a string is the field's description; ``OneOf(words)`` its allowed values (from
  ``domain/vocabulary.py`` and the constants it gathers: never retyped here); ``Json(...)`` more JSON Schema
  keywords (``minimum``, ``format``, ``maxItems``); ``Keys(...)`` the fixed keys of a ``dict[str, T]`` whose names
  are a vocabulary (each key required, none other allowed);
- a class docstring is the component's description.
Every object is closed (``additionalProperties: false``): an answer holding a key its definition lacks fails the
tests that hold answers to the document. An answer extending another (``class RunDetail(Run)``) is one flat object.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any


@dataclass(frozen=True)
class OneOf:
    """The values a string (or other scalar) may take: one is a ``const``, more an ``enum``."""

    values: tuple[Any, ...]


@dataclass(frozen=True)
class Json:
    """More JSON Schema keywords for the field (``Json(minimum=0)``, ``Json(format="date-time")``)."""

    items: tuple[tuple[str, Any], ...]

    def __init__(self, **keywords: Any):
        object.__setattr__(self, "items", tuple(keywords.items()))  # hashable: typing hashes Annotated's marks

    @property
    def keywords(self) -> dict[str, Any]:
        return dict(self.items)


@dataclass(frozen=True)
class Keys:
    """The fixed keys of a ``dict[str, T]``, from a vocabulary: each with its description (or none)."""

    described: tuple[tuple[str, str | None], ...]

    @classmethod
    def of(cls, names: Mapping[str, str] | Iterable[str]) -> Keys:
        if isinstance(names, Mapping):
            return cls(tuple(names.items()))
        return cls(tuple((name, None) for name in names))


Count = Annotated[int, Json(minimum=0)]
Time = Annotated[str, Json(format="date-time"), "UTC, ISO 8601 with milliseconds"]
AnyJson = Annotated[Any, "any JSON value"]
JsonObject = dict[str, Any]
