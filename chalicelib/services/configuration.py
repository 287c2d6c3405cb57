"""The effective configuration an admin may see: what syncs, when, where from and to. Never a credential:
only whether one is configured, and where from (the environment, or a named secret, which is not read here)."""
from __future__ import annotations

from urllib.parse import urlsplit

from .. import credentials
from ..domain.answers.admin import Configured, DestinationSettings, SourceSettings
from ..domain.answers.admin import Settings as SettingsAnswer
from ..domain.feeds import feed_named
from ..settings import SYNC_SCHEDULE_HOURS, Settings
from .context import SyncContext


def _configured(keys: tuple[str, ...], secret_name: str) -> Configured:
    if len(credentials.read(keys)) == len(keys):  # the environment only: the secret is not fetched for this
        return {"credentials_configured": True, "credentials_from": "environment"}
    if secret_name:
        return {"credentials_configured": True, "credentials_from": "secret"}
    return {"credentials_configured": False, "credentials_from": None}


def _host(url: str) -> str | None:
    return urlsplit(url).hostname if url else None


def _source(settings: Settings) -> SourceSettings:
    if settings.source != "magento":
        return {"kind": settings.source, "endpoint_host": None, "auth": None, "store_views": [],
                "credentials_configured": False, "credentials_from": None, "sample_products": settings.sample_products}
    keys = credentials.OAUTH1_KEYS if settings.magento_auth == "oauth1" else (credentials.MAGENTO_TOKEN,)
    configured = _configured(keys, settings.magento_credentials_secret)
    return {"kind": "magento", "endpoint_host": _host(settings.magento_base_url), "auth": settings.magento_auth,
            "store_views": list(settings.magento_store_views), "page_size": settings.magento_page_size,
            "concurrency": settings.magento_concurrency,
            "credentials_configured": configured["credentials_configured"],
            "credentials_from": configured["credentials_from"]}


def _destination(settings: Settings) -> DestinationSettings:
    if settings.destination == "http":
        return {"kind": "http", "endpoint_host": _host(settings.destination_url), "bucket": None,
                **_configured((credentials.DESTINATION_API_KEY,), settings.destination_api_key_secret)}
    if settings.destination == "s3-hub":
        return {"kind": "s3-hub", "endpoint_host": None, "bucket": settings.hub_bucket or None,
                "credentials_configured": None, "credentials_from": None}  # the Lambda's role, not a key
    return {"kind": "none", "endpoint_host": None, "bucket": None, "credentials_configured": None,
            "credentials_from": None}


def effective_settings(ctx: SyncContext, feed: str = "products") -> SettingsAnswer:
    settings = ctx.settings
    reason = ctx.export_disabled_reason
    events = _configured((credentials.EVENTS_SECRET,), settings.events_secret_name)
    return {
        "feed": feed,
        "schedule": {"every_hours": SYNC_SCHEDULE_HOURS, "mode": "partial",
                     "reconcile_interval_seconds": settings.reconcile_interval_seconds,
                     "freshness_threshold_minutes": settings.freshness_threshold_minutes,
                     "source_overlap_seconds": settings.source_overlap_seconds},
        "cooldown_seconds": settings.cooldown_seconds,
        "batch": {"max_rows": settings.batch_max_rows or feed_named(feed).batch_size,
                  "max_bytes": settings.batch_max_bytes},
        "run_deadline_seconds": settings.run_deadline_seconds,
        "source": _source(settings),
        "destination": _destination(settings),
        "export": {"enabled": reason is None, "reason": reason},
        "change_events": {"enabled": bool(events["credentials_configured"]) and bool(settings.trigger_queue_url),
                          "secret_configured": bool(events["credentials_configured"]),
                          "debounce_seconds": settings.event_debounce_seconds},
        "sign_in": {"user_pool_id": settings.cognito_user_pool_id or None,
                    "force_sync_scope": settings.force_sync_scope,
                    "cors_origin": settings.dashboard_origin or None},
    }
