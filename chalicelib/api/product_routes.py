"""The synced products: search across store views, and one product in every store view with its discrepancies."""
from __future__ import annotations

from typing import Any

from chalice import BadRequestError, NotFoundError, Response

from .. import container
from ..domain.access import READ_PRODUCTS
from ..domain.answers.products import ProductDetail, ProductPage
from ..domain.client_input import quoted
from .auth import requires
from .blueprint import api, unavailable
from .params import query, whole_number

# Each parameter's longest value (the OpenAPI document says the same): a refusal quotes at most ~100 characters.
SEARCH_PARAMETERS = {"q": 200, "status": 100, "store_view": 100, "type": 100, "visibility": 100, "sort": 100,
                     "order": 100, "cursor": 1000, "limit": 100}
MAX_PRODUCT_ID = 2**63 - 1


def _service() -> Any:
    from ..services import products  # the search index comes with it: loaded by the routes that use it

    return products


def _unavailable(error: Exception) -> Response:
    return unavailable(f"products cannot be searched here: {error}")


@api.route("/products", methods=["GET"])
@requires(READ_PRODUCTS)
def get_products() -> ProductPage | Response:
    params: dict[str, Any] = query(SEARCH_PARAMETERS)
    if "limit" in params:
        params["limit"] = whole_number(params, "limit", 0)
    products = _service()
    try:
        return products.search_products(container.context(), **params)
    except products.InvalidQueryError as invalid:
        raise BadRequestError(str(invalid)) from None
    except products.SearchUnavailableError as failure:
        return _unavailable(failure)


@api.route("/products/{product_id}", methods=["GET"])
@requires(READ_PRODUCTS)
def get_product(product_id: str) -> ProductDetail | Response:
    # Its length first: int() refuses more than 4,300 digits with an error of its own.
    if not (product_id.isascii() and product_id.isdigit() and len(product_id) <= len(str(MAX_PRODUCT_ID))
            and 0 < int(product_id) <= MAX_PRODUCT_ID):
        raise BadRequestError(f"the product id must be a positive whole number (Magento's entity_id); got "
                              f"{quoted(product_id)}")
    products = _service()
    try:
        detail = products.product_detail(container.context(), int(product_id))
    except products.SearchUnavailableError as failure:
        return _unavailable(failure)
    if detail is None:
        raise NotFoundError(f"no synced product with id {product_id}")
    return detail
