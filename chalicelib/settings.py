"""The one reader of environment variables: turns them into a frozen Settings."""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import credentials
from .domain.vocabulary import DESTINATIONS, MAGENTO_AUTH_MODES, SOURCES

FEED_ROWS_TABLE = "FEED_ROWS_TABLE"
SYNC_RUNS_TABLE = "SYNC_RUNS_TABLE"
CONTROL_TABLE = "CONTROL_TABLE"
SEARCH_INDEX_TABLE = "SEARCH_INDEX_TABLE"
EXPORT_QUEUE_URL = "EXPORT_QUEUE_URL"
SOURCE = "SOURCE"
SAMPLE_PRODUCTS = "SAMPLE_PRODUCTS"
SAMPLE_SEED = "SAMPLE_SEED"
SAMPLE_EDITS_FILE = "SAMPLE_EDITS_FILE"
DESTINATION = "DESTINATION"
HUB_BUCKET = "HUB_BUCKET"
DESTINATION_URL = "DESTINATION_URL"
DESTINATION_API_KEY_HEADER = "DESTINATION_API_KEY_HEADER"
DESTINATION_API_KEY_SECRET = "DESTINATION_API_KEY_SECRET"
DESTINATION_TIMEOUT_SECONDS = "DESTINATION_TIMEOUT_SECONDS"
EXPORT_TIME_BUDGET_SECONDS = "EXPORT_TIME_BUDGET_SECONDS"
BATCH_MAX_ROWS = "BATCH_MAX_ROWS"
BATCH_MAX_BYTES = "BATCH_MAX_BYTES"
RUN_DEADLINE_SECONDS = "RUN_DEADLINE_SECONDS"
COOLDOWN_SECONDS = "COOLDOWN_SECONDS"
SELECTED_RESYNC_SECONDS = "SELECTED_RESYNC_SECONDS"
SOURCE_OVERLAP_SECONDS = "SOURCE_OVERLAP_SECONDS"
COGNITO_USER_POOL_ID = "COGNITO_USER_POOL_ID"
COGNITO_CLIENT_IDS = "COGNITO_CLIENT_IDS"
COGNITO_JWKS_URL = "COGNITO_JWKS_URL"
FORCE_SYNC_SCOPE = "FORCE_SYNC_SCOPE"
DASHBOARD_ORIGIN = "DASHBOARD_ORIGIN"
RECONCILE_INTERVAL_SECONDS = "RECONCILE_INTERVAL_SECONDS"
FRESHNESS_THRESHOLD_MINUTES = "FRESHNESS_THRESHOLD_MINUTES"
RECONCILIATION_HOUR_UTC = 5  # the daily reconciliation's hour (after the night's reconcile syncs)
MAGENTO_BASE_URL = "MAGENTO_BASE_URL"
MAGENTO_STORE_VIEWS = "MAGENTO_STORE_VIEWS"
MAGENTO_PAGE_SIZE = "MAGENTO_PAGE_SIZE"
MAGENTO_AUTH = "MAGENTO_AUTH"
MAGENTO_CREDENTIALS_SECRET = "MAGENTO_CREDENTIALS_SECRET"
MAGENTO_TIMEOUT_SECONDS = "MAGENTO_TIMEOUT_SECONDS"
MAGENTO_RETRY_BUDGET_SECONDS = "MAGENTO_RETRY_BUDGET_SECONDS"
MAGENTO_CONCURRENCY = "MAGENTO_CONCURRENCY"
EVENTS_SECRET_NAME = "EVENTS_SECRET_NAME"
EVENT_DEBOUNCE_SECONDS = "EVENT_DEBOUNCE_SECONDS"
TRIGGER_QUEUE_URL = "TRIGGER_QUEUE_URL"

MAGENTO_MAX_PAGE_SIZE = 300
MAGENTO_MAX_CONCURRENCY = 16  # a store's PHP workers are finite: never more requests in flight than this
NO_DESTINATION = "no SaaS destination configured"
MAX_BATCH_ROWS = 1000  # items per batch at most (a message also stays under BATCH_MAX_BYTES)


