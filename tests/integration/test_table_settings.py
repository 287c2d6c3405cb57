"""The DynamoDB stores work on the tables their settings name (handed to them, nothing global is rebound)."""
import boto3

from chalicelib import container
from chalicelib.adapters.dynamo_batches import DynamoBatchStore
from chalicelib.adapters.dynamo_control import dynamo_control
from chalicelib.adapters.dynamo_feed import DynamoFeedStore
from chalicelib.adapters.dynamo_models import ControlModel, FeedRowModel, SearchIndexModel, SyncRunModel
from chalicelib.adapters.dynamo_replay import DynamoEventReplayGuard
from chalicelib.adapters.dynamo_runs import DynamoRunStore
from chalicelib.adapters.dynamo_tables import TableSettings, bound
from chalicelib.domain.batches import OPEN, BatchOutcome, batch_id
from chalicelib.domain.events import DirtyEntry
from chalicelib.domain.feed import RowKey
from chalicelib.domain.runs import start_run
from chalicelib.search.dynamo_store import DynamoSearchIndexStore
from chalicelib.search.s3_snapshots import SnapshotObjects
from chalicelib.settings import Settings
from tests.integration.test_store_contract import row
from tests.unit.test_runs import NOW

OTHER = Settings(feed_rows_table="stage-b-rows", sync_runs_table="stage-b-runs", control_table="stage-b-control",
                 search_index_table="stage-b-search")


def _count(table: str) -> int:
    return boto3.client("dynamodb").scan(TableName=table, Select="COUNT")["Count"]


def test_every_store_reads_and_writes_the_tables_its_settings_name(aws):
    tables = container.tables_of(OTHER)
    tables.create()
    defaults = {FeedRowModel: FeedRowModel.Meta.table_name, SyncRunModel: SyncRunModel.Meta.table_name,
                ControlModel: ControlModel.Meta.table_name, SearchIndexModel: SearchIndexModel.Meta.table_name}

    rows, runs, control, batches = (DynamoFeedStore("products", tables), DynamoRunStore(tables),
                                    dynamo_control(tables), DynamoBatchStore(tables))
    rows.put_rows([row(1)])
    run = start_run("products", "schedule", "partial", NOW, 3600)
    runs.create(run)
    control.dirty.mark("products", [DirtyEntry("SKU-0001", None, "2026-11-22T10:00:00.000Z", "m")])
    batches.create([BatchOutcome(batch_id(run.run_id, 1), "products", OPEN, (RowKey("SKU-0001", "default"),))])
    DynamoEventReplayGuard(tables).first_use("ab" * 32, 1_800_000_000)
    DynamoSearchIndexStore(SnapshotObjects(boto3.client("s3"), "no-bucket"), tables=tables).append([b"entry"])

    assert rows.get_rows([RowKey("SKU-0001", "default")])[0].sku == "SKU-0001"
    assert runs.get(run.run_id) == run
    assert [entry.sku for entry in control.dirty.entries("products")] == ["SKU-0001"]
    assert set(batches.outbox("products")[0].keys) == {RowKey("SKU-0001", "default")}
    assert (_count("stage-b-rows"), _count("stage-b-runs"), _count("stage-b-control"), _count("stage-b-search")) \
        == (1, 2, 2, 1)  # the runs table holds the run and its batch; the control table the entry and signature
    assert all(_count(name) == 0 for name in defaults.values())  # the default tables got nothing
    assert {model: model.Meta.table_name for model in defaults} == defaults  # the models themselves unchanged


def test_the_same_settings_give_the_same_bound_models():
    assert bound(TableSettings.of(OTHER)) is bound(TableSettings.of(OTHER))
    assert bound().feed_rows.Meta.table_name == Settings().feed_rows_table
    assert bound(TableSettings.of(OTHER)).batches.Meta.table_name == "stage-b-runs"  # beside the runs
