"""Admin edits of special and tier prices, checked as Magento's price storages check them.

An admin product save stamps ``updated_at`` (``touch=True``, the default); Magento's bulk APIs
(POST /V1/products/special-price, /V1/products/tier-prices) write the price tables without saving the product,
so they do not (``touch=False``). A special price window that opens or closes changes nothing at all.
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from . import layout
from .catalog import BUNDLE
from .edits import CatalogEdits
from .model import SpecialPrice, TierPrice
from .prices import DISCOUNT, FIXED, PRICED_TYPES


def _date(value: str | None, label: str) -> str | None:
    """A 'YYYY-MM-DD HH:MM:SS' date (Magento rejects any other spelling), or None."""
    if value is None:
        return None
    try:
        if time.strftime("%Y-%m-%d %H:%M:%S", time.strptime(value, "%Y-%m-%d %H:%M:%S")) == value:
            return value
    except (TypeError, ValueError):
        pass
    raise ValueError(f"{label} is not a 'YYYY-MM-DD HH:MM:SS' date: {value!r}")


class PriceEdits(CatalogEdits):
    def _priced_row(self, sku: str) -> int:
        row = self._row(sku)
        if self.catalog.type[row] not in PRICED_TYPES:
            raise ValueError(f"{sku!r} is not a simple, virtual, downloadable or bundle product: Magento's price "
                             "API does not price it")
        return row

    def _store_ids(self, store: str | None) -> tuple[int, ...]:
        """Store 0, or every store view of ``store``'s website (the price scope is the website)."""
        return (0,) if store is None else layout.store_ids_of_website(self._store(store).website_id)

    def set_special_price(self, sku: str, price: float, price_from: str | None = None, price_to: str | None = None,
                          store: str | None = None, touch: bool = True) -> None:
        """A special price (a bundle's: a percentage of its price) with its window; dates 'YYYY-MM-DD HH:MM:SS',
        None for an open start or end. Without ``store`` the default value, else the store's website's."""
        start, end = _date(price_from, "price_from"), _date(price_to, "price_to")
        if not isinstance(price, (int, float)) or price < 0:
            raise ValueError(f"the special price is a number ≥ 0, not {price!r}")
        with self.catalog.lock:
            row = self._priced_row(sku)
            if self.catalog.type[row] == BUNDLE and price > 100:
                raise ValueError("a bundle's special price is a percentage (at most 100)")
            special = self.catalog.special.setdefault(self.catalog.entity_id[row], SpecialPrice())
            for store_id in self._store_ids(store):
                special.price[store_id] = round(price * 100)
                for dates, value in ((special.price_from, start), (special.price_to, end)):
                    if value is None:
                        dates.pop(store_id, None)
                    else:
                        dates[store_id] = value
            self._touch(row, touch)

    def clear_special_price(self, sku: str, store: str | None = None, touch: bool = True) -> None:
        """Remove the special price (and its dates) everywhere, or in ``store``'s website."""
        with self.catalog.lock:
            row = self._priced_row(sku)
            entity_id = self.catalog.entity_id[row]
            special = self.catalog.special.get(entity_id)
            if special is not None:
                for store_id in (set(special.price) if store is None else self._store_ids(store)):
                    for values in (special.price, special.price_from, special.price_to):
                        values.pop(store_id, None)
                if not special.price:
                    del self.catalog.special[entity_id]
            self._touch(row, touch)

    def set_tier_prices(self, sku: str, tiers: Iterable[Mapping[str, Any]], touch: bool = True) -> None:
        """Replace a product's tier prices. Each as the bulk API writes one: ``{"price", "price_type": "fixed" |
        "discount", "website_id", "customer_group": code | "all groups", "quantity"}``."""
        with self.catalog.lock:
            row = self._priced_row(sku)
            bundle = self.catalog.type[row] == BUNDLE
            result: list[TierPrice] = []
            for tier in tiers:
                parsed = _tier(tier, bundle)
                if any((t.website_id, t.group_id, t.qty) == (parsed.website_id, parsed.group_id, parsed.qty)
                       for t in result):
                    raise ValueError("We found a duplicate website, tier price, customer group and quantity: "
                                     f"{dict(tier)}")
                result.append(parsed)
            entity_id = self.catalog.entity_id[row]
            if result:
                self.catalog.tier_prices[entity_id] = result
            else:
                self.catalog.tier_prices.pop(entity_id, None)
            self._touch(row, touch)


def _tier(tier: Mapping[str, Any], bundle: bool) -> TierPrice:
    price, kind, qty = tier.get("price"), tier.get("price_type"), tier.get("quantity")
    website_id, group = tier.get("website_id", 0), str(tier.get("customer_group", ""))
    if kind not in (FIXED, DISCOUNT) or (bundle and kind != DISCOUNT):
        raise ValueError(f"Invalid attribute Price Type = {kind!r} (a bundle takes discounts only)")
    if not isinstance(price, (int, float)) or price < 0 or (kind == DISCOUNT and price > 100):
        raise ValueError(f"Invalid attribute Price = {price!r}")
    if not isinstance(qty, (int, float)) or qty <= 0:
        raise ValueError(f"Invalid attribute Quantity = {qty!r}")
    if website_id not in (0, *layout.WEBSITE_BITS):
        raise ValueError(f"Invalid attribute Website ID = {website_id!r}")
    if group.lower() == layout.ALL_GROUPS_CODE:
        group_id = None
    else:
        found = layout.group_by_code(group)
        if found is None:
            raise ValueError(f"No such entity with Customer Group = {group!r}")
        group_id = found.id
    if kind == DISCOUNT:
        return TierPrice(int(website_id), group_id, float(qty), percentage=float(price))
    return TierPrice(int(website_id), group_id, float(qty), value=round(price * 100))
