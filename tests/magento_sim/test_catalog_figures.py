"""The default catalog (`make run`: 2,000 products, seed 42) holds what local_stack/magento/README.md says."""
from __future__ import annotations

from local_stack.magento import MagentoSimulator

README_FIGURES = {
    "products": 2000,
    "types": {"simple": 1585, "configurable": 170, "virtual": 71, "downloadable": 73, "bundle": 49, "grouped": 52},
    "configurable_children": 596, "bundle_options": 147, "optional_bundle_options": 29, "bundle_selections": 274,
    "fixed_price_bundles": 20, "grouped_links": 154, "manage_stock_off": 112, "special_prices": 222,
    "tier_price_products": 284, "tier_prices": 795, "eu_prices": 361, "categories": 34}


def test_the_default_catalog_matches_the_readme():
    assert MagentoSimulator(2000, seed=42).summary() == README_FIGURES
