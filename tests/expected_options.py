"""What a product's ``optionsV2`` must hold, from the simulated Magento's own catalog model (never from the app's
adapter or builders): Adobe's ProductOption / ProductOptionValue shapes (README "Feeds", products feed)."""
from __future__ import annotations

import base64
from typing import Any

from local_stack.magento import layout
from local_stack.magento.attributes import COLOR, SIZE, Attribute
from local_stack.magento.catalog import BUNDLE, CONFIGURABLE, GROUPED, Catalog


def _uid(*parts: object) -> str:
    return base64.b64encode("/".join(map(str, parts)).encode()).decode()


def _localized(thing: Any, view: layout.StoreView) -> str:
    return (getattr(thing, view.language, "") if view.language else "") or thing.label


def _configurable(catalog: Catalog, row: int, view: layout.StoreView) -> list[dict[str, Any]]:
    used = [catalog.variant[catalog.entity_id[child]] for child in catalog.children(catalog.entity_id[row])
            if catalog.entity_id[child] in catalog.variant]
    options = []
    for position, attribute in enumerate((COLOR, SIZE)):
        values = [_value(attribute, index, view) for index in sorted({u[position] for u in used})]
        options.append({"id": attribute.code, "type": "configurable", "label": _localized(attribute, view),
                        "sortOrder": position, "values": values})
    return options


def _value(attribute: Attribute, index: int, view: layout.StoreView) -> dict[str, Any]:
    option = next(option for option in attribute.options if option.id == index)
    return {"id": _uid("configurable", attribute.id, index), "label": _localized(option, view)}


def _bundle(catalog: Catalog, row: int) -> list[dict[str, Any]]:
    bundle = catalog.bundles[catalog.entity_id[row]]
    options = []
    for option in sorted(bundle.options, key=lambda o: (o.position, o.option_id)):
        values = []
        for selection in option.selections:
            member = catalog.row_of_id(selection.product_id)
            if member is None:
                continue
            value: dict[str, Any] = {
                "id": _uid("bundle", option.option_id, selection.selection_id, int(selection.qty)),
                "sku": catalog.sku[member], "qty": selection.qty, "qtyMutability": bool(selection.can_change_qty),
                "isDefault": selection.is_default, "sortOrder": selection.position}
            if bundle.fixed_price:  # a dynamic bundle's selections are priced by their products: no price sent
                value.update(price=selection.price / 100, priceType=("fixed", "percent")[selection.price_type])
            values.append(value)
        options.append({"id": str(option.option_id), "type": "bundle", "label": option.title,
                        "required": option.required, "renderType": option.type, "sortOrder": option.position,
                        "values": sorted(values, key=lambda v: (v["sortOrder"], v["id"]))})
    return options


def _grouped(catalog: Catalog, row: int) -> list[dict[str, Any]]:
    values = [{"sku": catalog.sku[member], "qty": link.qty, "sortOrder": link.position, "qtyMutability": True}
              for link in catalog.grouped.get(catalog.entity_id[row], ())
              if (member := catalog.row_of_id(link.product_id)) is not None]
    if not values:
        return []
    return [{"id": str(catalog.entity_id[row]), "type": "grouped",
             "values": sorted(values, key=lambda v: (v["sortOrder"], v["sku"]))}]


def expected_options(catalog: Catalog, row: int, view: layout.StoreView) -> list[dict[str, Any]]:
    """The product's options in ``view``: a configurable's color and size with the values its live children use
    (labelled in the view's language), a bundle's options with every selection (qty, whether the shopper can
    change it, is-default, position; price and price type for a fixed-price bundle), a grouped product's live
    members with their default qty."""
    kind = catalog.type[row]
    if kind == CONFIGURABLE:
        return _configurable(catalog, row, view)
    if kind == BUNDLE and catalog.entity_id[row] in catalog.bundles:
        return _bundle(catalog, row)
    if kind == GROUPED:
        return _grouped(catalog, row)
    return []
