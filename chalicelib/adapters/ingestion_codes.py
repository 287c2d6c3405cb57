"""What the HTTP ingestion destination says when a request fails: failure codes (runs and the dashboard group by
them), the hint for a refused key, and the service's message as a reason."""
from __future__ import annotations

from typing import Any

from .. import credentials
from ..settings import DESTINATION_API_KEY_SECRET

REJECTED = "destination.rejected"  # the service refused an item: not sent again until it changes
REFUSED = "destination.refused"  # the service refused the whole batch
UNAUTHORIZED = "destination.unauthorized"
KEY_UNAVAILABLE = "destination.key_unavailable"
NO_ENDPOINT = "destination.no_endpoint"
TOO_LARGE = "destination.too_large"
UNREACHABLE = "destination.unreachable"
TIMEOUT = "destination.timeout"
DROPPED = "destination.dropped_connection"
THROTTLED = "destination.throttled"
UNAVAILABLE = "destination.unavailable"
UNREADABLE = "destination.unreadable"
NO_TIME = "destination.no_time_left"

REASON_MAX_CHARS = 500
KEY_HINT = (f"check {credentials.DESTINATION_API_KEY} (locally) or the secret named by {DESTINATION_API_KEY_SECRET}, "
            "and the key header")


def retryable(status: int) -> bool:
    return status in (408, 429) or status >= 500


def message_of(payload: Any) -> str:
    """The service's ``message``, cut to a reason's length."""
    text = payload.get("message") if isinstance(payload, dict) else None
    return str(text)[:REASON_MAX_CHARS] if text else "no message"


def reason_of(error: Exception, url: str) -> str:
    """What a connection error says, without its noise."""
    # urllib3 wraps the socket's error: in ``reason`` (connection errors) or in its args (protocol errors)
    cause = getattr(error, "reason", None) or next((a for a in error.args if isinstance(a, BaseException)), error)
    return f"{type(cause).__name__} from {url}"
