"""Health, the effective settings and the OpenAPI document."""
from __future__ import annotations

from typing import Any

from .. import container
from ..domain.access import READ_API, READ_SETTINGS
from ..services.configuration import effective_settings
from .auth import requires
from .blueprint import api
from .openapi import document


@api.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok"}


@api.route("/settings", methods=["GET"])
@requires(READ_SETTINGS)
def get_settings() -> dict[str, Any]:
    return effective_settings(container.context())


@api.route("/openapi.json", methods=["GET"])
@requires(READ_API)
def get_openapi() -> dict[str, Any]:
    return document()
