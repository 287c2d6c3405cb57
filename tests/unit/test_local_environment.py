"""What `make run` gives the app: the simulated Magento by default, a real store or the sample on request."""
from pathlib import Path

from local_stack import environment


def test_the_simulated_magento_is_the_default_source():
    assert environment.uses_simulated_magento({})
    env = environment.app_environment({}, "http://127.0.0.1:5000", Path("/repo"))
    assert env["SOURCE"] == "magento"


def test_a_real_store_or_the_sample_catalog_replaces_it():
    assert not environment.uses_simulated_magento({"MAGENTO_BASE_URL": "https://shop.example.com"})
    assert not environment.uses_simulated_magento({"SOURCE": "sample"})
    assert environment.app_environment({"SOURCE": "sample"}, "http://x", Path("/repo"))["SOURCE"] == "sample"


def test_the_simulator_is_reached_with_signed_requests():
    creds = {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at", "access_token_secret": "ats"}
    env = environment.magento_environment("http://127.0.0.1:8081", creds)
    assert env["MAGENTO_AUTH"] == "oauth1" and env["MAGENTO_BASE_URL"] == "http://127.0.0.1:8081"
    assert (env["MAGENTO_CONSUMER_KEY"], env["MAGENTO_ACCESS_TOKEN_SECRET"]) == ("ck", "ats")


def test_credentials_are_not_recorded_in_the_stack_file(monkeypatch):
    monkeypatch.setenv("MAGENTO_CONSUMER_SECRET", "cs-value")
    monkeypatch.setenv("MAGENTO_TOKEN", "token-value")
    recorded = environment.recorded_environment()
    assert "cs-value" not in recorded.values() and "token-value" not in recorded.values()
