"""Health, the effective settings, the lists a client picks from and the OpenAPI document."""
from __future__ import annotations

from typing import Any

from .. import container
from ..domain.access import READ_API, READ_SETTINGS
from ..domain.answers.admin import Health, Settings
from ..domain.vocabulary import vocabulary
from ..services.configuration import effective_settings
from .auth import requires
from .blueprint import api
from .openapi import document


@api.route("/health", methods=["GET"])
def health() -> Health:
    return {"status": "ok"}


@api.route("/settings", methods=["GET"])
@requires(READ_SETTINGS)
def get_settings() -> Settings:
    return effective_settings(container.context())


@api.route("/meta", methods=["GET"])
@requires(READ_API)
def get_meta() -> dict[str, list[str]]:
    return vocabulary()


@api.route("/openapi.json", methods=["GET"])
@requires(READ_API)
def get_openapi() -> dict[str, Any]:
    return document()
