"""The local stack's options and the environment it gives the app (set before the app is imported)."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from chalicelib import credentials, settings

REGION = "us-east-1"
HUB_BUCKET = "catalog-sync-hub-local"
DEFAULT_PRODUCTS = "2000"
# A delivery ends (retries included) well within the export queue's visibility timeout (provision.py, 10 s),
# so a message is not received again while an exporter still works on it.
EXPORT_TIME_BUDGET = "6"
DESTINATION_TIMEOUT = "5"
# Never a real account: whatever the machine holds, these would send the app to it.
_REAL_AWS = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE")


def _whole(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise settings.SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise settings.SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "0").strip().lower()
    if raw not in ("0", "1", "true", "false", "yes", "no"):
        raise settings.SettingsError(f"{name} must be 1 or 0, got {raw!r}")
    return raw in ("1", "true", "yes")


@dataclass(frozen=True)
class LocalOptions:
    """What the stack itself reads (the app's settings stay in chalicelib.settings)."""

    port: int
    sync_interval: int
    export_workers: int
    magento_port: int = 0  # the simulated Magento's port; 0: any free one (the banner and stack file say which)
    ingestion_port: int = 0  # the simulated ingestion service's port; 0: any free one
    # The simulated Magento checks every request against the official schema; its answers only with this on (the
    # check costs far more than the answer; the simulator's tests check every answer).
    magento_check_responses: bool = False

    @classmethod
    def load(cls, env: Mapping[str, str] = os.environ) -> LocalOptions:
        return cls(port=_whole(env, "PORT", 8000, 1), sync_interval=_whole(env, "SYNC_INTERVAL", 3600, 1),
                   export_workers=_whole(env, "EXPORT_WORKERS", 2, 1),
                   magento_port=_whole(env, "MAGENTO_SIM_PORT", 0, 0),
                   ingestion_port=_whole(env, "INGESTION_SIM_PORT", 0, 0),
                   magento_check_responses=_flag(env, "MAGENTO_SIM_CHECK_RESPONSES"))


def uses_simulated_magento(user: Mapping[str, str]) -> bool:
    """The default source is the simulated Magento; SOURCE=sample or a real MAGENTO_BASE_URL replaces it."""
    return (user.get(settings.SOURCE) or "magento") == "magento" and not user.get(settings.MAGENTO_BASE_URL)


def uses_simulated_ingestion(user: Mapping[str, str]) -> bool:
    """The default destination is the simulated ingestion service; DESTINATION=s3-hub or none, or a real
    DESTINATION_URL, replaces it."""
    return (user.get(settings.DESTINATION) or "http") == "http" and not user.get(settings.DESTINATION_URL)


def ingestion_environment(ingest_url: str, api_key: str) -> dict[str, str]:
    """Where the simulated ingestion service takes batches, and its key (generated per start, never logged)."""
    return {settings.DESTINATION_URL: ingest_url, credentials.DESTINATION_API_KEY: api_key}


def magento_environment(base_url: str, integration: Mapping[str, str]) -> dict[str, str]:
    """The simulator's URL and its integration's four credentials: requests are OAuth 1.0a signed, as a
    Magento 2.4.4+ store requires of integrations by default."""
    return {settings.MAGENTO_BASE_URL: base_url, settings.MAGENTO_AUTH: "oauth1",
            credentials.MAGENTO_CONSUMER_KEY: integration["consumer_key"],
            credentials.MAGENTO_CONSUMER_SECRET: integration["consumer_secret"],
            credentials.MAGENTO_ACCESS_TOKEN: integration["access_token"],
            credentials.MAGENTO_ACCESS_TOKEN_SECRET: integration["access_token_secret"]}


def app_environment(user: Mapping[str, str], endpoint_url: str, repo: Path) -> dict[str, str]:
    """The variables the stack sets for the app; the user's values win where the brief allows it."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        settings.SOURCE: user.get(settings.SOURCE) or "magento",
        settings.SAMPLE_PRODUCTS: user.get(settings.SAMPLE_PRODUCTS) or DEFAULT_PRODUCTS,
        settings.SAMPLE_EDITS_FILE: str(repo / ".local" / "catalog-edits.json"),
        settings.DESTINATION: user.get(settings.DESTINATION) or "http",
        settings.HUB_BUCKET: HUB_BUCKET,
        settings.EXPORT_TIME_BUDGET_SECONDS: user.get(settings.EXPORT_TIME_BUDGET_SECONDS) or EXPORT_TIME_BUDGET,
        settings.DESTINATION_TIMEOUT_SECONDS: user.get(settings.DESTINATION_TIMEOUT_SECONDS) or DESTINATION_TIMEOUT,
        # Signs change events; written to .local/stack.json (never logged) for a developer to sign with.
        credentials.EVENTS_SECRET: user.get(credentials.EVENTS_SECRET) or secrets.token_urlsafe(32),
        "POWERTOOLS_SERVICE_NAME": "catalog-sync",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_DISABLED": "1",  # no CloudWatch here: EMF lines would only clutter the output
        "POWERTOOLS_METRICS_NAMESPACE": "CatalogSync",
    }


def sign_in_environment(user_pool_id: str, client_id: str, jwks_url: str, dashboard_origin: str) -> dict[str, str]:
    """The local user pool (on moto) whose tokens the API accepts, and the dashboard's origin for CORS."""
    return {settings.COGNITO_USER_POOL_ID: user_pool_id, settings.COGNITO_CLIENT_IDS: client_id,
            settings.COGNITO_JWKS_URL: jwks_url, settings.DASHBOARD_ORIGIN: dashboard_origin}


def apply(env: Mapping[str, str]) -> None:
    """Put ``env`` into the process environment, and drop anything that could reach real AWS."""
    for name in list(os.environ):
        if name in _REAL_AWS or (name.startswith("AWS_ENDPOINT_URL_")):
            del os.environ[name]
    os.environ.update(env)


def recorded_environment() -> dict[str, str]:
    """Everything the app's environment is made of: the AWS/Powertools variables and every setting."""
    names = [value for name, value in vars(settings).items() if name.isupper() and value == name]
    keep = {name for name in os.environ if name.startswith(("AWS_", "POWERTOOLS_"))} | set(names)
    return {name: os.environ[name] for name in sorted(keep) if name in os.environ}
