"""PynamoDB models: the DynamoDB tables of feed rows, sync runs (with their batches) and control items.

These name the default tables; the stores use subclasses bound to the tables the settings name (dynamo_tables.py).
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model


class FeedRowModel(Model):
    """The rows of every feed: ``item_id`` is the row key's id (a SKU for the product feeds), ``feed_scope``
    ``<feed>#<scope>`` — so one Query on a SKU finds a product's rows in every feed. A row names the batch its
    version travels in; its export state is that batch's outcome (ExportBatchModel)."""

    class Meta:
        table_name = "catalog-sync-feed-rows"
        billing_mode = "PAY_PER_REQUEST"

    item_id = UnicodeAttribute(hash_key=True)
    feed_scope = UnicodeAttribute(range_key=True)
    product_id = NumberAttribute(null=True)
    name = UnicodeAttribute(null=True)
    type = UnicodeAttribute(null=True)
    attribute_set = UnicodeAttribute(null=True)
    price = NumberAttribute(null=True)
    quantity = NumberAttribute(null=True)
    salable_quantity = NumberAttribute(null=True)
    visibility = UnicodeAttribute(null=True)
    last_modified = UnicodeAttribute(null=True)
    document = UnicodeAttribute(null=True)
    hash = UnicodeAttribute(null=True)
    deleted = BooleanAttribute(default=False)
    run_id = UnicodeAttribute(null=True)
    batch = UnicodeAttribute(null=True)
    exported_before = UnicodeAttribute(null=True)
    invalid_code = UnicodeAttribute(null=True)  # the source's last record could not be built: why
    invalid_reason = UnicodeAttribute(null=True)
    extra = UnicodeAttribute(null=True)  # JSON: the row's columns beyond these (FeedRow.extra), never sent


class BatchOutboxIndex(GlobalSecondaryIndex):
    """Sparse: the batches whose rows are still to be sent (open, held, failed for now) carry ``outbox``."""

    class Meta:
        index_name = "batch-outbox"
        projection = KeysOnlyProjection()

    outbox = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)


class BatchAttentionIndex(GlobalSecondaryIndex):
    """Sparse: the batches with rows failed until they change (rejected, refused for good) carry ``attention``."""

    class Meta:
        index_name = "batch-attention"
        projection = KeysOnlyProjection()

    attention = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)


class FeedStartedIndex(GlobalSecondaryIndex):
    """Runs of a feed by start time (batch items have no ``feed`` and stay out of it)."""

    class Meta:
        index_name = "feed-started"
        projection = AllProjection()

    feed = UnicodeAttribute(hash_key=True)
    started_at = UnicodeAttribute(range_key=True)


class SyncRunModel(Model):
    class Meta:
        table_name = "catalog-sync-runs"
        billing_mode = "PAY_PER_REQUEST"

    run_id = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True, default="run")
    feed = UnicodeAttribute(null=True)
    trigger = UnicodeAttribute(null=True)
    mode = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    started_at = UnicodeAttribute(null=True)
    deadline_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    destination = UnicodeAttribute(null=True)
    export_disabled_reason = UnicodeAttribute(null=True)
    rows_seen = NumberAttribute(default=0)
    rows_changed = NumberAttribute(default=0)
    rows_deleted = NumberAttribute(default=0)
    rows_invalid = NumberAttribute(default=0)
    batches_total = NumberAttribute(null=True)
    batches_done = NumberAttribute(default=0)
    batches_failed = NumberAttribute(default=0)
    rows_exported = NumberAttribute(default=0)
    rows_failed = NumberAttribute(default=0)
    error = UnicodeAttribute(null=True)
    error_counts: MapAttribute[str, Any] = MapAttribute(default=dict)
    error_examples: MapAttribute[str, Any] = MapAttribute(default=dict)  # code -> [{"id", "scope", "message"}], a few
    source_read_at = UnicodeAttribute(null=True)
    progress_at = UnicodeAttribute(null=True)
    sealed_at = UnicodeAttribute(null=True)
    error_code = UnicodeAttribute(null=True)
    repair_of = UnicodeAttribute(null=True)
    rows_retrying = NumberAttribute(default=0)
    freshness: MapAttribute[str, Any] = MapAttribute(default=dict)  # lag bucket -> items (domain/freshness.py)
    rows_new = NumberAttribute(default=0)
    rows_updated = NumberAttribute(default=0)
    rows_unchanged = NumberAttribute(default=0)
    options = UnicodeAttribute(null=True)  # JSON: the resync's options that differ from the defaults
    read_position = UnicodeAttribute(null=True)  # the source's position a resumed read starts from
    read_complete = BooleanAttribute(default=False)
    unknown_ids = UnicodeAttribute(null=True)  # JSON list: by ids, the ids nobody has
    dry_run = BooleanAttribute(default=False)  # its ``feed`` is then "<feed>#dry-run" (runs/dry_run_partition)
    dry_run_send = UnicodeAttribute(null=True)  # JSON: what a dry run would have sent
    feed_started_index = FeedStartedIndex()
    # The batches' indexes are on this table (ExportBatchModel queries them; a run item never carries their keys).
    outbox = UnicodeAttribute(null=True)
    attention = UnicodeAttribute(null=True)
    outbox_index = BatchOutboxIndex()
    attention_index = BatchAttentionIndex()


