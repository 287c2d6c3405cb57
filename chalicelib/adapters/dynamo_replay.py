"""The change events' replay guard in DynamoDB: each accepted signature is an item of the control table
(``signature#<hex>``), written once by a conditional put and deleted by TTL once the signature is stale anyway."""
from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import PutError

from ..ports import EventReplayGuard
from .dynamo_control import ControlTable, lost_condition
from .dynamo_models import ControlModel as C


class DynamoEventReplayGuard(ControlTable, EventReplayGuard):
    def first_use(self, signature: str, expires_at: int) -> bool:
        try:
            # Conditional put: of any number of deliveries of one signature, one records it.
            self._c(f"signature#{signature}", expires=datetime.fromtimestamp(expires_at, UTC)).save(
                condition=C.pk.does_not_exist())
        except PutError as error:
            if not lost_condition(error):
                raise
            return False
        return True

    def forget(self, signature: str) -> None:
        self._c(f"signature#{signature}").delete()
