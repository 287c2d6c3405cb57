"""Generated prices beyond the base price: EU website prices, special prices with date windows, tier prices.

Windows are laid out around ``anchor`` (the simulator's clock when the catalog is made, by day), so that some
are open now, some opened or close in the coming days and some are over, whatever the date. Proportions,
of the products the price API prices (simple, virtual, downloadable, bundle):
- 30 % of those in the EU website have an EU price (website scope: rows for store views 3 and 4);
- 12 % have a special price: 40 % open since 1-60 days without an end, 25 % open with an end in 1-30 days,
  15 % opening in 1-14 days, 10 % over (ended 1-30 days ago), 10 % open without dates; 15 % of these in the EU
  website have a lower EU special price (the dates stay at store 0);
- 15 % have 1-3 tier price sets (below); bundles only take discounts (percentages), as Magento requires.
"""
from __future__ import annotations

import random
import time

from .catalog import BUNDLE, Catalog
from .model import SpecialPrice, TierPrice
from .prices import PRICED_TYPES

DAY = 86400
# (website id, customer group id or None for all groups, [(qty, fixed share of the price | None, discount %)])
Step = tuple[float, float | None, float | None]
TIER_SETS: tuple[tuple[int, int | None, tuple[Step, ...]], ...] = (
    (0, None, ((5, 0.95, None), (10, 0.90, None))),  # ALL GROUPS, every website: volume prices
    (0, 2, ((1, None, 15.0), (20, None, 25.0))),  # Wholesale: discounts
    (1, 3, ((3, 0.97, None),)),  # Retailer, base website
    (2, 1, ((2, None, 5.0),)),  # General, EU website
    (0, 0, ((1, 0.98, None),)),  # NOT LOGGED IN
)


def day_text(epoch: int) -> str:
    return time.strftime("%Y-%m-%d 00:00:00", time.gmtime(epoch))


def generate_prices(catalog: Catalog, rng: random.Random, anchor: int) -> None:
    today = anchor - anchor % DAY
    for row in range(len(catalog)):
        kind = catalog.type[row]
        if kind not in PRICED_TYPES:
            continue
        entity_id = catalog.entity_id[row]
        in_eu = bool(catalog.websites[row] & 2)
        if in_eu and kind != BUNDLE and rng.random() < 0.3:
            catalog.prices[(entity_id, 2)] = _rounded(catalog.price[row] * rng.uniform(0.85, 0.98))
        if rng.random() < 0.12:
            catalog.special[entity_id] = _special(rng, today, catalog.price[row], kind == BUNDLE, in_eu)
        if rng.random() < 0.15:
            catalog.tier_prices[entity_id] = _tiers(rng, catalog.websites[row], catalog.price[row], kind == BUNDLE)


def _rounded(hundredths: float) -> int:
    """A shelf price: whole units, .50 or .99."""
    units = int(hundredths // 100)
    return max(1, units) * 100 + (99 if hundredths % 100 > 60 else 50 if hundredths % 100 > 30 else 0)


def _special(rng: random.Random, today: int, price: int, bundle: bool, in_eu: bool) -> SpecialPrice:
    # A bundle's special price is a percentage of its price.
    value = rng.choice((80, 85, 90, 95)) * 100 if bundle else _rounded(price * rng.uniform(0.6, 0.9))
    special = SpecialPrice({0: value})
    draw = rng.random()
    if draw < 0.40:
        special.price_from[0] = day_text(today - rng.randint(1, 60) * DAY)
    elif draw < 0.65:
        special.price_from[0] = day_text(today - rng.randint(1, 60) * DAY)
        special.price_to[0] = day_text(today + rng.randint(1, 30) * DAY)
    elif draw < 0.80:
        start = today + rng.randint(1, 14) * DAY
        special.price_from[0] = day_text(start)
        if rng.random() < 0.5:
            special.price_to[0] = day_text(start + rng.randint(7, 30) * DAY)
    elif draw < 0.90:
        end = today - rng.randint(1, 30) * DAY
        special.price_from[0] = day_text(end - rng.randint(7, 60) * DAY)
        special.price_to[0] = day_text(end)
    if in_eu and not bundle and rng.random() < 0.15:
        for store_id in (3, 4):
            special.price[store_id] = _rounded(value * 0.95)
    return special


def _tiers(rng: random.Random, websites: int, price: int, bundle: bool) -> list[TierPrice]:
    usable = [t for t in TIER_SETS if t[0] == 0 or websites & t[0]]
    tiers = []
    for website_id, group_id, steps in rng.sample(usable, min(len(usable), rng.randint(1, 3))):
        for qty, share, discount in steps:
            if share is not None and not bundle and price:
                tiers.append(TierPrice(website_id, group_id, qty, value=_rounded(price * share)))
            else:  # a discount (a bundle's fixed tier prices become their discount)
                percent = discount if discount is not None else round((1 - (share or 1)) * 100, 2)
                tiers.append(TierPrice(website_id, group_id, qty, percentage=percent))
    return tiers
