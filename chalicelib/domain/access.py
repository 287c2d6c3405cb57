"""Who may do what: roles from a verified token's claims, and the permissions of each role."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ADMIN, OPERATOR = "admin", "operator"
ADMINS_GROUP, OPERATORS_GROUP = "admins", "operators"

# Permissions, one per kind of route.
READ_STATUS = "read status and runs"
FORCE_SYNC = "force a sync"
READ_PRODUCTS = "read products"
READ_SETTINGS = "read settings"
READ_API = "read the API description"
RECONCILE = "reconcile the catalog"  # run a reconciliation, read its reports, take its actions
READ_SELF = "read who they are"  # the dashboard shows each role only the pages it may open

ROLE_PERMISSIONS = {
    ADMIN: frozenset({READ_STATUS, FORCE_SYNC, READ_PRODUCTS, READ_SETTINGS, READ_API, RECONCILE, READ_SELF}),
    OPERATOR: frozenset({READ_STATUS, FORCE_SYNC, READ_API, READ_SELF}),
}


@dataclass(frozen=True)
class Principal:
    """Who signed in: a user (``username``) or a machine client (``client_id`` alone), and their roles."""

    subject: str
    client_id: str
    username: str | None
    roles: frozenset[str]

    def may(self, permission: str) -> bool:
        return any(permission in ROLE_PERMISSIONS.get(role, ()) for role in self.roles)

    def permissions(self) -> list[str]:
        return sorted(set().union(*(ROLE_PERMISSIONS.get(role, frozenset()) for role in self.roles)))


def roles_of(claims: Mapping[str, Any], force_sync_scope: str) -> frozenset[str]:
    """Admins and operators by Cognito group; a machine client with the force-sync scope is an operator."""
    groups = claims.get("cognito:groups") or []
    groups = set(groups) if isinstance(groups, list) else set()
    scopes = set(str(claims.get("scope") or "").split())
    roles = set()
    if ADMINS_GROUP in groups:
        roles.add(ADMIN)
    if OPERATORS_GROUP in groups or (force_sync_scope and force_sync_scope in scopes):
        roles.add(OPERATOR)
    return frozenset(roles)


def principal_of(claims: Mapping[str, Any], force_sync_scope: str) -> Principal:
    """The principal of verified access-token claims."""
    username = claims.get("username")
    return Principal(subject=str(claims.get("sub") or claims.get("client_id")), client_id=str(claims["client_id"]),
                     username=str(username) if username else None, roles=roles_of(claims, force_sync_scope))
