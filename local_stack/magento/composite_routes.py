"""Handlers for what hangs off one product: configurable children and options, bundle options and children,
product links and link types, downloadable links, the media gallery."""
from __future__ import annotations

from typing import Any

from . import composites, products
from .catalog import BUNDLE, CONFIGURABLE
from .errors import MagentoError
from .model import PRODUCT_LINK_TYPES
from .routes import Call, route

PRODUCTS = "Magento_Catalog::products"
CATALOG = "Magento_Catalog::catalog"
DOWNLOADABLE = "Magento_Downloadable::downloadable"
NOT_CONFIGURABLE = 'This is implemented for the "%1" configurable product only.'
NOT_BUNDLE = "This is implemented for bundle products only."
UNKNOWN_LINK_TYPE = 'The "%1" link type is unknown. Verify the type and try again.'
LINK_TYPE_ORDER = ("related", "crosssell", "upsell", "associated")  # LinkTypeProvider's, Grouped's last


@route("GetV1ConfigurableproductsSkuChildren", PRODUCTS)
def configurable_children(call: Call) -> list[dict[str, Any]]:
    """The children of a configurable product; any other product has none (an empty list, not an error)."""
    with call.catalog.lock:
        row = call.product_row(call.param("sku"))
        return products.configurable_children(call.catalog, row, call.store)


@route("GetV1ConfigurableproductsSkuOptionsAll", PRODUCTS)
def configurable_options(call: Call) -> list[dict[str, Any]]:
    with call.catalog.lock:
        row = call.product_row(call.param("sku"))
        if call.catalog.type[row] != CONFIGURABLE:
            raise MagentoError(400, NOT_CONFIGURABLE, [call.param("sku")])
        return composites.configurable_options(call.catalog, row, call.store)


def _bundle_row(call: Call, name: str) -> int:
    row = call.product_row(call.param(name))
    if call.catalog.type[row] != BUNDLE:
        raise MagentoError(400, NOT_BUNDLE)
    return row


@route("GetV1BundleproductsSkuOptionsAll", PRODUCTS)
def bundle_options(call: Call) -> list[dict[str, Any]]:
    with call.catalog.lock:
        return composites.bundle_options(call.catalog, _bundle_row(call, "sku"))


@route("GetV1BundleproductsProductSkuChildren", PRODUCTS)
def bundle_children(call: Call) -> list[dict[str, Any]]:
    raw = call.request.query.get("optionId")
    option_id = int(raw) if raw is not None and raw.strip().lstrip("-").isdigit() else None
    with call.catalog.lock:
        return composites.bundle_children(call.catalog, _bundle_row(call, "productSku"), option_id)


@route("GetV1ProductsLinksTypes", CATALOG)
def link_types(call: Call) -> list[dict[str, Any]]:
    return [{"code": PRODUCT_LINK_TYPES[name], "name": name} for name in LINK_TYPE_ORDER]


@route("GetV1ProductsSkuLinksType", CATALOG)
def links_of_type(call: Call) -> list[dict[str, Any]]:
    link_type = call.param("type")
    if link_type not in PRODUCT_LINK_TYPES:  # checked before the product, as Magento does
        raise MagentoError(404, UNKNOWN_LINK_TYPE, [link_type])
    with call.catalog.lock:
        row = call.product_row(call.param("sku"))
        return [link for link in composites.product_links(call.catalog, row) if link["link_type"] == link_type]


@route("GetV1ProductsSkuDownloadablelinks", DOWNLOADABLE)
def downloadable_links(call: Call) -> list[dict[str, Any]]:
    with call.catalog.lock:
        return products.downloadable_links(call.catalog, call.product_row(call.param("sku")))


@route("GetV1ProductsSkuMedia", CATALOG)
def media(call: Call) -> list[dict[str, Any]]:
    with call.catalog.lock:
        return products.media(call.catalog, call.product_row(call.param("sku")), call.store)
