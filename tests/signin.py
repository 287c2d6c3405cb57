"""Sign-in for tests: a user pool's signing key with its JWKS served on loopback, and access tokens minted as
Cognito mints them (a user in groups, or a machine client with a scope)."""
from __future__ import annotations

import json
import threading
import time
import uuid
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

POOL_ID = "us-east-1_TestPool1"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
DASHBOARD_CLIENT, MACHINE_CLIENT = "dashboard-client-id", "machine-client-id"
FORCE_SYNC_SCOPE = "catalog-sync/sync"


class UserPool:
    """Mints access tokens shaped like Cognito's, signed with a key whose JWKS a loopback server publishes."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}
        self.fetches = 0
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> UserPool:
        pool = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                pool.fetches += 1
                body = json.dumps(pool.jwks).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def jwks_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/{POOL_ID}/.well-known/jwks.json"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def token(self, groups: tuple[str, ...] = (), scope: str | None = None, client_id: str = DASHBOARD_CLIENT,
              username: str | None = "alice", token_use: str = "access", expires_in: int = 3600,
              issuer: str = ISSUER, key: Any = None, kid: str | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"sub": str(uuid.uuid4()), "iss": issuer, "client_id": client_id, "token_use": token_use,
                   "scope": scope or "aws.cognito.signin.user.admin", "auth_time": now, "iat": now,
                   "exp": now + expires_in, "jti": str(uuid.uuid4())}
        if username:
            payload["username"] = username
        if groups:
            payload["cognito:groups"] = list(groups)
        payload.update(claims)
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def admin(self) -> dict[str, str]:
        return self.bearer(self.token(groups=("admins",), username="ada"))

    def operator(self) -> dict[str, str]:
        return self.bearer(self.token(groups=("operators",), username="otto"))

    def machine(self) -> dict[str, str]:
        """A machine client (client credentials): no user, the force-sync scope."""
        return self.bearer(self.token(client_id=MACHINE_CLIENT, username=None, scope=FORCE_SYNC_SCOPE,
                                      sub=MACHINE_CLIENT))


@cache
def shared_pool() -> UserPool:
    """The one pool of the test session, its JWKS server started on first use."""
    return UserPool().start()
