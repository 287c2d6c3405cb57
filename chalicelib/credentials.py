"""Credentials: from the environment locally, from Secrets Manager in AWS (cached); never logged.

A secret in Secrets Manager holds a JSON object; each credential is one of its keys, named like the
environment variable that carries it locally (e.g. ``{"MAGENTO_TOKEN": "..."}``). A secret name of the form
``ssm:<parameter name>`` names an SSM Parameter Store parameter (a SecureString, decrypted) holding the same
JSON object instead. A value set in the environment wins, so a developer can override one credential
without touching the secret.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

from .domain.errors import CatalogSyncError

CACHE_SECONDS = 300  # a rotated secret is picked up within five minutes
SSM_PREFIX = "ssm:"

MAGENTO_TOKEN = "MAGENTO_TOKEN"
MAGENTO_CONSUMER_KEY = "MAGENTO_CONSUMER_KEY"
MAGENTO_CONSUMER_SECRET = "MAGENTO_CONSUMER_SECRET"
MAGENTO_ACCESS_TOKEN = "MAGENTO_ACCESS_TOKEN"
MAGENTO_ACCESS_TOKEN_SECRET = "MAGENTO_ACCESS_TOKEN_SECRET"
OAUTH1_KEYS = (MAGENTO_CONSUMER_KEY, MAGENTO_CONSUMER_SECRET, MAGENTO_ACCESS_TOKEN, MAGENTO_ACCESS_TOKEN_SECRET)
EVENTS_SECRET = "EVENTS_SECRET"
DESTINATION_API_KEY = "DESTINATION_API_KEY"


class CredentialsError(CatalogSyncError):
    """A credential is missing or its secret cannot be read. The message names it, never its value."""


def _secret(name: str) -> Mapping[str, str]:
    from aws_lambda_powertools.utilities import parameters  # only in AWS: keeps local imports light

    try:
        if name.startswith(SSM_PREFIX):
            value = parameters.get_parameter(name[len(SSM_PREFIX):], decrypt=True, transform="json",
                                             max_age=CACHE_SECONDS)
        else:
            value = parameters.get_secret(name, transform="json", max_age=CACHE_SECONDS)
    except Exception as error:  # GetParameterError, TransformParameterError
        raise CredentialsError(f"cannot read the secret {name!r}: {type(error).__name__}") from None
    if not isinstance(value, dict):
        raise CredentialsError(f"the secret {name!r} must hold a JSON object")
    return value


def read(keys: tuple[str, ...], secret_name: str = "", env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The credentials named by ``keys`` that are configured (empty values are left out)."""
    env = os.environ if env is None else env
    found = {key: env[key] for key in keys if env.get(key)}
    if secret_name and len(found) < len(keys):
        stored = _secret(secret_name)
        found.update({key: str(stored[key]) for key in keys if key not in found and stored.get(key)})
    return found


def require(keys: tuple[str, ...], secret_name: str = "", env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Like read(), but every key must be configured; the error lists the missing ones and where to set them."""
    found = read(keys, secret_name, env)
    missing = [key for key in keys if key not in found]
    if missing:
        where = f"the environment or the secret {secret_name!r}" if secret_name else "the environment"
        raise CredentialsError(f"missing credentials: {', '.join(missing)} (set them in {where})")
    return found
