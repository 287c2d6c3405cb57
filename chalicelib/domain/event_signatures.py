"""Change events' signature: an HMAC-SHA256 of the time of sending and the body, good for 5 minutes and once.

``X-Catalog-Sync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>", keyed with the events
secret>``. The time makes a captured request useless after the window; within it, the API records each signature
it accepts (a conditional write) and refuses it a second time.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from .client_input import quoted
from .errors import CatalogSyncError

SIGNATURE_HEADER = "X-Catalog-Sync-Signature"
TOLERANCE_SECONDS = 300  # how old (or, for a fast clock, how far ahead) a signature may be
SCHEME = "v1"
MAX_HEADER_CHARS = 600  # t and a few v1 digests (a sender rotating its secret may send one per secret)
_TIME_DIGITS = 12
HOW = (f"sign each delivery as {SIGNATURE_HEADER}: t=<unix time in seconds>,{SCHEME}=<hex HMAC-SHA256 of "
       "\"<t>.<raw body>\" keyed with the events secret>")


class InvalidSignatureError(CatalogSyncError):
    """A change event whose signature proves nothing (a 401); the message says which check it failed."""


@dataclass(frozen=True)
class Signature:
    """A signature that matched: when it was made, and its digest (what a replay would repeat)."""

    timestamp: int
    digest: str

    @property
    def expires_at(self) -> int:
        """When it stops being accepted anyway: its record need not be kept longer."""
        return self.timestamp + TOLERANCE_SECONDS


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value a sender puts on ``body`` at ``timestamp`` (unix seconds)."""
    return f"t={timestamp},{SCHEME}={_digest(secret, timestamp, body)}"


def _parse(header: str | None) -> tuple[int, list[str]]:
    if not header or not header.strip():
        raise InvalidSignatureError(f"missing {SIGNATURE_HEADER}: {HOW}")
    if len(header) > MAX_HEADER_CHARS:
        raise InvalidSignatureError(f"{SIGNATURE_HEADER} is longer than {MAX_HEADER_CHARS} characters: {HOW}")
    timestamp, digests = None, []
    for part in header.split(","):
        name, equals, value = part.strip().partition("=")
        if name == "t" and equals and value.isascii() and value.isdigit() and len(value) <= _TIME_DIGITS:
            timestamp = int(value)
        elif name == SCHEME and equals:
            digests.append(value)
    if timestamp is None or not digests:
        raise InvalidSignatureError(f"{SIGNATURE_HEADER} is malformed ({quoted(header, 60)}): {HOW}")
    return timestamp, digests


def verify(secret: str, body: bytes, header: str | None, now: datetime) -> Signature:
    """The signature of ``header`` if it matches ``body`` and is fresh, else InvalidSignatureError saying why."""
    timestamp, digests = _parse(header)
    expected = _digest(secret, timestamp, body)
    # Constant-time: the comparison must not tell an attacker how much of a guess was right.
    if not any(hmac.compare_digest(digest.encode(), expected.encode()) for digest in digests):
        raise InvalidSignatureError(f"the signature does not match the body and its t: {HOW}")
    age = now.timestamp() - timestamp
    if abs(age) > TOLERANCE_SECONDS:
        when = f"{age:,.0f} s old" if age > 0 else f"{-age:,.0f} s ahead of this server's clock"
        raise InvalidSignatureError(f"the signature is {when}; an event is accepted within {TOLERANCE_SECONDS} s of "
                                    "its t: sign each delivery when it is sent (and keep the sender's clock right)")
    return Signature(timestamp, expected)
