"""Domain errors: adapters raise them, entry points translate them once. Each carries a code, chosen where the
failure happens, that runs and the dashboard group and count by; its message is for people."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """Why something failed: a code to group and count by, and a message for people."""

    code: str
    message: str


class CatalogSyncError(Exception):
    """Base of every error the service means to report to a person."""

    code = "error"

    def __init__(self, message: str = "", code: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def failure(self) -> Failure:
        return Failure(self.code, str(self))


class InvalidRecordError(CatalogSyncError):
    """A source record cannot become a feed row; the message says why."""

    code = "invalid_record"


class UnknownFeedError(CatalogSyncError):
    """A feed that this service does not sync (or its source cannot read) was asked for."""

    code = "unknown_feed"


class LockHeldError(CatalogSyncError):
    """Another run holds the feed lock."""

    code = "lock_held"

    def __init__(self, run_id: str | None, expires_at: str | None):
        super().__init__(f"run {run_id} is in progress (lock until {expires_at})")
        self.run_id = run_id
        self.expires_at = expires_at


class CooldownActiveError(CatalogSyncError):
    """A force sync was asked for while the cooldown is on."""

    code = "cooldown_active"

    def __init__(self, last_forced_at: str):
        super().__init__(f"force sync was used at {last_forced_at}; the cooldown is on")
        self.last_forced_at = last_forced_at


class ConflictError(CatalogSyncError):
    """A conditional write lost: someone else changed the item first."""

    code = "conflict"


class SourceError(CatalogSyncError):
    """The catalog source could not be read; the run fails with this message."""

    code = "source"


class DestinationError(CatalogSyncError):
    """The destination refused or failed a whole batch.

    ``retryable``: the same message may well succeed soon (throttling, a 5xx, a timeout): it goes back to the
    queue. Otherwise the batch fails at once, and ``next_sync`` says what becomes of its rows: True for a
    problem of configuration (a refused key, a missing bucket), fixed outside the catalog, so the rows wait
    for the next sync; False when the batch itself is refused (too large, unreadable): the rows fail until
    they change.
    """

    code = "destination"

    def __init__(self, message: str, retryable: bool = True, next_sync: bool = False, code: str | None = None):
        super().__init__(message, code)
        self.retryable = retryable
        self.next_sync = next_sync and not retryable


class InvalidTokenError(CatalogSyncError):
    """A bearer token that does not prove who sent it (bad signature, expired, another pool or client...)."""

    code = "invalid_token"


class SignInUnavailableError(CatalogSyncError):
    """Tokens cannot be checked right now: sign-in is not configured, or the pool's keys cannot be read."""

    code = "sign_in_unavailable"


class InvalidRequestError(CatalogSyncError):
    """A request the API cannot act on; the message names the field and what it accepts (a 400)."""

    code = "invalid_request"


class BodyTooLargeError(InvalidRequestError):
    """A request body larger than the route accepts (a 413)."""

    code = "body_too_large"


class InvalidQueryError(ValueError):
    """A search parameter the service cannot use; the message names it and its valid values (a 400)."""
