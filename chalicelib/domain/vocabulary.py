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


def vocabulary() -> dict[str, list[str]]:
    """Each list by name, in the order a person reads them."""
    return {"feeds": list(FEEDS), "item_statuses": list(ITEM_STATUSES), "product_types": list(PRODUCT_TYPES),
            "visibilities": list(VISIBILITIES), "product_sorts": list(PRODUCT_SORTS),
            "sort_orders": list(SORT_ORDERS), "run_statuses": list(STATUS_LABELS.values()),
            "triggers": list(TRIGGERS), "modes": list(MODES), "force_modes": list(FORCE_MODES)}
