"""The destination's settings: the HTTP destination's URL, key and budget, and why export is disabled."""
import pytest

from chalicelib.settings import SettingsError, load

HTTP = {"DESTINATION": "http", "DESTINATION_URL": "https://ingest.example.com/v1/feeds/products"}


def test_the_http_destination_with_a_url_and_a_key_in_the_environment_exports():
    settings = load({**HTTP, "DESTINATION_API_KEY": "k3y"})
    assert settings.export_disabled_reason is None
    assert (settings.destination_url, settings.destination_api_key_header) == (HTTP["DESTINATION_URL"], "x-api-key")
    assert (settings.destination_timeout_seconds, settings.export_time_budget_seconds) == (30, 120)
    assert "k3y" not in repr(settings)  # the key is a credential: the settings only know it is there


def test_in_aws_the_key_comes_from_the_named_secret():
    settings = load({**HTTP, "DESTINATION_API_KEY_SECRET": "catalog-sync/destination",
                     "DESTINATION_API_KEY_HEADER": "X-Ingest-Key", "EXPORT_TIME_BUDGET_SECONDS": "60"})
    assert settings.export_disabled_reason is None
    assert (settings.destination_api_key_secret, settings.destination_api_key_header) == (
        "catalog-sync/destination", "X-Ingest-Key")
    assert settings.export_time_budget_seconds == 60


@pytest.mark.parametrize("env, reason", [
    ({}, "no SaaS destination configured"),
    ({"DESTINATION": "none", "DESTINATION_URL": "https://x"}, "no SaaS destination configured"),
    ({"DESTINATION": "http", "DESTINATION_API_KEY": "k"},
     "no SaaS destination configured: the HTTP destination has no URL (set DESTINATION_URL)"),
    (HTTP, "no SaaS destination configured: the HTTP destination has no API key (set DESTINATION_API_KEY, "
           "or in AWS DESTINATION_API_KEY_SECRET to the secret that holds it)"),
    ({"DESTINATION": "s3-hub"},
     "no SaaS destination configured: the S3 hub destination has no bucket (set HUB_BUCKET)"),
])
def test_without_what_a_destination_needs_export_is_disabled_and_says_why(env, reason):
    assert load(env).export_disabled_reason == reason


@pytest.mark.parametrize("env, message", [
    ({"DESTINATION_URL": "ingest.example.com"},
     "DESTINATION_URL must start with http:// or https://; got 'ingest.example.com'"),
    ({"DESTINATION_API_KEY_HEADER": "x api key"},
     "DESTINATION_API_KEY_HEADER must be an HTTP header name (e.g. x-api-key); got 'x api key'"),
    ({"EXPORT_TIME_BUDGET_SECONDS": "0"}, "EXPORT_TIME_BUDGET_SECONDS must be at least 1, got 0"),
    ({"DESTINATION_TIMEOUT_SECONDS": "soon"}, "DESTINATION_TIMEOUT_SECONDS must be a whole number, got 'soon'"),
])
def test_bad_destination_settings_are_refused_with_a_clear_message(env, message):
    with pytest.raises(SettingsError) as error:
        load(env)
    assert str(error.value) == message
