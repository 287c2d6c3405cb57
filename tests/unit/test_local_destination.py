"""What `make run` gives the app as its destination: the simulated ingestion service by default."""
from pathlib import Path

from local_stack import environment
from local_stack.report import banner


def test_the_simulated_ingestion_service_is_the_default_destination():
    assert environment.uses_simulated_ingestion({})
    env = environment.app_environment({}, "http://127.0.0.1:5000", Path("/repo"))
    assert env["DESTINATION"] == "http"
    # a delivery (its retries included) ends within the export queue's 10 s visibility timeout
    assert int(env["EXPORT_TIME_BUDGET_SECONDS"]) < 10 and int(env["DESTINATION_TIMEOUT_SECONDS"]) < 10


def test_the_hub_none_or_a_real_service_replace_it():
    assert not environment.uses_simulated_ingestion({"DESTINATION": "s3-hub"})
    assert not environment.uses_simulated_ingestion({"DESTINATION": "none"})
    assert not environment.uses_simulated_ingestion({"DESTINATION_URL": "https://ingest.example.com/v1/feeds/products"})
    env = environment.app_environment({"DESTINATION": "s3-hub"}, "http://x", Path("/repo"))
    assert (env["DESTINATION"], env["HUB_BUCKET"]) == ("s3-hub", environment.HUB_BUCKET)


def test_the_app_gets_the_services_url_and_key():
    env = environment.ingestion_environment("http://127.0.0.1:8090/v1/feeds/products", "k3y")
    assert env == {"DESTINATION_URL": "http://127.0.0.1:8090/v1/feeds/products", "DESTINATION_API_KEY": "k3y"}


def test_the_key_is_not_recorded_with_the_environment(monkeypatch):
    monkeypatch.setenv("DESTINATION_API_KEY", "key-value")
    monkeypatch.setenv("DESTINATION_URL", "http://127.0.0.1:8090/v1/feeds/products")
    recorded = environment.recorded_environment()
    assert "key-value" not in recorded.values() and "DESTINATION_URL" in recorded


def info(**overrides):
    values = {"dashboard_url": "http://127.0.0.1:8000/", "api_url": "http://127.0.0.1:8000/api/",
              "aws_endpoint_url": "http://127.0.0.1:5000", "region": "us-east-1", "hub_bucket": "hub", "env": {},
              "source": "sample", "sample_edits_file": "e", "destination": "http",
              "destination_url": "http://127.0.0.1:8090/v1/feeds/products", "destination_simulated": True,
              "ingestion_admin_url": "http://127.0.0.1:8090/__ingest", "simulated_destination_api_key": "k3y",
              "cognito": {"user_pool_id": "us-east-1_local", "users": {
                  "admin": {"username": "admin", "password": "pw-admin-1!", "group": "admins"},
                  "operator": {"username": "operator", "password": "pw-operator-1!", "group": "operators"}}}}
    return {**values, **overrides}


def test_the_banner_names_the_destination_but_never_its_key():
    text = banner(info(), Path(".local/stack.json"), 3600, 2, None)
    assert "Destination simulated ingestion service at http://127.0.0.1:8090/v1/feeds/products" in text
    assert "GET http://127.0.0.1:8090/__ingest/items" in text and "k3y" not in text
    assert "Destination HTTP ingestion at https://x" in banner(
        info(destination_simulated=False, destination_url="https://x"), Path("s"), 1, 1, None)
    assert "Destination S3 hub, bucket hub" in banner(info(destination="s3-hub", destination_simulated=False),
                                                      Path("s"), 1, 1, None)
    assert "Destination none (no SaaS destination configured)" in banner(info(), Path("s"), 1, 1,
                                                                         "no SaaS destination configured")


def test_the_banner_says_how_to_sign_in_but_prints_no_password():
    text = banner(info(), Path(".local/stack.json"), 3600, 2, None)
    assert "users admin (admins) and operator (operators)" in text and "stack.json under cognito.users" in text
    assert "their passwords (made at each start, in stack.json under cognito.users): .venv/bin/catalog-sync " \
           "--local users" in text
    assert "catalog-sync --local token --user operator" in text
    assert 'curl -X POST -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/sync' in text
    assert "pw-admin-1!" not in text and "pw-operator-1!" not in text
