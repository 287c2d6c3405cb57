"""Roles from a verified token's claims, and what each role may do."""
from chalicelib.domain.access import (
    ADMIN,
    FORCE_SYNC,
    OPERATOR,
    READ_API,
    READ_PRODUCTS,
    READ_SETTINGS,
    READ_STATUS,
    principal_of,
    roles_of,
)

SCOPE = "catalog-sync/sync"


def test_roles_come_from_groups_or_the_force_sync_scope():
    assert roles_of({"cognito:groups": ["admins"]}, SCOPE) == {ADMIN}
    assert roles_of({"cognito:groups": ["operators", "admins"]}, SCOPE) == {ADMIN, OPERATOR}
    assert roles_of({"scope": f"openid {SCOPE}"}, SCOPE) == {OPERATOR}
    assert roles_of({"scope": "catalog-sync/sync-all", "cognito:groups": "admins"}, SCOPE) == set()


def test_what_each_role_may_do():
    admin = principal_of({"client_id": "c", "sub": "s", "username": "ada", "cognito:groups": ["admins"]}, SCOPE)
    operator = principal_of({"client_id": "m", "sub": "m", "scope": SCOPE}, SCOPE)
    assert all(admin.may(p) for p in (READ_STATUS, FORCE_SYNC, READ_PRODUCTS, READ_SETTINGS, READ_API))
    assert operator.may(READ_STATUS) and operator.may(FORCE_SYNC) and operator.may(READ_API)
    assert not operator.may(READ_PRODUCTS) and not operator.may(READ_SETTINGS)
    assert (operator.username, operator.client_id) == (None, "m")
