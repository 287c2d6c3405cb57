"""The one reader of environment variables: turns them into a frozen Settings."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

FEED_ROWS_TABLE = "FEED_ROWS_TABLE"
SYNC_RUNS_TABLE = "SYNC_RUNS_TABLE"
CONTROL_TABLE = "CONTROL_TABLE"
EXPORT_QUEUE_URL = "EXPORT_QUEUE_URL"
SOURCE = "SOURCE"
SAMPLE_PRODUCTS = "SAMPLE_PRODUCTS"
SAMPLE_SEED = "SAMPLE_SEED"
SAMPLE_EDITS_FILE = "SAMPLE_EDITS_FILE"
DESTINATION = "DESTINATION"
HUB_BUCKET = "HUB_BUCKET"
BATCH_MAX_ROWS = "BATCH_MAX_ROWS"
BATCH_MAX_BYTES = "BATCH_MAX_BYTES"
RUN_DEADLINE_SECONDS = "RUN_DEADLINE_SECONDS"
COOLDOWN_SECONDS = "COOLDOWN_SECONDS"
SOURCE_OVERLAP_SECONDS = "SOURCE_OVERLAP_SECONDS"
API_TOKEN = "API_TOKEN"

SOURCES = ("sample",)
DESTINATIONS = ("s3-hub", "none")


class SettingsError(ValueError):
    """A setting is missing or has a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    feed_rows_table: str = "catalog-sync-feed-rows"
    sync_runs_table: str = "catalog-sync-runs"
    control_table: str = "catalog-sync-control"
    export_queue_url: str = ""
    source: str = "sample"
    sample_products: int = 2000
    sample_seed: int = 42
    sample_edits_file: str = ""
    destination: str = "none"
    hub_bucket: str = ""
    batch_max_rows: int = 200  # two marking transactions of 100 rows per batch
    batch_max_bytes: int = 240_000
    run_deadline_seconds: int = 3600
    cooldown_seconds: int = 900
    source_overlap_seconds: int = 600
    api_token: str = ""

    @property
    def export_disabled_reason(self) -> str | None:
        """Why nothing is exported, or None when a destination is configured."""
        if self.destination == "none":
            return "no SaaS destination configured"
        if self.destination == "s3-hub" and not self.hub_bucket:
            return "the S3 hub destination has no bucket (set HUB_BUCKET)"
        return None


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
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
        export_queue_url=env.get(EXPORT_QUEUE_URL, ""),
        source=_choice(env, SOURCE, d.source, SOURCES),
        sample_products=_int(env, SAMPLE_PRODUCTS, d.sample_products),
        sample_seed=_int(env, SAMPLE_SEED, d.sample_seed, minimum=0),
        sample_edits_file=env.get(SAMPLE_EDITS_FILE, ""),
        destination=_choice(env, DESTINATION, d.destination, DESTINATIONS),
        hub_bucket=env.get(HUB_BUCKET, ""),
        batch_max_rows=_int(env, BATCH_MAX_ROWS, d.batch_max_rows),
        batch_max_bytes=_int(env, BATCH_MAX_BYTES, d.batch_max_bytes, minimum=4096),
        run_deadline_seconds=_int(env, RUN_DEADLINE_SECONDS, d.run_deadline_seconds, minimum=60),
        cooldown_seconds=_int(env, COOLDOWN_SECONDS, d.cooldown_seconds, minimum=0),
        source_overlap_seconds=_int(env, SOURCE_OVERLAP_SECONDS, d.source_overlap_seconds, minimum=0),
        api_token=env.get(API_TOKEN, ""),
    )

# Queue names are fixed at import time: Chalice reads them when it packages the event sources.
EXPORT_QUEUE = "catalog-sync-export"
DEAD_LETTER_QUEUE = "catalog-sync-export-dlq"
