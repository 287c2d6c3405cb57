"""The feeds the service takes (Adobe's six), the fields that identify an item in each, and what makes an item
invalid. The service models Adobe's feeds on its own: it does not read the app's feed definitions."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

PRODUCTS = "products"
# Adobe's feeds and their items' identities (magento/commerce-data-export et_schema.xml; reference NOTES.md).
IDENTITIES: dict[str, tuple[str, ...]] = {
    PRODUCTS: ("sku", "storeViewCode"),
    "productAttributes": ("attributeCode", "storeViewCode"),
    "categories": ("categoryId", "storeViewCode"),
    "variants": ("id",),
    "prices": ("sku", "websiteCode", "customerGroupCode"),
    "inventoryStockStatus": ("stockId", "sku"),
}
Key = tuple[str, ...]  # an item's identity values as text, in its feed's identity order


class UnknownFeedError(LookupError):
    """A feed the service does not take: a 404 on a path, a 400 in a query."""

    def __init__(self, name: str):
        super().__init__(f"no feed {name!r}: the feeds are {', '.join(IDENTITIES)}")


def identity_fields(feed: str) -> tuple[str, ...]:
    try:
        return IDENTITIES[feed]
    except KeyError:
        raise UnknownFeedError(feed) from None


def key_text(value: Any) -> str | None:
    """An identity value as text: a non-blank string as it is, a whole number in decimal; None for anything else
    (a boolean is not a number in JSON)."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def given(feed: str, item: Any) -> dict[str, Any]:
    """The item's identity fields as it gives them (None where it does not): how an error entry names it."""
    fields = identity_fields(feed)
    if not isinstance(item, dict):
        return dict.fromkeys(fields)
    return {name: item.get(name) for name in fields}


def key_of(feed: str, item: Mapping[str, Any]) -> Key:
    """The identity of an item that passed ``problem``."""
    return tuple(key_text(item.get(name)) or "" for name in identity_fields(feed))


def named(feed: str, key: Key) -> dict[str, str]:
    return dict(zip(identity_fields(feed), key, strict=True))


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _number(value: Any) -> bool:
    # bool is an int in Python, not a number in JSON
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _product_problem(item: Mapping[str, Any]) -> str | None:
    if not _text(item.get("name")):
        return "invalid: missing name"
    price = item.get("price")
    if price is not None and not _number(price):  # a null price is allowed: a product without one
        return f"invalid: price is not a number: {price!r}"
    return None


def _price_problem(item: Mapping[str, Any]) -> str | None:
    regular = item.get("regular")
    if regular is not None and not _number(regular):
        return f"invalid: regular is not a number: {regular!r}"
    return None


_CONTENT_CHECKS = {PRODUCTS: _product_problem, "prices": _price_problem}


def problem(feed: str, item: Any) -> str | None:
    """Why the service refuses the item, or None. Every feed needs its identity fields (text, or whole numbers);
    a deletion needs nothing more; products need a name and a numeric price (or null), prices a numeric regular."""
    if not isinstance(item, dict):
        return "the item is not an object"
    for name in identity_fields(feed):
        value = item.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return f"missing {name}"
        if key_text(value) is None:
            return f"invalid: {name} is not text or a whole number: {value!r}"
    if item.get("deleted") is True:
        return None
    check = _CONTENT_CHECKS.get(feed)
    return check(item) if check else None
