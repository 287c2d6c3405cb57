"""The composition root: builds the adapters named in the settings, once, on first use."""
from __future__ import annotations

from collections.abc import Callable
from functools import cache

from .adapters import aws, cognito_tokens, dynamo_tables
from .adapters.cognito_tokens import CognitoTokenVerifier
from .adapters.dynamo_batches import DynamoBatchStore
from .adapters.dynamo_control import dynamo_control
from .adapters.dynamo_feed import DynamoFeedStore
from .adapters.dynamo_reconciliation import DynamoReconciliationStore
from .adapters.dynamo_replay import DynamoEventReplayGuard
from .adapters.dynamo_runs import DynamoRunStore
from .adapters.dynamo_tables import Tables, TableSettings
from .adapters.s3_hub import S3HubDestination
from .adapters.sample_catalog import SampleCatalogSource
from .adapters.sqs_queue import SqsBatchQueue, SqsSyncTrigger
from .domain.feeds.products import PRODUCTS
from .ports import CatalogSource, Destination, EventReplayGuard, FeedStore, ProductSearch
from .search.dynamo_store import DynamoSearchIndexStore
from .search.journaled_feed import JournaledFeedStore
from .search.product_search import IndexedProductSearch
from .search.s3_snapshots import CONNECTIONS, SnapshotObjects
from .services.context import SyncContext
from .settings import Settings, load


def _source(settings: Settings) -> CatalogSource:
    if settings.source == "magento":
        from .adapters import magento  # urllib3 and oauthlib only where the Magento source is used

        return magento.from_settings(settings)
    return SampleCatalogSource(settings.sample_products, settings.sample_seed, settings.sample_edits_file)


def _destination(settings: Settings) -> Destination | None:
    if settings.export_disabled_reason:
        return None
    if settings.destination == "http":
        from .adapters import http_destination  # urllib3 only where the HTTP destination is used

        return http_destination.from_settings(settings)
    return S3HubDestination(aws.client("s3"), settings.hub_bucket)


def _feed_rows(search: ProductSearch, tables: Tables) -> Callable[[str], FeedStore]:
    """Each feed's rows store, made once; the products feed's writes are also told to the products search."""
    @cache
    def rows(feed: str) -> FeedStore:
        store = DynamoFeedStore(feed, tables)
        return JournaledFeedStore(store, search) if feed == PRODUCTS else store
    return rows


def tables_of(settings: Settings) -> Tables:
    """The PynamoDB models bound to the tables the settings name."""
    return dynamo_tables.bound(TableSettings.of(settings))


def build(settings: Settings) -> SyncContext:
    tables = tables_of(settings)
    # The search's snapshots live in the hub bucket (under their own prefix), read with parallel ranged GETs.
    snapshots = SnapshotObjects(aws.client("s3", connections=CONNECTIONS), settings.hub_bucket)
    search_store = DynamoSearchIndexStore(snapshots, tables=tables)
    product_search = IndexedProductSearch(search_store)
    return SyncContext(
        settings=settings,
        source=_source(settings),
        destination=_destination(settings),
        feed_rows=_feed_rows(product_search, tables),
        runs=DynamoRunStore(tables),
        control=dynamo_control(tables),
        queue=SqsBatchQueue(aws.client("sqs"), settings.export_queue_url),
        batches=DynamoBatchStore(tables, journal=search_store),  # a batch's outcome journaled with its settlement
        trigger=SqsSyncTrigger(aws.client("sqs"), settings.trigger_queue_url) if settings.trigger_queue_url else None,
        product_search=product_search,
        reconciliations=DynamoReconciliationStore(tables),
    )


@cache
def context() -> SyncContext:
    """The process-wide context, built lazily so that imports stay free of AWS calls."""
    return build(load())


@cache
def token_verifier() -> CognitoTokenVerifier:
    """The access-token verifier, one per process so the pool's signing keys are fetched once and kept.

    Raises SignInUnavailableError (not cached) while sign-in is not configured.
    """
    return cognito_tokens.from_settings(context().settings)


@cache
def replay_guard() -> EventReplayGuard:
    """Where the change events' signatures are recorded (in the control table the settings name)."""
    return DynamoEventReplayGuard(tables_of(context().settings))


def reset() -> None:
    """Forget the built context and the models' connections (tests and the local stack change the environment)."""
    context.cache_clear()
    dynamo_tables.forget()
    token_verifier.cache_clear()
    replay_guard.cache_clear()
