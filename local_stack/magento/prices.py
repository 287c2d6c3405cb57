"""Prices as Magento's efficient price API reads them (Catalog\\Model\\Product\\Price\\*Storage), and as products
carry them.

Rules read from Magento: the three ``*-information`` reads drop unknown SKUs and SKUs of types they do not price
(InvalidSkuProcessor::filterSkuList) without an error, whatever their description says; base prices also drop
dynamic-price bundles. A SKU matches case-insensitively and trimmed, and answers spelled as it was asked.
Base prices: one row per stored value, store 0 for the default and, price scope being the website, one row per
store view of a website with its own price. Special prices: ResourceModel\\Product\\Price\\SpecialPrice joins
the from/to dates on the product only (not on the store), so each price row is repeated for every stored date
row, and a missing date is null. Tier prices: ``price_type`` "fixed" or "discount" (the price is then a
percentage), ``customer_group`` a group code or "all groups", ``website_id`` 0 for all websites.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import layout
from .catalog import BUNDLE, DOWNLOADABLE, SIMPLE, VIRTUAL, Catalog
from .composites import number, quantity
from .model import TierPrice

PRICED_TYPES = frozenset({SIMPLE, VIRTUAL, DOWNLOADABLE, BUNDLE})  # the storages' allowedProductTypes
FIXED, DISCOUNT = "fixed", "discount"


def requested_rows(catalog: Catalog, skus: Iterable[Any], last_spelling: bool = False) -> dict[int, str]:
    """Rows of the SKUs asked for that exist and are priced by this API → the SKU as the request spelled it."""
    found: dict[int, str] = {}
    for sku in skus:
        text = str(sku)
        row = catalog.row_of_sku(text.strip())
        if row is not None and catalog.type[row] in PRICED_TYPES and (last_spelling or row not in found):
            found[row] = text
    return found


def base_prices(catalog: Catalog, skus: Iterable[Any]) -> list[dict[str, Any]]:
    result = []
    for row, sku in requested_rows(catalog, skus).items():
        entity_id = catalog.entity_id[row]
        bundle = catalog.bundles.get(entity_id)
        if bundle is not None and not bundle.fixed_price:
            continue  # only fixed-price bundles have a base price (priceTypeAllowed = 1)
        result.append({"price": number(catalog.price[row]), "store_id": 0, "sku": sku})
        for website_id in layout.WEBSITE_BITS:
            cents = catalog.prices.get((entity_id, website_id))
            if cents is not None:
                result += [{"price": number(cents), "store_id": store_id, "sku": sku}
                           for store_id in layout.store_ids_of_website(website_id)]
    return result


def special_prices(catalog: Catalog, skus: Iterable[Any]) -> list[dict[str, Any]]:
    result = []
    for row, sku in requested_rows(catalog, skus).items():
        special = catalog.special.get(catalog.entity_id[row])
        if special is None:
            continue
        starts: list[str | None] = [special.price_from[s] for s in sorted(special.price_from)] or [None]
        ends: list[str | None] = [special.price_to[s] for s in sorted(special.price_to)] or [None]
        for store_id in sorted(special.price):
            result += [{"price": number(special.price[store_id]), "store_id": store_id, "sku": sku,
                        "price_from": start, "price_to": end} for start in starts for end in ends]
    return result


def _group_code(tier: TierPrice) -> str:
    if tier.group_id is None:
        return layout.ALL_GROUPS_CODE
    group = layout.CUSTOMER_GROUP_BY_ID.get(tier.group_id)
    return group.code if group else str(tier.group_id)


def tier_prices(catalog: Catalog, skus: Iterable[Any]) -> list[dict[str, Any]]:
    result = []
    for row, sku in requested_rows(catalog, skus, last_spelling=True).items():
        for tier in catalog.tier_prices.get(catalog.entity_id[row], ()):
            discount = tier.percentage is not None
            result.append({"price": quantity(tier.percentage) if tier.percentage is not None
                           else number(tier.value or 0),
                           "price_type": DISCOUNT if discount else FIXED, "website_id": tier.website_id,
                           "sku": sku, "customer_group": _group_code(tier), "quantity": quantity(tier.qty)})
    return result


# -- on the product -------------------------------------------------------------------------------------

def product_tier_prices(catalog: Catalog, row: int, store: layout.StoreView) -> list[dict[str, Any]]:
    """``tier_prices`` of GET /V1/products/{sku}: the store's website's and all websites' (every one for admin)."""
    result = []
    base = catalog.price_in(row, store.website_id)
    for tier in catalog.tier_prices.get(catalog.entity_id[row], ()):
        if store.website_id and tier.website_id not in (0, store.website_id):
            continue
        extension: dict[str, Any] = {"website_id": tier.website_id}
        if tier.percentage is not None:
            value = number(round(base * (100 - tier.percentage) / 100))
            extension["percentage_value"] = quantity(tier.percentage)
        else:
            value = number(tier.value or 0)
        result.append({"customer_group_id": layout.ALL_GROUPS_ID if tier.group_id is None else tier.group_id,
                       "qty": quantity(tier.qty), "value": value, "extension_attributes": extension})
    return result


def special_attributes(catalog: Catalog, row: int, store: layout.StoreView) -> list[tuple[str, str]]:
    """special_price, special_from_date and special_to_date custom attributes in ``store``'s scope."""
    special = catalog.special.get(catalog.entity_id[row])
    if special is None:
        return []
    values = []
    for code, stored in (("special_price", special.price), ("special_from_date", special.price_from),
                         ("special_to_date", special.price_to)):
        value = stored.get(store.id, stored.get(0))
        if value is not None:
            values.append((code, f"{value / 100:.6f}" if isinstance(value, int) else value))
    return values
