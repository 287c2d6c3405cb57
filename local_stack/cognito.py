"""Sign-in for the local stack: a Cognito user pool on moto, as in AWS, with an admin and an operator."""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field

import boto3

from chalicelib.domain.access import ADMINS_GROUP, OPERATORS_GROUP

POOL_NAME = "catalog-sync-local"
DASHBOARD_CLIENT = "catalog-sync-dashboard"
RESOURCE_SERVER = "catalog-sync"
USERS = {"admin": ADMINS_GROUP, "operator": OPERATORS_GROUP}


@dataclass(frozen=True)
class SignIn:
    endpoint_url: str
    region: str
    user_pool_id: str
    client_id: str
    users: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {"username", "password", "group"}

    @property
    def jwks_url(self) -> str:
        """moto serves the pool's keys under its own endpoint; the tokens' issuer stays AWS's."""
        return f"{self.endpoint_url}/{self.user_pool_id}/.well-known/jwks.json"


def _password() -> str:
    # Cognito's default policy: 8+ characters with upper and lower case, a digit and a symbol.
    return secrets.token_urlsafe(18) + secrets.choice(string.ascii_uppercase) + secrets.choice(
        string.ascii_lowercase) + secrets.choice(string.digits) + "!"


def provision_sign_in(endpoint_url: str, region: str, force_sync_scope: str) -> SignIn:
    """The pool, its groups, the dashboard's app client and one user per role (passwords made per start)."""
    idp = boto3.client("cognito-idp", endpoint_url=endpoint_url, region_name=region)
    pool_id = idp.create_user_pool(PoolName=POOL_NAME)["UserPool"]["Id"]
    for group in USERS.values():
        idp.create_group(UserPoolId=pool_id, GroupName=group)
    # The force-sync scope, as a machine client would be granted it in AWS (moto issues no client-credentials
    # tokens, so locally the operator user stands in for a machine client).
    server, _, scope = force_sync_scope.rpartition("/")
    if server and scope:
        idp.create_resource_server(UserPoolId=pool_id, Identifier=server, Name=RESOURCE_SERVER,
                                   Scopes=[{"ScopeName": scope, "ScopeDescription": "force a catalog sync"}])
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=DASHBOARD_CLIENT, GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    users = {}
    for name, group in USERS.items():
        password = _password()
        idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=password, Permanent=True)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName=group)
        users[name] = {"username": name, "password": password, "group": group}
    return SignIn(endpoint_url, region, pool_id, client_id, users)
