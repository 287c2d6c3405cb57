"""The store's layout: active store views, their websites, store groups (root categories) and configs."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...domain.errors import SourceError
from ...domain.feed import StoreView
from .client import MagentoClient
from .paging import GLOBAL


@dataclass(frozen=True)
class View:
    """A store view to sync, with what reading it needs beyond the feeds' StoreView."""

    view: StoreView
    store_id: int
    website_id: int
    root_category_id: int | None
    media_url: str  # the store's media base URL (…/media/)
    timezone: str | None = None  # the view's general/locale/timezone (Magento's storeConfigs ``timezone``)

    @property
    def code(self) -> str:
        return self.view.code

    @property
    def product_media_url(self) -> str:
        return self.media_url + "catalog/product"


def read_views(client: MagentoClient, wanted: Sequence[str]) -> list[View]:
    """The active store views (or those named in ``wanted``, in that order), by id otherwise."""
    views = client.get(GLOBAL, "/V1/store/storeViews")
    groups = {g["id"]: g for g in client.get(GLOBAL, "/V1/store/storeGroups")}
    websites = {w["id"]: w for w in client.get(GLOBAL, "/V1/store/websites")}
    configs = {c["code"]: c for c in client.get(GLOBAL, "/V1/store/storeConfigs")}
    active = {v["code"]: v for v in views if v.get("is_active") and v.get("id") != 0 and v["code"] != "admin"}
    missing = [code for code in wanted if code not in active]
    if missing:
        raise SourceError(f"Magento has no active store view {', '.join(map(repr, missing))}; its active store "
                          f"views are {', '.join(sorted(active)) or 'none'} (check MAGENTO_STORE_VIEWS)")
    chosen = [active[code] for code in wanted] if wanted else sorted(active.values(), key=lambda v: v["id"])
    result = []
    for v in chosen:
        config = configs.get(v["code"], {})
        group = groups.get(v.get("store_group_id"), {})
        website = websites.get(v.get("website_id"), {})
        currency = config.get("base_currency_code") or config.get("default_display_currency_code") or "USD"
        media = config.get("secure_base_media_url") or config.get("base_media_url") or ""
        root = group.get("root_category_id")
        result.append(View(StoreView(v["code"], group.get("code", ""), website.get("code", ""), currency),
                           int(v["id"]), int(v["website_id"]), int(root) if root is not None else None, media,
                           config.get("timezone") or None))
    return result


def by_website(views: Sequence[View]) -> dict[int, list[View]]:
    """The views grouped by website, in order (the views of a website hold the same products and stock)."""
    grouped: dict[int, list[View]] = {}
    for v in views:
        grouped.setdefault(v.website_id, []).append(v)
    return grouped
