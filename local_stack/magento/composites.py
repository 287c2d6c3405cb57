"""Composite products' REST shapes: configurable options, bundle options and selections, product links.

Rules read from Magento (Bundle\\Model\\Product\\LinksList, Bundle\\Model\\LinkManagement, ConfigurableProduct's
LinkManagement, Catalog's ProductLink\\Management): a dynamic-price bundle's links carry ``price_type`` null and,
in the product and its options, the selected product's price (``null`` from /children); a fixed-price bundle's
links carry the selection's own price and type. Grouped members are ``product_links`` of type ``associated``
with their default quantity in ``extension_attributes.qty``.
"""
from __future__ import annotations

from typing import Any

from . import attributes, layout
from .catalog import CONFIGURABLE, GROUPED, TYPES, Catalog
from .model import Bundle, BundleOption, Selection


def number(hundredths: int | float) -> int | float:
    """Money (or a quantity) as Magento's JSON shows it: 12 or 12.5, never 12.0."""
    value = round(hundredths / 100, 2)
    return int(value) if value == int(value) else value


def quantity(value: float) -> int | float:
    return int(value) if value == int(value) else value


# -- configurable ---------------------------------------------------------------------------------------

def configurable_options(catalog: Catalog, row: int, store: layout.StoreView) -> list[dict[str, Any]]:
    """extension_attributes.configurable_product_options: color then size, with the values children use."""
    entity_id = catalog.entity_id[row]
    if catalog.type[row] != CONFIGURABLE:
        return []
    used = [catalog.variant[catalog.entity_id[c]] for c in catalog.children(entity_id)
            if catalog.entity_id[c] in catalog.variant]
    result = []
    for position, attribute in enumerate((attributes.COLOR, attributes.SIZE)):
        label = (getattr(attribute, store.language, "") if store.language else "") or attribute.label
        values = [{"value_index": v} for v in sorted({u[position] for u in used})]
        result.append({"id": entity_id * 10 + position, "attribute_id": str(attribute.id), "label": label,
                       "position": position, "values": values, "product_id": entity_id})
    return result


# -- bundle ---------------------------------------------------------------------------------------------

def _link(catalog: Catalog, bundle: Bundle, option: BundleOption, selection: Selection,
          product_price: bool) -> dict[str, Any] | None:
    row = catalog.row_of_id(selection.product_id)
    if row is None:
        return None
    if bundle.fixed_price:
        price: int | float | None = number(selection.price)
        price_type: int | None = selection.price_type
    else:  # dynamic price: the product's own price (LinksList) or nothing (LinkManagement::getChildren)
        price, price_type = (number(catalog.price[row]) or None) if product_price else None, None
    return {"id": str(selection.selection_id), "sku": catalog.sku[row], "option_id": option.option_id,
            "qty": quantity(selection.qty), "position": selection.position, "is_default": selection.is_default,
            "price": price, "price_type": price_type, "can_change_quantity": selection.can_change_qty}


def bundle_options(catalog: Catalog, row: int) -> list[dict[str, Any]]:
    """extension_attributes.bundle_product_options (and GET /V1/bundle-products/{sku}/options/all)."""
    bundle = catalog.bundles.get(catalog.entity_id[row])
    if bundle is None:
        return []
    result = []
    for option in sorted(bundle.options, key=lambda o: (o.position, o.option_id)):
        links = [_link(catalog, bundle, option, s, True) for s in option.selections]
        result.append({"option_id": option.option_id, "title": option.title, "required": option.required,
                       "type": option.type, "position": option.position, "sku": catalog.sku[row],
                       "product_links": [link for link in links if link is not None]})
    return result


def bundle_children(catalog: Catalog, row: int, option_id: int | None) -> list[dict[str, Any]]:
    """GET /V1/bundle-products/{sku}/children[?optionId=]: every selection (of one option)."""
    bundle = catalog.bundles[catalog.entity_id[row]]
    links = [_link(catalog, bundle, option, s, False) for option in sorted(bundle.options, key=lambda o: o.position)
             if option_id is None or option.option_id == option_id for s in option.selections]
    return [link for link in links if link is not None]


# -- product links --------------------------------------------------------------------------------------

def product_links(catalog: Catalog, row: int) -> list[dict[str, Any]]:
    """product_links: related, upsell and crosssell links, and a grouped product's associated members."""
    entity_id, sku = catalog.entity_id[row], catalog.sku[row]
    result = []
    positions: dict[str, int] = {}
    for link_type, linked in catalog.product_links.get(entity_id, ()):
        other = catalog.row_of_id(linked)
        if other is not None:
            positions[link_type] = positions.get(link_type, 0) + 1
            result.append({"sku": sku, "link_type": link_type, "linked_product_sku": catalog.sku[other],
                           "linked_product_type": TYPES[catalog.type[other]], "position": positions[link_type]})
    if catalog.type[row] == GROUPED:
        for link in catalog.grouped.get(entity_id, ()):
            other = catalog.row_of_id(link.product_id)
            if other is not None:
                result.append({"sku": sku, "link_type": "associated", "linked_product_sku": catalog.sku[other],
                               "linked_product_type": TYPES[catalog.type[other]], "position": link.position,
                               "extension_attributes": {"qty": quantity(link.qty)}})
    return result


def parents(catalog: Catalog, entity_id: int) -> list[tuple[int, str]]:
    """(parent entity id, type) of every composite that holds the product (Magento's REST has no such read)."""
    found: list[tuple[int, str]] = []
    for parent, children in catalog.configurable.items():
        if entity_id in children:
            found.append((parent, "configurable"))
    for parent, bundle in catalog.bundles.items():
        if any(s.product_id == entity_id for o in bundle.options for s in o.selections):
            found.append((parent, "bundle"))
    for parent, links in catalog.grouped.items():
        if any(link.product_id == entity_id for link in links):
            found.append((parent, "grouped"))
    return sorted(found)
