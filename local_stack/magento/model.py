"""The records the catalog keeps beside its columns: composites' structure and prices (money in hundredths)."""
from __future__ import annotations

from dataclasses import dataclass, field

BUNDLE_OPTION_TYPES = ("select", "radio", "checkbox", "multi")
PRODUCT_LINK_TYPES = {"related": 1, "associated": 3, "upsell": 4, "crosssell": 5}  # Magento's link type ids


@dataclass
class Selection:
    """One product a bundle option offers, in a quantity."""

    selection_id: int
    product_id: int  # entity id of a simple or virtual product
    qty: float
    is_default: bool
    can_change_qty: int  # 0/1: the shopper may change the quantity (radio and select options only)
    position: int
    price: int = 0  # fixed-price bundles: the selection's price (hundredths), or its percent × 100
    price_type: int = 0  # fixed-price bundles: 0 fixed, 1 percent


@dataclass
class BundleOption:
    option_id: int
    title: str
    required: bool
    type: str  # one of BUNDLE_OPTION_TYPES
    position: int
    selections: list[Selection] = field(default_factory=list)


@dataclass
class Bundle:
    fixed_price: bool  # price_type 1 (fixed) or 0 (dynamic: the selections' prices add up)
    options: list[BundleOption] = field(default_factory=list)


@dataclass(frozen=True)
class GroupedLink:
    """A grouped product's member and its default quantity (product_links[].extension_attributes.qty)."""

    product_id: int
    qty: float
    position: int


@dataclass(frozen=True)
class TierPrice:
    """A quantity price: a fixed price (``value``) or a discount in percent (``percentage``)."""

    website_id: int  # 0 = all websites
    group_id: int | None  # None = all groups
    qty: float
    value: int | None = None  # hundredths
    percentage: float | None = None


@dataclass
class SpecialPrice:
    """special_price, special_from_date and special_to_date as Magento stores them: one value per store id.

    A bundle's special price is a percentage of its regular price (× 100 here, like money)."""

    price: dict[int, int] = field(default_factory=dict)  # store id (0 = default) → hundredths
    price_from: dict[int, str] = field(default_factory=dict)  # store id → 'YYYY-MM-DD HH:MM:SS'
    price_to: dict[int, str] = field(default_factory=dict)
