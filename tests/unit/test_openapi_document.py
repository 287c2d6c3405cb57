"""The OpenAPI document is valid OpenAPI 3.1, and names what the code refuses and accepts."""
import typing
from collections.abc import Iterator
from typing import Any

from openapi_spec_validator import validate

from chalicelib.api.openapi import ANSWERS, document
from chalicelib.domain.answers import products
from chalicelib.domain.events import LISTS
from chalicelib.domain.runs import FORCE_MODES
from chalicelib.services import force
from chalicelib.services.products import ITEM_FIELDS


def test_the_document_is_valid_openapi_3_1():
    validate(document())


def test_signed_in_routes_document_401_403_and_the_public_ones_do_not():
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            public = operation.get("security") is not None
            assert public == (path in ("/api/health", "/api/events/products")), path
            assert ("403" in operation["responses"]) == (not public), f"{method} {path}"
            assert "401" in operation["responses"] or path == "/api/health"


def test_force_sync_modes_are_the_services():
    schema = document()["components"]["schemas"]["ForceSyncRequest"]
    assert schema["properties"]["mode"]["enum"] == list(FORCE_MODES) and schema["additionalProperties"] is False


def _objects(schema: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        if "properties" in schema:
            yield where, schema
        for key, value in schema.items():
            yield from _objects(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _objects(value, f"{where}/{index}")


def test_every_object_the_document_describes_is_closed():
    """An answer (or a body) holding a key the document does not name fails the tests that hold answers to it."""
    found = list(_objects(document()["components"]["schemas"], ""))
    assert len(found) > 50
    assert [where for where, schema in found if schema.get("additionalProperties") is not False] == []


def test_the_answers_schemas_are_their_definitions():
    schemas = document()["components"]["schemas"]
    assert {definition.__name__ for definition in ANSWERS} <= set(schemas)
    assert list(schemas["Product"]["properties"]) == list(ITEM_FIELDS) == list(typing.get_type_hints(products.Product))


def test_the_request_bodies_name_the_parsers_fields():
    schemas = document()["components"]["schemas"]
    assert set(schemas["ForceSyncRequest"]["properties"]) == set(force._FIELDS)
    assert set(schemas["ChangeEvent"]["properties"]) == {"feed", *LISTS}
