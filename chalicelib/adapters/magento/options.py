"""A composite's options as the products feed's source record holds them (``configurable_options``,
``bundle_options`` + ``bundle_price_type``, ``grouped_members``; see domain/feeds/product_options.py), from the
product's own answer: no request of their own. Values are copied as Magento gives them; the feed's builder judges
them (a malformed option is a failed row with its reason)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.feeds.composites import BUNDLE, CONFIGURABLE, GROUPED

FIXED_PRICE = "1"  # a bundle's price_type attribute: 1 fixed, 0 dynamic (its selections' prices add up)


def _listed(value: Any, convert: Any) -> Any:
    """Each object of a list converted; anything else as it is (the builder says what is wrong with it)."""
    if not isinstance(value, list):
        return value
    return [convert(item) if isinstance(item, Mapping) else item for item in value]


def _configurable(option: Mapping[str, Any], labels: Mapping[str, Mapping[str, str]],
                  codes: Mapping[str, str]) -> dict[str, Any]:
    code = codes.get(str(option.get("attribute_id")))
    known = labels.get(code or "", {})
    return {"attribute_id": option.get("attribute_id"), "attribute_code": code, "label": option.get("label"),
            "position": option.get("position"),
            "values": _listed(option.get("values"), lambda value: {
                "value_index": value.get("value_index"), "label": known.get(str(value.get("value_index")))})}


def _selection(link: Mapping[str, Any]) -> dict[str, Any]:
    return {"selection_id": link.get("id"), "sku": link.get("sku"), "qty": link.get("qty"),
            "can_change_quantity": link.get("can_change_quantity"), "is_default": link.get("is_default"),
            "position": link.get("position"), "price": link.get("price"), "price_type": link.get("price_type")}


def _bundle(option: Mapping[str, Any]) -> dict[str, Any]:
    return {"option_id": option.get("option_id"), "title": option.get("title"), "required": option.get("required"),
            "type": option.get("type"), "position": option.get("position"),
            "selections": _listed(option.get("product_links"), _selection)}


def _member(link: Mapping[str, Any]) -> dict[str, Any]:
    extension = link.get("extension_attributes")
    return {"sku": link.get("linked_product_sku"), "position": link.get("position"),
            "qty": extension.get("qty") if isinstance(extension, Mapping) else None}


def product_options(product: Mapping[str, Any], attributes: Mapping[str, Any], labels: Mapping[str, Mapping[str, str]],
                    codes: Mapping[str, str]) -> dict[str, Any]:
    """The record's option fields of a configurable, bundle or grouped product (``attributes``: its custom
    attributes by code; ``labels`` and ``codes``: the view's option labels and attribute codes by id)."""
    kind = product.get("type_id")
    extension = product.get("extension_attributes") or {}
    if kind == CONFIGURABLE:
        return {"configurable_options": _listed(extension.get("configurable_product_options"),
                                                lambda option: _configurable(option, labels, codes))}
    if kind == BUNDLE:
        fixed = str(attributes.get("price_type")) == FIXED_PRICE
        return {"bundle_options": _listed(extension.get("bundle_product_options"), _bundle),
                "bundle_price_type": "fixed" if fixed else "dynamic"}
    if kind == GROUPED:
        links = product.get("product_links")
        if not isinstance(links, list):
            return {"grouped_members": links}
        return {"grouped_members": [_member(link) if isinstance(link, Mapping) else link for link in links
                                    if not isinstance(link, Mapping) or link.get("link_type") == "associated"]}
    return {}
