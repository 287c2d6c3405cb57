"""The synced products: search across store views, and one product in every store view with its discrepancies."""
from __future__ import annotations

from typing import Any

from chalice import BadRequestError, NotFoundError, Response

from .. import container
from ..domain.access import READ_PRODUCTS
from .auth import requires
from .blueprint import api, unavailable
from .params import query

SEARCH_PARAMETERS = ("q", "status", "store_view", "type", "visibility", "sort", "order", "cursor", "limit")
MAX_PRODUCT_ID = 2**63 - 1


def _service() -> Any:
    from ..services import products  # the search index comes with it: loaded by the routes that use it

    return products


def _unavailable(error: Exception) -> Response:
    return unavailable(f"products cannot be searched here: {error}")


@api.route("/products", methods=["GET"])
@requires(READ_PRODUCTS)
def get_products() -> dict[str, Any] | Response:
    params: dict[str, Any] = query(SEARCH_PARAMETERS)
    if "limit" in params:
        try:
            params["limit"] = int(params["limit"].strip())
        except ValueError:
            raise BadRequestError(f"limit must be a whole number; got {params['limit']!r}") from None
    products = _service()
    try:
        return products.search_products(container.context(), **params)
    except products.InvalidQueryError as invalid:
        raise BadRequestError(str(invalid)) from None
    except products.SearchUnavailableError as failure:
        return _unavailable(failure)


@api.route("/products/{product_id}", methods=["GET"])
@requires(READ_PRODUCTS)
def get_product(product_id: str) -> dict[str, Any] | Response:
    if not product_id.isascii() or not product_id.isdigit() or not 0 < int(product_id) <= MAX_PRODUCT_ID:
        raise BadRequestError(f"the product id must be a positive whole number (Magento's entity_id); got "
                              f"{product_id!r}")
    products = _service()
    try:
        detail = products.product_detail(container.context(), int(product_id))
    except products.SearchUnavailableError as failure:
        return _unavailable(failure)
    if detail is None:
        raise NotFoundError(f"no synced product with id {product_id}")
    return detail
