"""The OpenAPI document is valid OpenAPI 3.1, and names what the code refuses and accepts."""
from openapi_spec_validator import validate

from chalicelib.api.openapi import document
from chalicelib.domain.runs import FORCE_MODES


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