class ExportBatchModel(Model):
    """A run's batch, in the runs table (``item`` is ``batch#NNNNN``): the keys it carries and its outcome — the
    source of the export state of every row that names it. Settled once: a redelivered message counts once."""

    class Meta:
        table_name = "catalog-sync-runs"
        billing_mode = "PAY_PER_REQUEST"

    run_id = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    batch_feed = UnicodeAttribute(null=True)  # not ``feed``: batches stay out of the runs' feed-started index
    status = UnicodeAttribute(null=True)
    keys = UnicodeAttribute(null=True)  # JSON [[id, scope], ...]
    created_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    rejected = UnicodeAttribute(null=True)  # JSON [[id, scope, code, message], ...]
    failure_code = UnicodeAttribute(null=True)
    failure_message = UnicodeAttribute(null=True)
    retryable = BooleanAttribute(null=True)
    last_error_code = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    outbox = UnicodeAttribute(null=True)
    attention = UnicodeAttribute(null=True)
    expires = TTLAttribute(null=True)
    outbox_index = BatchOutboxIndex()
    attention_index = BatchAttentionIndex()


class ReconciliationModel(Model):
    """A feed's reconciliation report, in the runs table (``run_id`` is ``reconciliation#<feed>``, ``item`` the
    report id, sortable by start): the report whole, as zlib-compressed JSON; it expires (TTL) with age."""

    class Meta:
        table_name = "catalog-sync-runs"
        billing_mode = "PAY_PER_REQUEST"

    run_id = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    data = BinaryAttribute(legacy_encoding=False)
    expires = TTLAttribute(null=True)


class ControlModel(Model):
    """Locks (``lock#<feed>``), cooldowns (``cooldown#<feed>``), feed state (``feed#<feed>``), sync
    requests (``request#<feed>``), dirty products (``dirty#<feed>#sku#<sku>``, ``dirty#<feed>#id#<id>``) and
    the change events' signatures seen (``signature#<hex>``, expiring with them).

    One item per dirty product: a burst of events writes many small items (batch writes), never one
    contended item, and a run deletes each entry it read only while its mark is unchanged.
    """

    class Meta:
        table_name = "catalog-sync-control"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    run_id = UnicodeAttribute(null=True)
    acquired_at = UnicodeAttribute(null=True)
    expires_at = UnicodeAttribute(null=True)
    last_forced_at = UnicodeAttribute(null=True)
    watermark = UnicodeAttribute(null=True)
    last_success_run_id = UnicodeAttribute(null=True)
    last_success_at = UnicodeAttribute(null=True)
    rows_total = NumberAttribute(null=True)
    products_total = NumberAttribute(null=True)
    last_full_read_at = UnicodeAttribute(null=True)
    requested_at = UnicodeAttribute(null=True)
    sku = UnicodeAttribute(null=True)
    product_id = NumberAttribute(null=True)
    marked_at = UnicodeAttribute(null=True)
    mark = UnicodeAttribute(null=True)
    expires = TTLAttribute(null=True)


class SearchIndexModel(Model):
    """The products search index (search/dynamo_store.py): the current snapshot's description
    (``current#<feed>``; the snapshot itself is an S3 object) and the journal (``journal#<feed>``, by position).
    Before snapshots moved to S3 they were chunks here (``snapshot#<feed>#<id>``), removed by the next publish.
    Its own table: moto answers a Query by scanning the whole table."""

    class Meta:
        table_name = "catalog-sync-search"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    data = BinaryAttribute(null=True, legacy_encoding=False)
    meta = UnicodeAttribute(null=True)
    expires = TTLAttribute(null=True)


TABLE_MODELS = (FeedRowModel, SyncRunModel, ControlModel, SearchIndexModel)
