"""The trigger queue's message, one codec for both ends: a forced run the API opened (``feed``, ``run_id``), the
debounced sync request of change events (``feed``, ``requested_at``), or a reconciliation the API asked for
(``feed``, ``reconciliation``: the running report's id)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from .feeds import FEEDS


@dataclass(frozen=True)
class TriggerMessage:
    """``run_id`` names a forced run to reindex; without one the message requests a partial sync of ``feed``.
    Decoded, ``feed`` is None when the message names no feed this service syncs."""

    feed: str | None
    run_id: str | None = None
    requested_at: str | None = None
    reconciliation: str | None = None  # the id of the running report to fill (a reconciliation, not a sync)


def sync_request(feed: str, requested_at: str) -> str:
    """The body that requests the debounced sync of ``feed``'s change events."""
    return json.dumps({"feed": feed, "requested_at": requested_at})


def forced_run(feed: str, run_id: str) -> str:
    """The body that hands the forced run ``run_id`` to the trigger queue's Lambda."""
    return json.dumps({"feed": feed, "run_id": run_id})


def reconciliation(feed: str, report_id: str) -> str:
    """The body that hands the reconciliation whose running report is ``report_id`` to the trigger queue's Lambda."""
    return json.dumps({"feed": feed, "reconciliation": report_id})


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def decode(body: str) -> TriggerMessage | None:
    """The message of ``body``; None when it is not a JSON object (nothing can be done with it)."""
    try:
        fields = json.loads(body)
    except ValueError:
        return None
    if not isinstance(fields, dict):
        return None
    feed = fields.get("feed")
    return TriggerMessage(feed if isinstance(feed, str) and feed in FEEDS else None, _text(fields.get("run_id")),
                          _text(fields.get("requested_at")), _text(fields.get("reconciliation")))
