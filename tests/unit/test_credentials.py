"""Credentials: the environment first, then one JSON secret in Secrets Manager (moto); names, never values."""
import json

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from chalicelib import credentials
from chalicelib.credentials import OAUTH1_KEYS, CredentialsError


@pytest.fixture(autouse=True)
def fresh_cache():
    parameters.clear_caches()
    yield
    parameters.clear_caches()


def test_the_environment_is_enough_locally():
    env = {"MAGENTO_TOKEN": "t0k3n"}
    assert credentials.require(("MAGENTO_TOKEN",), env=env) == {"MAGENTO_TOKEN": "t0k3n"}


def test_missing_ones_are_named_with_where_to_set_them_and_values_never_shown():
    with pytest.raises(CredentialsError) as error:
        credentials.require(OAUTH1_KEYS, env={"MAGENTO_CONSUMER_KEY": "ck-secret-value"})
    message = str(error.value)
    assert "MAGENTO_CONSUMER_SECRET, MAGENTO_ACCESS_TOKEN, MAGENTO_ACCESS_TOKEN_SECRET" in message
    assert "ck-secret-value" not in message


def test_a_secret_fills_what_the_environment_leaves_out(aws):
    boto3.client("secretsmanager").create_secret(Name="catalog-sync/magento", SecretString=json.dumps(
        {"MAGENTO_CONSUMER_KEY": "from-secret", "MAGENTO_CONSUMER_SECRET": "cs", "MAGENTO_ACCESS_TOKEN": "at",
         "MAGENTO_ACCESS_TOKEN_SECRET": "ats"}))
    found = credentials.require(OAUTH1_KEYS, "catalog-sync/magento", env={"MAGENTO_CONSUMER_KEY": "from-env"})
    assert found == {"MAGENTO_CONSUMER_KEY": "from-env", "MAGENTO_CONSUMER_SECRET": "cs",
                     "MAGENTO_ACCESS_TOKEN": "at", "MAGENTO_ACCESS_TOKEN_SECRET": "ats"}


def test_an_unreadable_or_malformed_secret_is_a_clear_error(aws):
    with pytest.raises(CredentialsError, match="cannot read the secret 'nope'"):
        credentials.require(("MAGENTO_TOKEN",), "nope", env={})
    boto3.client("secretsmanager").create_secret(Name="flat", SecretString='"just a string"')
    with pytest.raises(CredentialsError, match="must hold a JSON object"):
        credentials.require(("MAGENTO_TOKEN",), "flat", env={})
