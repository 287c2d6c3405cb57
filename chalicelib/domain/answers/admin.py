"""The answers of the admin routes: health, the effective settings (services/configuration.py) and an accepted
change event (services/events.py)."""
from typing import Annotated, Literal, NotRequired, TypedDict

from ..events import ALREADY_SCHEDULED, SCHEDULED
from ..runs import PARTIAL
from ..vocabulary import DESTINATIONS, MAGENTO_AUTH_MODES, SOURCES
from . import Count, OneOf
from .feeds import ExportEnabled
from .runs import Feed


class Health(TypedDict):
    status: Literal["ok"]


class ChangeEventAccepted(TypedDict):
    accepted: Count
    sync: Annotated[str, OneOf((SCHEDULED, ALREADY_SCHEDULED))]


class Configured(TypedDict):
    credentials_configured: bool | None
    credentials_from: Annotated[str, OneOf(("environment", "secret"))] | None


class SourceSettings(Configured):
    kind: Annotated[str, OneOf(SOURCES)]
    endpoint_host: str | None
    auth: Annotated[str, OneOf(MAGENTO_AUTH_MODES)] | None
    store_views: list[str]
    page_size: NotRequired[Count]
    concurrency: NotRequired[Count]
    sample_products: NotRequired[Count]


class DestinationSettings(Configured):
    kind: Annotated[str, OneOf(DESTINATIONS)]
    endpoint_host: str | None
    bucket: str | None


class Schedule(TypedDict):
    every_hours: Count
    mode: Annotated[str, OneOf((PARTIAL,))]
    reconcile_interval_seconds: Count
    source_overlap_seconds: Count
    freshness_threshold_minutes: Count


class Batch(TypedDict):
    max_rows: Count
    max_bytes: Count


class ChangeEvents(TypedDict):
    enabled: bool
    secret_configured: bool
    debounce_seconds: Count


class SignIn(TypedDict):
    user_pool_id: str | None
    force_sync_scope: str
    cors_origin: str | None


class Settings(TypedDict):
    feed: Feed
    schedule: Schedule
    cooldown_seconds: Count
    run_deadline_seconds: Count
    batch: Batch
    source: SourceSettings
    destination: DestinationSettings
    export: ExportEnabled
    change_events: ChangeEvents
    sign_in: SignIn
