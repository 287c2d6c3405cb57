"""Composite products (configurable, bundle, grouped) by Magento's rules: availability from their members, no
quantity of their own, and the parents each member names in the products feed."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

CONFIGURABLE, BUNDLE, GROUPED = "configurable", "bundle", "grouped"
COMPOSITE_TYPES = frozenset({CONFIGURABLE, BUNDLE, GROUPED})


@dataclass(frozen=True)
class BundleOption:
    """One option of a bundle: whether the shopper must choose it, and the SKUs it offers (its selections)."""

    required: bool
    selections: tuple[str, ...]


@dataclass(frozen=True)
class Composite:
    """What a composite's availability depends on: its members (SKUs), and a bundle's options."""

    sku: str
    type: str
    members: tuple[str, ...] = ()  # a configurable's children, a grouped product's associated products
    options: tuple[BundleOption, ...] = ()  # a bundle's

    @property
    def all_members(self) -> tuple[str, ...]:
        if self.type == BUNDLE:
            return tuple(dict.fromkeys(sku for option in self.options for sku in option.selections))
        return self.members


def is_composite(product_type: object) -> bool:
    return product_type in COMPOSITE_TYPES


def composite_salable(composite: Composite, salable: Callable[[str], bool]) -> bool:
    """Magento's rule (MSI's stock index, and the storefront): a configurable or grouped product is salable when
    any of its members is; a bundle when every required option has at least one salable selection (a bundle
    whose options are all optional: when any selection is). ``salable`` answers for one member SKU."""
    if composite.type == BUNDLE:
        required = [option for option in composite.options if option.required]
        if required:
            return all(any(salable(sku) for sku in option.selections) for option in required)
        return any(salable(sku) for option in composite.options for sku in option.selections)
    return any(salable(sku) for sku in composite.members)


@dataclass(frozen=True, slots=True)
class ParentLink:
    """A composite that holds a product: the products feed's ``parents`` item, and the websites it is in."""

    sku: str
    type: str
    websites: frozenset[int] = frozenset()


def parents_in_website(links: Iterable[ParentLink], website_id: int) -> list[dict[str, str]]:
    """The ``parents`` of a product in a store view of ``website_id``: the composites holding it that are in
    the same website (Adobe's ParentProductDataExporter joins both on the website), each once, sorted by type
    then SKU (as Adobe's exporter sorts its output)."""
    found = {(link.type, link.sku) for link in links if not link.websites or website_id in link.websites}
    return [{"sku": sku, "productType": kind} for kind, sku in sorted(found)]


def member_skus(composites: Sequence[Composite]) -> list[str]:
    """Every member SKU of these composites, each once, in order."""
    return list(dict.fromkeys(sku for composite in composites for sku in composite.all_members))