class SettingsError(ValueError):
    """A setting is missing or has a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    feed_rows_table: str = "catalog-sync-feed-rows"
    sync_runs_table: str = "catalog-sync-runs"
    control_table: str = "catalog-sync-control"
    search_index_table: str = "catalog-sync-search"  # the products search index: snapshots and journal
    export_queue_url: str = ""
    source: str = "sample"
    sample_products: int = 2000
    sample_seed: int = 42
    sample_edits_file: str = ""
    destination: str = "none"
    hub_bucket: str = ""
    # The HTTP ingestion destination (docs/ingestion-api.md). Its API key is a credential, not a setting:
    # DESTINATION_API_KEY locally, or that key of the secret named here in AWS (chalicelib/credentials.py).
    destination_url: str = ""
    destination_api_key_header: str = "x-api-key"
    destination_api_key_secret: str = ""
    destination_api_key_set: bool = False  # DESTINATION_API_KEY is in the environment (its value is not kept)
    destination_timeout_seconds: int = 30  # per request
    # The most one exporter invocation spends delivering a batch, retries and their waits included; less
    # when the Lambda has less time left (minus a safety margin, chalicelib/domain/budget.py).
    export_time_budget_seconds: int = 120
    batch_max_rows: int | None = None  # None: each feed's own batch size (Adobe's: 100 items, prices 500)
    batch_max_bytes: int = 240_000
    run_deadline_seconds: int = 3600
    cooldown_seconds: int = 900
    # A resync of selected items (by ids) or a dry run through the API: not subject to the cooldown, but at most
    # one of each per this many seconds per feed.
    selected_resync_seconds: int = 10
    source_overlap_seconds: int = 600
    # Sign-in: the Cognito user pool whose access tokens the API accepts, the app clients they may come from
    # (the dashboard's, machine clients'), where its signing keys are (default: the pool's own JWKS URL; the
    # local stack points it at moto) and the OAuth scope that lets a machine client force a sync.
    cognito_user_pool_id: str = ""
    cognito_client_ids: tuple[str, ...] = ()
    cognito_jwks_url: str = ""
    force_sync_scope: str = "catalog-sync/sync"
    dashboard_origin: str = ""  # the one origin CORS admits; empty: same-origin only (CloudFront serves both)
    reconcile_interval_seconds: int = 86_400  # a full read of the source at least daily (deletions, stock)
    freshness_threshold_minutes: int = 90  # the overview warns when a run's p95 freshness is above this
    # The Magento source. Credentials are not settings: chalicelib/credentials.py reads them from the
    # environment locally or from the secret named here in AWS, and never logs them.
    magento_base_url: str = ""
    magento_store_views: tuple[str, ...] = ()  # empty: every active store view
    magento_page_size: int = 200
    magento_auth: str = "token"
    magento_credentials_secret: str = ""
    magento_timeout_seconds: int = 30
    magento_retry_budget_seconds: int = 120
    magento_concurrency: int = 8  # requests in flight to the store at most
    # Change events: the HMAC secret (env EVENTS_SECRET locally, or the secret named here) and the debounce.
    events_secret_name: str = ""
    event_debounce_seconds: int = 30
    trigger_queue_url: str = ""

    @property
    def cognito_region(self) -> str:
        """A pool id is ``<region>_<id>``: the region comes with it."""
        return self.cognito_user_pool_id.split("_", 1)[0]

    @property
    def cognito_issuer(self) -> str:
        """The ``iss`` of the pool's tokens (moto's too): AWS's form, whatever serves the keys."""
        return f"https://cognito-idp.{self.cognito_region}.amazonaws.com/{self.cognito_user_pool_id}"

    @property
    def jwks_url(self) -> str:
        return self.cognito_jwks_url or f"{self.cognito_issuer}/.well-known/jwks.json"

    @property
    def sign_in_missing(self) -> str | None:
        """What sign-in still needs to be configured, or None."""
        missing = [name for name, value in ((COGNITO_USER_POOL_ID, self.cognito_user_pool_id),
                                            (COGNITO_CLIENT_IDS, self.cognito_client_ids)) if not value]
        return f"sign-in is not configured (set {' and '.join(missing)})" if missing else None

    @property
    def export_disabled_reason(self) -> str | None:
        """Why nothing is exported, or None when a destination is configured."""
        if self.destination == "none":
            return NO_DESTINATION
        if self.destination == "s3-hub" and not self.hub_bucket:
            return f"{NO_DESTINATION}: the S3 hub destination has no bucket (set {HUB_BUCKET})"
        if self.destination == "http" and not self.destination_url:
            return f"{NO_DESTINATION}: the HTTP destination has no URL (set {DESTINATION_URL})"
        if self.destination == "http" and not (self.destination_api_key_set or self.destination_api_key_secret):
            return (f"{NO_DESTINATION}: the HTTP destination has no API key (set {credentials.DESTINATION_API_KEY}, "
                    f"or in AWS {DESTINATION_API_KEY_SECRET} to the secret that holds it)")
        return None


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name} must be at most {maximum}, got {value}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def load(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    d = Settings()
    return Settings(
        feed_rows_table=env.get(FEED_ROWS_TABLE) or d.feed_rows_table,
        sync_runs_table=env.get(SYNC_RUNS_TABLE) or d.sync_runs_table,
        control_table=env.get(CONTROL_TABLE) or d.control_table,
        search_index_table=env.get(SEARCH_INDEX_TABLE) or d.search_index_table,
        export_queue_url=env.get(EXPORT_QUEUE_URL, ""),
        source=_choice(env, SOURCE, d.source, SOURCES),
        sample_products=_int(env, SAMPLE_PRODUCTS, d.sample_products),
        sample_seed=_int(env, SAMPLE_SEED, d.sample_seed, minimum=0),
        sample_edits_file=env.get(SAMPLE_EDITS_FILE, ""),
        destination=_choice(env, DESTINATION, d.destination, DESTINATIONS),
        hub_bucket=env.get(HUB_BUCKET, ""),
        destination_url=_url(env, DESTINATION_URL),
        destination_api_key_header=_header_name(env.get(DESTINATION_API_KEY_HEADER) or d.destination_api_key_header),
        destination_api_key_secret=env.get(DESTINATION_API_KEY_SECRET, ""),
        destination_api_key_set=bool(env.get(credentials.DESTINATION_API_KEY)),
        destination_timeout_seconds=_int(env, DESTINATION_TIMEOUT_SECONDS, d.destination_timeout_seconds),
        export_time_budget_seconds=_int(env, EXPORT_TIME_BUDGET_SECONDS, d.export_time_budget_seconds),
        batch_max_rows=_int(env, BATCH_MAX_ROWS, 0, maximum=MAX_BATCH_ROWS) or None,
        batch_max_bytes=_int(env, BATCH_MAX_BYTES, d.batch_max_bytes, minimum=4096),
        run_deadline_seconds=_int(env, RUN_DEADLINE_SECONDS, d.run_deadline_seconds, minimum=60),
        cooldown_seconds=_int(env, COOLDOWN_SECONDS, d.cooldown_seconds, minimum=0),
        selected_resync_seconds=_int(env, SELECTED_RESYNC_SECONDS, d.selected_resync_seconds, minimum=0),
        source_overlap_seconds=_int(env, SOURCE_OVERLAP_SECONDS, d.source_overlap_seconds, minimum=0),
        cognito_user_pool_id=_user_pool_id(env.get(COGNITO_USER_POOL_ID, "")),
        cognito_client_ids=tuple(client.strip() for client in env.get(COGNITO_CLIENT_IDS, "").split(",")
                                 if client.strip()),
        cognito_jwks_url=_url(env, COGNITO_JWKS_URL),
        force_sync_scope=env.get(FORCE_SYNC_SCOPE, "").strip() or d.force_sync_scope,
        dashboard_origin=_origin(env.get(DASHBOARD_ORIGIN, "")),
        reconcile_interval_seconds=_int(env, RECONCILE_INTERVAL_SECONDS, d.reconcile_interval_seconds, minimum=60),
        freshness_threshold_minutes=_int(env, FRESHNESS_THRESHOLD_MINUTES, d.freshness_threshold_minutes, minimum=1),
        magento_base_url=_base_url(env.get(MAGENTO_BASE_URL, "")),
        magento_store_views=tuple(code.strip() for code in env.get(MAGENTO_STORE_VIEWS, "").split(",")
                                  if code.strip()),
        magento_page_size=_page_size(env),
        magento_auth=_choice(env, MAGENTO_AUTH, d.magento_auth, MAGENTO_AUTH_MODES),
        magento_credentials_secret=env.get(MAGENTO_CREDENTIALS_SECRET, ""),
        magento_timeout_seconds=_int(env, MAGENTO_TIMEOUT_SECONDS, d.magento_timeout_seconds),
        magento_retry_budget_seconds=_int(env, MAGENTO_RETRY_BUDGET_SECONDS, d.magento_retry_budget_seconds,
                                          minimum=0),
        magento_concurrency=_int(env, MAGENTO_CONCURRENCY, d.magento_concurrency, maximum=MAGENTO_MAX_CONCURRENCY),
        events_secret_name=env.get(EVENTS_SECRET_NAME, ""),
        event_debounce_seconds=_int(env, EVENT_DEBOUNCE_SECONDS, d.event_debounce_seconds, minimum=0),
        trigger_queue_url=env.get(TRIGGER_QUEUE_URL, ""),
    )


def _url(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name, "")
    url = raw.strip()
    if url and not url.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must start with http:// or https://; got {raw!r}")
    return url


_POOL_ID = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$")


def _user_pool_id(raw: str) -> str:
    pool_id = raw.strip()
    if pool_id and not _POOL_ID.match(pool_id):
        raise SettingsError(f"{COGNITO_USER_POOL_ID} must be a user pool id like us-east-1_AbC123; got {raw!r}")
    return pool_id


def _origin(raw: str) -> str:
    origin = raw.strip().rstrip("/")
    parts = urlsplit(origin)
    if origin and (parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query):
        raise SettingsError(f"{DASHBOARD_ORIGIN} must be an origin like https://sync.example.com (scheme and host, "
                            f"no path); got {raw!r}")
    return origin


def _base_url(raw: str) -> str:
    return _url({MAGENTO_BASE_URL: raw}, MAGENTO_BASE_URL).rstrip("/").removesuffix("/rest")


_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _header_name(name: str) -> str:
    if not name or not set(name) <= _TOKEN:
        raise SettingsError(f"{DESTINATION_API_KEY_HEADER} must be an HTTP header name (e.g. x-api-key); got {name!r}")
    return name


def _page_size(env: Mapping[str, str]) -> int:
    size = _int(env, MAGENTO_PAGE_SIZE, Settings.magento_page_size)
    if size > MAGENTO_MAX_PAGE_SIZE:
        raise SettingsError(f"{MAGENTO_PAGE_SIZE} is at most {MAGENTO_MAX_PAGE_SIZE} (Magento's limit); got {size}")
    return size

# The schedule is fixed when Chalice packages the app (an EventBridge rule), like the queue names below.
SYNC_SCHEDULE_HOURS = 1
# Queue names are fixed at import time: Chalice reads them when it packages the event sources.
EXPORT_QUEUE = "catalog-sync-export"
DEAD_LETTER_QUEUE = "catalog-sync-export-dlq"
TRIGGER_QUEUE = "catalog-sync-trigger"  # debounced sync requests from change events
