"""The simulated store's fixed layout: websites, store groups and views, MSI sources and stocks, customer groups.

Price scope is the website (Catalog > Price > Catalog Price Scope = Website): the two websites have different
base currencies (USD, EUR), which Magento allows only with a website price scope.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Website:
    id: int
    code: str
    name: str
    default_group_id: int


@dataclass(frozen=True)
class StoreGroup:
    id: int
    code: str
    name: str
    website_id: int
    root_category_id: int
    default_store_id: int


@dataclass(frozen=True)
class StoreView:
    id: int
    code: str
    name: str
    website_id: int
    group_id: int
    is_active: int
    locale: str
    base_currency: str
    display_currency: str
    timezone: str
    weight_unit: str
    language: str  # which of the catalog's translations this view shows ("" = default values)


WEBSITES = (Website(0, "admin", "Admin", 0), Website(1, "base", "Main Website", 1), Website(2, "eu", "EU Website", 2))
GROUPS = (StoreGroup(0, "default", "Default", 0, 0, 0),
          StoreGroup(1, "main_website_store", "Main Website Store", 1, 2, 1),
          StoreGroup(2, "eu_store", "EU Store", 2, 2, 3))
STORES = (
    StoreView(0, "admin", "Admin", 0, 0, 1, "en_US", "USD", "USD", "UTC", "lbs", ""),
    StoreView(1, "default", "Default Store View", 1, 1, 1, "en_US", "USD", "USD", "America/Chicago", "lbs", ""),
    StoreView(2, "french", "French Store View", 1, 1, 1, "fr_FR", "USD", "EUR", "Europe/Paris", "lbs", "fr"),
    StoreView(3, "german", "German Store View", 2, 2, 1, "de_DE", "EUR", "EUR", "Europe/Berlin", "kgs", "de"),
    StoreView(4, "dutch", "Dutch Store View", 2, 2, 0, "nl_NL", "EUR", "EUR", "Europe/Amsterdam", "kgs", ""),
)
STORE_BY_CODE = {s.code: s for s in STORES}
STORE_BY_ID = {s.id: s for s in STORES}
ADMIN_STORE = STORE_BY_CODE["admin"]
ALL_STORES_CODE = "all"  # /rest/all/V1/...: the global (admin) scope
BASE_URL = "http://magento.test/"

WEBSITE_BITS = {1: 1, 2: 2}  # website id → bit in a product's website mask


@dataclass(frozen=True)
class Source:
    code: str
    name: str
    country: str
    stock_id: int
    priority: int  # in its stock's source links
    website_id: int  # the website whose products the generated catalog stocks here


@dataclass(frozen=True)
class Stock:
    id: int
    name: str
    website_codes: tuple[str, ...]


# Two stocks, two sources each (the default source belongs to the default stock, as Magento requires).
SOURCES = (Source("default", "Default Source", "US", 1, 1, 1),
           Source("us_west", "US West Warehouse", "US", 1, 2, 1),
           Source("eu_warehouse", "EU Warehouse", "DE", 2, 1, 2),
           Source("eu_pickup", "Berlin Store Pickup", "DE", 2, 2, 2))
STOCKS = (Stock(1, "Default Stock", ("base",)), Stock(2, "EU Stock", ("eu",)))
STOCK_OF_WEBSITE = {code: stock.id for stock in STOCKS for code in stock.website_codes}
STOCK_OF_WEBSITE_ID = {1: 1, 2: 2}
SOURCES_OF_STOCK = {stock.id: tuple(s.code for s in SOURCES if s.stock_id == stock.id) for stock in STOCKS}


@dataclass(frozen=True)
class CustomerGroup:
    id: int
    code: str
    tax_class_id: int = 3
    tax_class_name: str = "Retail Customer"


CUSTOMER_GROUPS = (CustomerGroup(0, "NOT LOGGED IN"), CustomerGroup(1, "General"), CustomerGroup(2, "Wholesale"),
                   CustomerGroup(3, "Retailer"))
CUSTOMER_GROUP_BY_ID = {g.id: g for g in CUSTOMER_GROUPS}
ALL_GROUPS_ID = 32000  # GroupManagement::CUST_GROUP_ALL, as product tier_prices name "all groups"
ALL_GROUPS_CODE = "all groups"  # as the bulk tier price API names it


def group_by_code(code: str) -> CustomerGroup | None:
    return next((g for g in CUSTOMER_GROUPS if g.code.lower() == code.lower()), None)


def store_ids_of_website(website_id: int) -> tuple[int, ...]:
    """Every store view of a website, active or not (a website-scope value is written to each)."""
    return tuple(s.id for s in STORES if s.website_id == website_id and s.id)


def website_of_store(store_id: int) -> int:
    return STORE_BY_ID[store_id].website_id if store_id in STORE_BY_ID else 0
