"""The PynamoDB models bound to one set of tables: subclasses whose ``Meta`` names the table, region and endpoint,
made from the settings and handed to each store (nothing rewrites the models' own ``Meta``)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TypeVar, cast

from pynamodb.connection import Connection
from pynamodb.models import Model

from ..settings import Settings
from .dynamo_models import (
    ControlModel,
    ExportBatchModel,
    FeedRowModel,
    ReconciliationModel,
    SearchIndexModel,
    SyncRunModel,
)

M = TypeVar("M", bound=Model)
_DEFAULT = Settings()


@dataclass(frozen=True)
class TableSettings:
    """Where the tables are: their names, and the region and endpoint (None: the environment's, as botocore reads
    them: AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL)."""

    feed_rows: str = _DEFAULT.feed_rows_table
    sync_runs: str = _DEFAULT.sync_runs_table
    control: str = _DEFAULT.control_table
    search_index: str = _DEFAULT.search_index_table
    region: str | None = None
    host: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> TableSettings:
        return cls(settings.feed_rows_table, settings.sync_runs_table, settings.control_table,
                   settings.search_index_table)


@dataclass(frozen=True)
class Tables:
    """One model class per kind of item, each bound to its table (runs and their batches share one)."""

    settings: TableSettings
    feed_rows: type[FeedRowModel]
    runs: type[SyncRunModel]
    batches: type[ExportBatchModel]
    control: type[ControlModel]
    search_index: type[SearchIndexModel]
    reconciliations: type[ReconciliationModel]  # reports, in the runs table

    def table_models(self) -> tuple[type[Model], ...]:
        """A model per table (the batches live in the runs table)."""
        return self.feed_rows, self.runs, self.control, self.search_index

    def connection(self) -> Connection:
        """A connection to the same region and endpoint, for transactions across tables."""
        return Connection(region=self.settings.region, host=self.settings.host)

    def create(self, wait: bool = True) -> None:
        """Create the tables that do not exist yet (the local stack, the tests and the benchmarks)."""
        for model in self.table_models():
            if not model.exists():
                model.create_table(wait=wait)


def _bound(model: type[M], table_name: str, settings: TableSettings) -> type[M]:
    meta = type("Meta", (cast(type, model.Meta),), {"table_name": table_name, "region": settings.region,
                                                    "host": settings.host})
    return type(model.__name__, (model,), {"Meta": meta, "__module__": model.__module__,
                                           "__qualname__": model.__qualname__})


def bound(settings: TableSettings | None = None) -> Tables:
    """The models bound to ``settings``' tables (default: the default names), made once per settings: each class
    keeps its connection. ``forget()`` drops them (the endpoint in the environment changed: tests, local stack)."""
    return _bound_tables(settings or TableSettings())


def forget() -> None:
    _bound_tables.cache_clear()


@cache
def _bound_tables(settings: TableSettings) -> Tables:
    return Tables(settings, _bound(FeedRowModel, settings.feed_rows, settings),
                  _bound(SyncRunModel, settings.sync_runs, settings),
                  _bound(ExportBatchModel, settings.sync_runs, settings),
                  _bound(ControlModel, settings.control, settings),
                  _bound(SearchIndexModel, settings.search_index, settings),
                  _bound(ReconciliationModel, settings.sync_runs, settings))
