"""The REST operations the simulator answers: each schema operation id mapped to its ACL resource and handler."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import layout
from .catalog import Catalog
from .contract import Request
from .criteria import Criteria
from .errors import MagentoError, product_not_found, required
from .product_search import ProductSearch

STORE_NOT_FOUND = "The store that was requested wasn't found. Verify the store and try again."
# Operations whose service method takes a SearchCriteria without a default: Magento requires the parameter.
CRITERIA_REQUIRED = frozenset({"GetV1Products", "GetV1EavAttributesetsList", "GetV1ProductsAttributesetsSetsList",
                               "GetV1ProductsAttributes", "GetV1InventorySourceitems", "GetV1InventoryStocksourcelinks",
                               "GetV1CategoriesList", "GetV1CustomerGroupsSearch"})


@dataclass
class Call:
    """One authorized request, as handlers see it."""

    catalog: Catalog
    search: ProductSearch
    store: layout.StoreView
    request: Request
    criteria: Criteria
    paging: str  # "2.3" or "2.4"
    list_stock_item: bool
    issue_admin_token: Callable[[str, str], str]

    def param(self, name: str) -> Any:
        return self.request.path_params[name]

    def product_row(self, sku: str) -> int:
        row = self.catalog.row_of_sku(sku)
        if row is None:
            raise product_not_found()
        return row


@dataclass(frozen=True)
class Route:
    resource: str | None  # the ACL resource; None for anonymous operations
    handler: Callable[[Call], Any]


ROUTES: dict[str, Route] = {}


def route(operation_id: str, resource: str | None) -> Callable[[Callable[[Call], Any]], Callable[[Call], Any]]:
    def register(handler: Callable[[Call], Any]) -> Callable[[Call], Any]:
        ROUTES[operation_id] = Route(resource, handler)
        return handler
    return register


def store_by_id(store_id: int) -> layout.StoreView:
    store = layout.STORE_BY_ID.get(store_id)
    if store is None:
        raise MagentoError(404, STORE_NOT_FOUND)
    return store


@route("PostV1IntegrationAdminToken", None)
def admin_token(call: Call) -> str:
    """The token as a JSON string; Magento answers bad credentials with 401."""
    body = call.request.body if isinstance(call.request.body, dict) else {}
    for field in ("username", "password"):
        if not isinstance(body.get(field), str):
            raise required(field)
    return call.issue_admin_token(body["username"], body["password"])
