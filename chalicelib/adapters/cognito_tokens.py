"""Cognito access tokens checked with PyJWT: signature against the pool's JWKS (cached), issuer, client,
expiry and token use."""
from __future__ import annotations

from typing import Any

import jwt

from ..domain.access import Principal, principal_of
from ..domain.client_input import clipped
from ..domain.errors import InvalidTokenError, SignInUnavailableError
from ..settings import Settings

JWKS_CACHE_SECONDS = 3600  # Cognito rotates keys rarely; an unknown key id still triggers a refetch
JWKS_TIMEOUT_SECONDS = 5
LEEWAY_SECONDS = 5  # clock skew between Cognito and Lambda
ACCESS = "access"
_REQUIRED = ["exp", "iat", "iss", "token_use", "client_id"]
GROUPS = "cognito:groups"
_CLAIM_TYPES: dict[str, type | tuple[type, ...]] = {
    "token_use": str, "client_id": str, "sub": str, "username": str, "scope": str, GROUPS: list}
_CLAIM_KINDS = {name: "a list" if kinds is list else "text" for name, kinds in _CLAIM_TYPES.items()}


class CognitoTokenVerifier:
    """Turns a bearer token into a Principal, or raises InvalidTokenError with the reason."""

    def __init__(self, issuer: str, client_ids: tuple[str, ...], jwks_url: str, force_sync_scope: str):
        self._issuer = issuer
        self._client_ids = frozenset(client_ids)
        self._force_sync_scope = force_sync_scope
        # One client per process: the key set is fetched once and kept, not fetched per request.
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=JWKS_CACHE_SECONDS,
                                     timeout=JWKS_TIMEOUT_SECONDS)

    def verify(self, token: str) -> Principal:
        try:
            key = self._keys.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError:
            raise SignInUnavailableError("the user pool's signing keys cannot be read right now") from None
        except (jwt.PyJWKClientError, jwt.DecodeError) as error:
            raise InvalidTokenError(f"the token cannot be checked: {_reason(error)}") from None
        try:
            # Access tokens carry no `aud` (their app client is `client_id`, checked below).
            claims = jwt.decode(token, key.key, algorithms=["RS256"], issuer=self._issuer, leeway=LEEWAY_SECONDS,
                                options={"require": _REQUIRED, "verify_aud": False})
        except jwt.ExpiredSignatureError:
            raise InvalidTokenError("the token has expired: sign in again") from None
        except jwt.InvalidIssuerError:
            raise InvalidTokenError("the token is from another user pool") from None
        except jwt.PyJWTError as error:
            raise InvalidTokenError(f"the token is not valid: {_reason(error)}") from None
        _check_claim_types(claims)
        if claims["token_use"] != ACCESS:
            raise InvalidTokenError(f"a {clipped(claims['token_use'], 20)} token was sent: send the access token")
        if claims["client_id"] not in self._client_ids:
            raise InvalidTokenError("the token was issued to an app client this API does not accept")
        return principal_of(claims, self._force_sync_scope)


def _check_claim_types(claims: dict[str, Any]) -> None:
    """A token our pool signed carries text where text belongs; anything else is refused before it is used (a
    list where a client id goes would otherwise reach a set lookup)."""
    for name, kinds in _CLAIM_TYPES.items():
        value = claims.get(name)
        if value is not None and not isinstance(value, kinds):
            raise InvalidTokenError(f"the token is not valid: its {name} claim is not {_CLAIM_KINDS[name]}")
    groups = claims.get(GROUPS)
    if groups is not None and not all(isinstance(group, str) for group in groups):
        raise InvalidTokenError(f"the token is not valid: its {GROUPS} claim is not a list of text")


def _reason(error: Exception) -> str:
    # PyJWT's messages name claims and algorithms, never the token or the key.
    return str(error).rstrip(".") or type(error).__name__


def from_settings(settings: Settings) -> CognitoTokenVerifier:
    if settings.sign_in_missing:
        raise SignInUnavailableError(settings.sign_in_missing)
    return CognitoTokenVerifier(settings.cognito_issuer, settings.cognito_client_ids, settings.jwks_url,
                                settings.force_sync_scope)
