"""Who may call: integration tokens (OAuth 1.0a signed, or as bearer when allowed) and admin bearer tokens."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import string
import threading
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, RequestValidator, SignatureOnlyEndpoint

from .errors import BAD_LOGIN, MagentoError, not_authorized

ADMIN_TOKEN_LIFETIME = 4 * 3600  # Magento's default (oauth/access_token_lifetime/admin = 4 hours)
NONCE_WINDOW = 600  # seconds a timestamp may be off, and a nonce remembered


@dataclass(frozen=True)
class Integration:
    """An integration's four OAuth credentials (System → Integrations → Activate)."""

    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str

    @classmethod
    def for_seed(cls, seed: int) -> Integration:
        rng = random.Random(f"integration:{seed}")
        alphabet = string.ascii_lowercase + string.digits
        return cls(*("".join(rng.choice(alphabet) for _ in range(32)) for _ in range(4)))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _OAuthValidator(RequestValidator):
    """oauthlib's server side for one integration: HMAC-SHA1/-SHA256, a nonce used once within the window."""

    def __init__(self, integration: Integration):
        super().__init__()
        self._integration = integration
        self._nonces: dict[tuple[str, str, str], int] = {}
        self._order: deque[tuple[int, tuple[str, str, str]]] = deque()
        self._lock = threading.Lock()

    allowed_signature_methods = (SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256)
    enforce_ssl = False  # the simulator speaks plain HTTP on the loopback
    client_key_length = (20, 64)
    access_token_length = (20, 64)
    nonce_length = (8, 64)
    timestamp_lifetime = NONCE_WINDOW
    dummy_client = "dummyclientkeyforunknownconsumers"
    dummy_access_token = "dummyaccesstokenforunknowntokens"

    def validate_client_key(self, client_key, request):
        return hmac.compare_digest(client_key, self._integration.consumer_key)

    def get_client_secret(self, client_key, request):
        known = hmac.compare_digest(client_key, self._integration.consumer_key)
        return self._integration.consumer_secret if known else "dummy-secret"

    def get_access_token_secret(self, client_key, token, request):
        known = hmac.compare_digest(token, self._integration.access_token)
        return self._integration.access_token_secret if known else "dummy-secret"

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None,
                                     access_token=None):
        stamp = int(timestamp)
        with self._lock:
            # Forget nonces older than the window, oldest first (they arrive in about timestamp order):
            # constant work per request however many a long pull sends.
            while self._order and self._order[0][0] < stamp - 2 * NONCE_WINDOW:
                self._nonces.pop(self._order.popleft()[1], None)
            key = (client_key, nonce, timestamp)
            if key in self._nonces:
                return False
            self._nonces[key] = stamp
            self._order.append((stamp, key))
        return True


class Authenticator:
    """Decides whether a request may use a resource; issues and checks admin tokens."""

    def __init__(self, integration: Integration, admin_users: Mapping[str, str], clock: Callable[[], float],
                 token_lifetime: float = ADMIN_TOKEN_LIFETIME, integration_as_bearer: bool = False,
                 integration_resources: Collection[str] | None = None, secret: bytes = b""):
        self.integration = integration
        self.admin_users = dict(admin_users)
        self.clock = clock
        self.token_lifetime = token_lifetime
        self.integration_as_bearer = integration_as_bearer
        self.integration_resources = None if integration_resources is None else frozenset(integration_resources)
        self._secret = secret or hashlib.sha256(integration.consumer_secret.encode()).digest()
        self._oauth = SignatureOnlyEndpoint(_OAuthValidator(integration))

    # -- admin tokens (JWTs since 2.4.4: header.payload.signature, HS256) -----------------------------

    def issue_admin_token(self, username: str, password: str) -> str:
        expected = self.admin_users.get(username)
        if expected is None or not hmac.compare_digest(expected, password):
            raise MagentoError(401, BAD_LOGIN)
        now = int(self.clock())
        header = _b64(json.dumps({"kid": "1", "alg": "HS256"}, separators=(",", ":")).encode())
        claims = {"uid": sorted(self.admin_users).index(username) + 1, "utypid": 2, "iat": now,
                  "exp": now + int(self.token_lifetime), "usr": username}
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signature = _b64(hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        return f"{header}.{payload}.{signature}"

    def _admin(self, token: str) -> str | None:
        parts = token.split(".")
        if len(parts) != 3:
            return None
        expected = _b64(hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]):
            return None
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        if claims.get("exp", 0) <= self.clock():
            return None  # expired: Magento answers as for any unknown token
        return f"admin:{claims.get('usr')}"

    # -- every request ---------------------------------------------------------------------------------

    def principal(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> str | None:
        """'integration', 'admin:<name>', or None for a request without valid credentials."""
        authorization = headers.get("Authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer":
            token = credentials.strip()
            if hmac.compare_digest(token, self.integration.access_token):
                return "integration" if self.integration_as_bearer else None
            return self._admin(token)
        if scheme.lower() == "oauth" or "oauth_signature=" in url:
            valid, request = self._oauth.validate_request(url, method, None, {"Authorization": authorization}
                                                          if authorization else {})
            if valid and request is not None and request.resource_owner_key and hmac.compare_digest(
                    request.resource_owner_key, self.integration.access_token):
                return "integration"
        return None

    def authorize(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
                  resource: str) -> str:
        """The caller's principal, or the 401 Magento gives for missing, invalid or insufficient credentials."""
        who = self.principal(method, url, headers, body)
        if who is None:
            raise not_authorized(resource)
        if who == "integration" and self.integration_resources is not None \
                and resource not in self.integration_resources:
            raise not_authorized(resource)
        return who
