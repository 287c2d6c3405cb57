"""The Magento 2 REST source: configuration → client (auth, retries) → source."""
from __future__ import annotations

from ... import credentials
from ...domain.retry import RetryPolicy
from ...settings import MAGENTO_BASE_URL, Settings, SettingsError
from .client import Auth, BearerAuth, MagentoClient, OAuth1Auth
from .source import MagentoCatalogSource

__all__ = ["BearerAuth", "MagentoCatalogSource", "MagentoClient", "OAuth1Auth", "RetryPolicy", "from_settings"]


class ConfiguredAuth(Auth):
    """Reads the credentials at each request (Powertools caches the secret), so a rotated one is picked up
    and a missing one fails the run that needs it, with its name, rather than the process."""

    def __init__(self, settings: Settings):
        self.mode = settings.magento_auth
        self._secret = settings.magento_credentials_secret
        self.hint = (OAuth1Auth if self.mode == "oauth1" else BearerAuth).hint

    def current(self) -> Auth:
        if self.mode == "oauth1":
            found = credentials.require(credentials.OAUTH1_KEYS, self._secret)
            return OAuth1Auth(*(found[key] for key in credentials.OAUTH1_KEYS))
        return BearerAuth(credentials.require((credentials.MAGENTO_TOKEN,), self._secret)[credentials.MAGENTO_TOKEN])

    def headers(self, method: str, url: str) -> dict[str, str]:
        return self.current().headers(method, url)


def from_settings(settings: Settings) -> MagentoCatalogSource:
    if not settings.magento_base_url:
        raise SettingsError(f"SOURCE=magento needs {MAGENTO_BASE_URL} (the store's base URL, e.g. https://shop.example.com)")
    client = MagentoClient(settings.magento_base_url, ConfiguredAuth(settings), settings.magento_timeout_seconds,
                           RetryPolicy(budget_seconds=settings.magento_retry_budget_seconds),
                           concurrency=settings.magento_concurrency)
    return MagentoCatalogSource(client, settings.magento_store_views, settings.magento_page_size)
