"""The words a client picks from, defined once: ``GET /api/meta`` answers them, the OpenAPI document's enums are
made of them, the products search accepts them, and the dashboard's filters read them from the API."""
from __future__ import annotations

from .batches import ITEM_STATUSES
from .feeds import FEEDS
from .runs import FORCE_MODES, MODES, STATUS_LABELS, TRIGGERS

# Magento's product types (Adobe Commerce's giftcard included); a catalog may add its own.
PRODUCT_TYPES = ("simple", "configurable", "virtual", "bundle", "grouped", "downloadable", "giftcard")
NOT_VISIBLE = "Not Visible Individually"
VISIBILITIES = (NOT_VISIBLE, "Catalog", "Search", "Catalog, Search")
PRODUCT_SORTS = ("last_exported", "last_modified", "name", "sku")
SORT_ORDERS = ("asc", "desc")
# The alerts the dashboard shows (services/alerts.py), errors first.
RUN_FAILED, NO_RECENT_SUCCESS, DEAD_LETTER, FRESHNESS = "run_failed", "no_recent_success", "dead_letter", "freshness"
ALERT_CODES = (RUN_FAILED, NO_RECENT_SUCCESS, DEAD_LETTER, FRESHNESS)
ALERT_SEVERITIES = ("error", "warning")
# What a setup is made of (settings.py reads them; GET /api/settings shows them).
SOURCES = ("magento", "sample")
MAGENTO_AUTH_MODES = ("token", "oauth1")
DESTINATIONS = ("http", "s3-hub", "none")


def vocabulary() -> dict[str, list[str]]:
    """Each list by name, in the order a person reads them."""
    return {"feeds": list(FEEDS), "item_statuses": list(ITEM_STATUSES), "product_types": list(PRODUCT_TYPES),
            "visibilities": list(VISIBILITIES), "product_sorts": list(PRODUCT_SORTS),
            "sort_orders": list(SORT_ORDERS), "run_statuses": list(STATUS_LABELS.values()),
            "triggers": list(TRIGGERS), "modes": list(MODES), "force_modes": list(FORCE_MODES)}
