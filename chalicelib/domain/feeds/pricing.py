"""Magento's price rules, as the prices feed and the dashboard need them: when a special price applies, what a
shopper pays for one unit, how Adobe names a customer group and a product type. Pure."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SPECIAL_PRICE = "special_price"  # the discount's code, as Adobe's exporter names it
FIXED, DISCOUNT = "fixed", "discount"  # Magento's tier price types: a price, or a percentage off
NOT_LOGGED_IN = 0  # the customer group of every shopper who has not signed in (Magento's group id 0)
# Adobe's ProductPriceV2.type: Magento's type in capitals, a bundle by its price type; others count as SIMPLE.
_PRICE_TYPES = {"simple": "SIMPLE", "configurable": "CONFIGURABLE", "downloadable": "DOWNLOADABLE",
                "grouped": "GROUPED", "bundle": "BUNDLE", "giftcard": "GIFTCARD"}
_DAY = timedelta(days=1)


def customer_group_code(group_id: int) -> str:
    """Adobe's customerGroupCode: sha1 of the group's id (what Catalog Service's Magento-Customer-Group header
    carries for a shopper of that group)."""
    return hashlib.sha1(str(group_id).encode()).hexdigest()


def price_type(magento_type: object, fixed_price_bundle: bool | None = None) -> str:
    """Adobe's type of a price item (a bundle: BUNDLE_FIXED or BUNDLE_DYNAMIC; virtual and unknown: SIMPLE)."""
    if magento_type == "bundle" and fixed_price_bundle is not None:
        return "BUNDLE_FIXED" if fixed_price_bundle else "BUNDLE_DYNAMIC"
    return _PRICE_TYPES.get(str(magento_type), "SIMPLE")


def time_zone(name: object) -> tuple[tzinfo, str | None]:
    """A website's time zone (Magento's ``general/locale/timezone``, e.g. 'Europe/Paris') and None; UTC and why
    for a missing or unknown zone (never an error: the windows are then judged in UTC)."""
    if not isinstance(name, str) or not name.strip():
        return UTC, "Magento gave no time zone: special price windows are judged in UTC"
    try:
        return ZoneInfo(name.strip()), None
    except (ZoneInfoNotFoundError, ValueError):
        return UTC, f"the time zone {name!r} is unknown: special price windows are judged in UTC"


def magento_date(text: str | None, zone: tzinfo = UTC) -> datetime | None:
    """'2026-11-22 00:00:00' (Magento's date, a wall time in the website's ``zone``) → an aware datetime; None for
    None or ''.

    Raises ValueError for anything else."""
    if not text:
        return None
    return datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)


@dataclass(frozen=True)
class Window:
    """When a special price applies: from its start (inclusive) through the whole day of its end, both judged in
    the website's time zone (Magento's ``Timezone::isScopeDateInInterval`` compares the scope's local date and adds
    a day to the end date). None: open on that side. The instants are aware: they compare with any aware moment."""

    start: datetime | None = None
    end: datetime | None = None  # the end date as stored (local midnight of its last day)

    @classmethod
    def of(cls, price_from: str | None, price_to: str | None, zone: tzinfo = UTC) -> Window:
        """The window of Magento's dates, read as local wall times in the website's ``zone``."""
        return cls(magento_date(price_from, zone), magento_date(price_to, zone))

    @property
    def closes_at(self) -> datetime | None:
        """Local midnight after the last day (wall-clock arithmetic: a 23- or 25-hour day keeps its midnight)."""
        return None if self.end is None else self.end + _DAY

    def is_open(self, at: datetime) -> bool:
        return (self.start is None or at >= self.start) and (self.closes_at is None or at <= self.closes_at)

    def boundaries(self) -> list[datetime]:
        """When the window opens and closes: the moments what a shopper pays may change on its own."""
        return [moment for moment in (self.start, self.closes_at) if moment is not None]

    def crossed(self, after: datetime, until: datetime) -> bool:
        """Whether the window opened or closed in (after, until]."""
        return any(after < moment <= until for moment in self.boundaries())


@dataclass(frozen=True)
class Tier:
    """A quantity price: a fixed price, or (``discount``) a percentage off the regular price."""

    qty: float
    value: float
    discount: bool = False

    def unit_price(self, regular: float) -> float:
        return regular * (100 - self.value) / 100 if self.discount else self.value


def tier_of(price_type_: str) -> bool:
    """Whether a Magento tier price type is a discount (a percentage); raises ValueError for an unknown type."""
    if price_type_ not in (FIXED, DISCOUNT):
        raise ValueError(f"price_type is neither {FIXED!r} nor {DISCOUNT!r}: {price_type_!r}")
    return price_type_ == DISCOUNT


def unit_price(regular: float, special: float | None, special_is_percentage: bool,
               tiers: Sequence[Tier] = ()) -> float:
    """What a shopper pays for one unit: the lowest of the regular price, the special price (open at the time
    asked: the caller passes None otherwise; a bundle's is a percentage of its price) and the tier prices from a
    quantity of 1 (Magento's final price)."""
    candidates = [regular]
    if special is not None:
        candidates.append(regular * special / 100 if special_is_percentage else special)
    candidates += [tier.unit_price(regular) for tier in tiers if tier.qty <= 1]
    return round(min(candidates), 4)


def lowest(prices: Iterable[float | None]) -> float | None:
    """The lowest known price (a configurable's "from" price over its children), None when none is known."""
    known = [price for price in prices if price is not None]
    return min(known) if known else None
