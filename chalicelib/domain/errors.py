"""Domain errors: adapters raise them, entry points translate them once."""


class CatalogSyncError(Exception):
    """Base of every error the service means to report to a person."""


class InvalidRecordError(CatalogSyncError):
    """A source record cannot become a feed row; the message says why."""


class UnknownFeedError(CatalogSyncError):
    """A feed that this service does not sync (or its source cannot read) was asked for."""


class LockHeldError(CatalogSyncError):
    """Another run holds the feed lock."""

    def __init__(self, run_id: str | None, expires_at: str | None):
        super().__init__(f"run {run_id} is in progress (lock until {expires_at})")
        self.run_id = run_id
        self.expires_at = expires_at


class CooldownActiveError(CatalogSyncError):
    """A force sync was asked for while the cooldown is on."""

    def __init__(self, last_forced_at: str):
        super().__init__(f"force sync was used at {last_forced_at}; the cooldown is on")
        self.last_forced_at = last_forced_at


class ConflictError(CatalogSyncError):
    """A conditional write lost: someone else changed the item first."""


class SourceError(CatalogSyncError):
    """The catalog source could not be read; the run fails with this message."""


class DestinationError(CatalogSyncError):
    """The destination refused or failed a whole batch.

    ``retryable``: the same message may well succeed soon (throttling, a 5xx, a timeout): it goes back to the
    queue. Otherwise the batch fails at once, and ``next_sync`` says what becomes of its rows: True for a
    problem of configuration (a refused key, a missing bucket), fixed outside the catalog, so the rows wait
    for the next sync; False when the batch itself is refused (too large, unreadable): the rows fail until
    they change.
    """

    def __init__(self, message: str, retryable: bool = True, next_sync: bool = False):
        super().__init__(message)
        self.retryable = retryable
        self.next_sync = next_sync and not retryable


class InvalidTokenError(CatalogSyncError):
    """A bearer token that does not prove who sent it (bad signature, expired, another pool or client...)."""


class SignInUnavailableError(CatalogSyncError):
    """Tokens cannot be checked right now: sign-in is not configured, or the pool's keys cannot be read."""


class InvalidRequestError(CatalogSyncError):
    """A request the API cannot act on; the message names the field and what it accepts (a 400)."""
