"""The composition root: builds the adapters named in the settings, once, on first use."""
from __future__ import annotations

from collections.abc import Callable
from functools import cache

import boto3
from botocore.config import Config

from .adapters import cognito_tokens, dynamo_models
from .adapters.cognito_tokens import CognitoTokenVerifier
from .adapters.dynamo_batches import DynamoBatchStore
from .adapters.dynamo_control import dynamo_control
from .adapters.dynamo_feed import DynamoFeedStore
from .adapters.dynamo_runs import DynamoRunStore
from .adapters.s3_hub import S3HubDestination
from .adapters.sample_catalog import SampleCatalogSource
from .adapters.sqs_queue import SqsBatchQueue, SqsSyncTrigger
from .domain.feeds.products import PRODUCTS
from .ports import CatalogSource, Destination, FeedStore, ProductSearch
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
    return S3HubDestination(boto3.client("s3"), settings.hub_bucket)


def _feed_rows(search: ProductSearch) -> Callable[[str], FeedStore]:
    """Each feed's rows store, made once; the products feed's writes are also told to the products search."""
    @cache
    def rows(feed: str) -> FeedStore:
        store = DynamoFeedStore(feed)
        return JournaledFeedStore(store, search) if feed == PRODUCTS else store
    return rows


def build(settings: Settings) -> SyncContext:
    dynamo_models.bind(settings)
    # The search's snapshots live in the hub bucket (under their own prefix), read with parallel ranged GETs.
    snapshots = SnapshotObjects(boto3.client("s3", config=Config(max_pool_connections=CONNECTIONS)),
                                settings.hub_bucket)
    product_search = IndexedProductSearch(DynamoSearchIndexStore(snapshots))
    return SyncContext(
        settings=settings,
        source=_source(settings),
        destination=_destination(settings),
        feed_rows=_feed_rows(product_search),
        runs=DynamoRunStore(),
        control=dynamo_control(),
        queue=SqsBatchQueue(boto3.client("sqs"), settings.export_queue_url),
        batches=DynamoBatchStore(),
        trigger=SqsSyncTrigger(boto3.client("sqs"), settings.trigger_queue_url) if settings.trigger_queue_url else None,
        product_search=product_search,
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


def reset() -> None:
    """Forget the built context (tests and the local stack change the environment)."""
    context.cache_clear()
    token_verifier.cache_clear()
