"""Reconciliation reports in DynamoDB: items of the runs table, one partition per feed, newest first by id."""
from __future__ import annotations

import dataclasses
import zlib
from datetime import UTC, datetime, timedelta

import orjson
from pynamodb.exceptions import DoesNotExist

from ..domain.reconciliation_report import KEPT_DAYS, ReconciliationReport
from ..ports import ReconciliationStore
from .dynamo_models import ReconciliationModel
from .dynamo_tables import Tables, bound


def _partition(feed: str) -> str:
    return f"reconciliation#{feed}"


def _report(item: ReconciliationModel) -> ReconciliationReport:
    values = orjson.loads(zlib.decompress(item.data))
    names = {f.name for f in dataclasses.fields(ReconciliationReport)}
    return ReconciliationReport(**{name: value for name, value in values.items() if name in names})


class DynamoReconciliationStore(ReconciliationStore):
    def __init__(self, tables: Tables | None = None):
        self._m = (tables or bound()).reconciliations

    def save(self, report: ReconciliationReport) -> None:
        data = zlib.compress(orjson.dumps(dataclasses.asdict(report)), 6)
        self._m(_partition(report.feed), report.report_id, data=data,
          expires=datetime.now(UTC) + timedelta(days=KEPT_DAYS)).save()

    def get(self, feed: str, report_id: str) -> ReconciliationReport | None:
        try:
            return _report(self._m.get(_partition(feed), report_id, consistent_read=True))
        except DoesNotExist:
            return None

    def latest(self, feed: str, limit: int) -> list[ReconciliationReport]:
        return [_report(item) for item in self._m.query(_partition(feed), scan_index_forward=False, limit=limit,
                                                  page_size=limit)]
