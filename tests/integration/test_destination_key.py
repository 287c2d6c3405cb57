"""The destination's API key: the environment locally, a Secrets Manager secret or an SSM parameter in AWS
(moto); the container builds the HTTP destination that reads it at each request."""
import json

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from chalicelib import container, credentials
from chalicelib.adapters.http_destination import HttpDestination
from chalicelib.settings import load

URL = "https://ingest.example.com/v1/feeds/products"


@pytest.fixture(autouse=True)
def fresh_cache():
    parameters.clear_caches()
    yield
    parameters.clear_caches()


def test_the_key_comes_from_a_secrets_manager_secret(aws):
    boto3.client("secretsmanager").create_secret(Name="catalog-sync/destination",
                                                 SecretString=json.dumps({"DESTINATION_API_KEY": "from-secret"}))
    found = credentials.require((credentials.DESTINATION_API_KEY,), "catalog-sync/destination", env={})
    assert found == {"DESTINATION_API_KEY": "from-secret"}


def test_or_from_an_ssm_securestring_parameter(aws):
    boto3.client("ssm").put_parameter(Name="/catalog-sync/destination", Type="SecureString",
                                      Value=json.dumps({"DESTINATION_API_KEY": "from-ssm"}))
    found = credentials.require((credentials.DESTINATION_API_KEY,), "ssm:/catalog-sync/destination", env={})
    assert found == {"DESTINATION_API_KEY": "from-ssm"}
    with pytest.raises(credentials.CredentialsError, match="cannot read the secret 'ssm:/nope'"):
        credentials.require((credentials.DESTINATION_API_KEY,), "ssm:/nope", env={})


def test_the_container_builds_the_http_destination_and_its_key_is_read_from_the_secret(aws, monkeypatch):
    boto3.client("secretsmanager").create_secret(Name="catalog-sync/destination",
                                                 SecretString=json.dumps({"DESTINATION_API_KEY": "k3y"}))
    monkeypatch.delenv("DESTINATION_API_KEY", raising=False)
    settings = load({"DESTINATION": "http", "DESTINATION_URL": URL,
                     "DESTINATION_API_KEY_SECRET": "catalog-sync/destination"})
    ctx = container.build(settings)
    assert isinstance(ctx.destination, HttpDestination) and ctx.destination.url == URL
    assert ctx.export_disabled_reason is None
    assert ctx.destination._headers("run/00001")["x-api-key"] == "k3y"


def test_without_a_key_the_container_builds_no_destination_and_says_why(aws):
    ctx = container.build(load({"DESTINATION": "http", "DESTINATION_URL": URL}))
    assert ctx.destination is None
    assert "the HTTP destination has no API key" in ctx.export_disabled_reason
