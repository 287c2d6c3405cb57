"""The converter from the answers' definitions (TypedDicts) to the OpenAPI document's JSON Schemas: each construct
the definitions may use, and a clear refusal of any other."""
from typing import Annotated, Any, Literal, NotRequired, TypedDict

import pytest
from jsonschema import Draft202012Validator

from chalicelib.api.json_schema import components, schema_of
from chalicelib.domain.answers import Count, Json, Keys, OneOf, Time


class Inner(TypedDict):
    """An inner thing."""

    name: str


class Outer(TypedDict):
    inner: Inner
    maybe: Inner | None
    note: NotRequired[Annotated[str, "said only sometimes"]]


class Wider(Outer):
    extra: int


def test_scalars_any_and_none():
    assert schema_of(str) == {"type": "string"}
    assert schema_of(int) == {"type": "integer"}
    assert schema_of(float) == {"type": "number"}
    assert schema_of(bool) == {"type": "boolean"}
    assert schema_of(type(None)) == {"type": "null"}
    assert schema_of(Any) == {}


def test_literals_are_a_const_or_an_enum():
    assert schema_of(Literal["ok"]) == {"const": "ok"}
    assert schema_of(Literal["a", "b"]) == {"enum": ["a", "b"]}
    assert schema_of(Literal[True]) == {"const": True}


def test_a_nullable_scalar_is_a_list_of_types_and_keeps_its_keywords():
    assert schema_of(Count | None) == {"type": ["integer", "null"], "minimum": 0}
    assert schema_of(Annotated[Time | None, "when"]) == {"type": ["string", "null"], "format": "date-time",
                                                         "description": "when"}


def test_a_nullable_enum_or_reference_is_an_any_of_with_the_description_outside():
    assert schema_of(Annotated[str, OneOf(("a", "b")), "a or b"] | None) == {
        "anyOf": [{"enum": ["a", "b"]}, {"type": "null"}], "description": "a or b"}
    assert schema_of(Inner | None, named=[Inner]) == {"anyOf": [{"$ref": "#/components/schemas/Inner"},
                                                                {"type": "null"}]}


def test_a_union_of_several_types():
    assert schema_of(str | int | None) == {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}


def test_lists_and_string_keyed_dicts():
    assert schema_of(list[str]) == {"type": "array", "items": {"type": "string"}}
    assert schema_of(dict[str, Count]) == {"type": "object", "additionalProperties": {"type": "integer",
                                                                                      "minimum": 0}}
    assert schema_of(dict[str, Any]) == {"type": "object"}


def test_annotations_describe_restrict_and_add_keywords():
    assert schema_of(Annotated[int, Json(minimum=1, maximum=5), "a count"]) == {
        "type": "integer", "minimum": 1, "maximum": 5, "description": "a count"}
    assert schema_of(Annotated[str, OneOf(("only",))]) == {"const": "only"}
    assert schema_of(Annotated[list[str], Json(maxItems=3)]) == {"type": "array", "items": {"type": "string"},
                                                                 "maxItems": 3}


def test_keys_from_a_vocabulary_make_a_closed_object_of_required_keys():
    assert schema_of(Annotated[dict[str, Count], Keys.of(("a", "b"))]) == {
        "type": "object", "additionalProperties": False, "required": ["a", "b"],
        "properties": {"a": {"type": "integer", "minimum": 0}, "b": {"type": "integer", "minimum": 0}}}
    described = schema_of(Annotated[dict[str, int], Keys.of({"a": "the a's"})])
    assert described["properties"] == {"a": {"type": "integer", "description": "the a's"}}


def test_a_typed_dict_is_a_closed_object_inline_or_by_reference():
    schema = schema_of(Outer, named=[Inner])
    assert schema == {
        "type": "object", "additionalProperties": False, "required": ["inner", "maybe"],
        "properties": {"inner": {"$ref": "#/components/schemas/Inner"},
                       "maybe": {"anyOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}]},
                       "note": {"type": "string", "description": "said only sometimes"}}}
    assert schema_of(Outer)["properties"]["inner"] == {"type": "object", "additionalProperties": False,
                                                       "required": ["name"], "description": "An inner thing.",
                                                       "properties": {"name": {"type": "string"}}}


def test_an_extended_definition_is_one_flat_object_with_its_bases_fields_first():
    schema = schema_of(Wider)
    assert list(schema["properties"]) == ["inner", "maybe", "note", "extra"]
    assert schema["required"] == ["inner", "maybe", "extra"]


class Postponed(TypedDict):
    when: "Time | None"
    note: "NotRequired[str]"


def test_annotations_written_as_strings_are_evaluated():
    assert schema_of(Postponed) == {
        "type": "object", "additionalProperties": False, "required": ["when"],
        "properties": {"when": {"type": ["string", "null"], "format": "date-time",
                                "description": "UTC, ISO 8601 with milliseconds"},
                       "note": {"type": "string"}}}


def test_components_are_named_by_their_definitions_and_refer_to_each_other():
    found = components([Inner, Outer])
    assert set(found) == {"Inner", "Outer"}
    assert found["Inner"]["description"] == "An inner thing."
    assert found["Outer"]["properties"]["inner"] == {"$ref": "#/components/schemas/Inner"}


def test_a_key_the_definition_lacks_fails_validation():
    validator = Draft202012Validator(schema_of(Inner))
    assert validator.is_valid({"name": "x"})
    assert not validator.is_valid({"name": "x", "surprise": 1})
    assert not validator.is_valid({})


@pytest.mark.parametrize("hint", [set[str], dict[int, str], tuple[int, ...], object])
def test_a_type_it_does_not_know_is_refused(hint):
    with pytest.raises(TypeError, match="no JSON Schema"):
        schema_of(hint)


def test_a_mark_it_does_not_know_is_refused():
    with pytest.raises(TypeError, match="unknown mark"):
        schema_of(Annotated[int, 42])
