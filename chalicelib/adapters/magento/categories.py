"""Magento's category tree as one store view shows it: the categories feed's records, and the category data of
a product (Adobe's rules, from commerce-data-export's CatalogDataExporter). Pure: no HTTP here."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .mapping import custom_attributes, magento_time

ANCHOR_OFFSET = 10_000  # Magento's category index: a product reached through an anchor category is placed after
LISTED_VISIBILITY = frozenset({2, 3, 4})  # catalog, search, both: the category index leaves the others out
ENABLED = 1


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true")


def _attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return custom_attributes(item)
    except ValueError:  # a malformed item: its record fails in the builder, the tree is still read
        return {}


@dataclass(frozen=True)
class Category:
    id: int
    path: tuple[int, ...]  # ids from the tree's root to the category itself
    url_key: str | None
    is_anchor: bool
    is_active: bool
    include_in_menu: bool
    item: Mapping[str, Any]  # the REST answer's item

    @property
    def level(self) -> int:
        return len(self.path) - 1


class CategoryTree:
    """The categories of one store view (the items of ``/rest/<view>/V1/categories/list``) under its root."""

    def __init__(self, items: Iterable[Mapping[str, Any]], root_id: int | None):
        self.root_id = root_id
        self.by_id: dict[int, Category] = {}
        for item in items:
            category_id = _int(item.get("id"))
            if category_id is None:
                continue
            path = tuple(i for i in (_int(part) for part in str(item.get("path") or category_id).split("/"))
                         if i is not None)
            attributes = _attributes(item)
            url_key = attributes.get("url_key")
            self.by_id[category_id] = Category(
                category_id, path, url_key if isinstance(url_key, str) and url_key else None,
                _flag(attributes.get("is_anchor")), _flag(item.get("is_active")), _flag(item.get("include_in_menu")),
                item)

    def in_store(self, category: Category) -> bool:
        """Under the store view's root (its root included); the tree's own root (Root Catalog) is in no store."""
        return len(category.path) > 1 and (self.root_id is None or category.path[1] == self.root_id)

    def url_path(self, category: Category) -> str:
        """URL keys from below the store's root down to the category, as Adobe's CategoryUrlPathBuilder builds it:
        the first two ids of the path (the tree's root and the store's root) are skipped, and so is any id
        without a URL key in this view. The store's root itself has an empty path."""
        keys = (self.by_id[i].url_key if i in self.by_id else None for i in category.path[2:])
        return "/".join(key for key in keys if key)

    def product_categories(self, links: Iterable[tuple[int, int | None]], listed: bool) -> list[dict[str, Any]]:
        """A product's ``categoryData`` from its category links, as Adobe exports it from Magento's category index:
        only an enabled product visible in catalog or search has any; its own categories under the store's root
        and every anchor category above them (placed after, position + 10000), never the roots (level 1 and 0);
        ``categoryPath`` is the category's URL path in this view, and a category without one is left out."""
        if not listed:
            return []
        positions: dict[int, int | None] = {}
        anchored: dict[int, int] = {}
        for category_id, position in links:
            category = self.by_id.get(category_id)
            if category is None or not self.in_store(category):
                continue
            positions[category_id] = position
            for ancestor_id in category.path[2:-1]:
                ancestor = self.by_id.get(ancestor_id)
                if ancestor is not None and ancestor.is_anchor:
                    placed = (position or 0) + ANCHOR_OFFSET
                    anchored[ancestor_id] = min(placed, anchored.get(ancestor_id, placed))
        for category_id, position in anchored.items():
            positions.setdefault(category_id, position)  # a product's own link wins over an anchor's
        result = []
        for category_id in sorted(positions):
            category = self.by_id[category_id]
            path = self.url_path(category)
            if category.level > 1 and path:
                result.append({"categoryId": str(category_id), "categoryPath": path,
                               "productPosition": positions[category_id]})
        return result

    def records(self, store_view_code: str, media_url: str) -> list[dict[str, Any]]:
        """The categories feed's records: every category under the store's root, its root included."""
        return [self._record(category, store_view_code, media_url)
                for category_id, category in sorted(self.by_id.items()) if self.in_store(category)]

    def _record(self, category: Category, store_view_code: str, media_url: str) -> dict[str, Any]:
        item = category.item
        attributes = _attributes(item)
        is_active, in_menu = category.is_active, category.include_in_menu
        if category.level > 2:  # Adobe's AncestorStatusProvider: the first-level category under the root decides
            top = self.by_id.get(category.path[2])
            if top is not None:
                is_active, in_menu = is_active and top.is_active, in_menu and top.include_in_menu
        children = [i for i in (_int(part) for part in str(item.get("children") or "").split(",")) if i is not None]
        sort_by = item.get("available_sort_by") or attributes.get("available_sort_by") or []
        if isinstance(sort_by, str):
            sort_by = [part for part in sort_by.split(",") if part]
        return {
            "store_view_code": store_view_code, "category_id": item.get("id"), "name": item.get("name"),
            "description": attributes.get("description"), "meta_title": attributes.get("meta_title"),
            "meta_keywords": attributes.get("meta_keywords"), "meta_description": attributes.get("meta_description"),
            "display_mode": attributes.get("display_mode"), "url_key": category.url_key,
            "url_path": self.url_path(category), "image": category_image(attributes.get("image"), media_url),
            "level": item.get("level", category.level), "path": item.get("path"), "parent_id": item.get("parent_id"),
            "children": children, "position": item.get("position"),
            "default_sort_by": attributes.get("default_sort_by"), "available_sort_by": list(sort_by),
            "is_anchor": category.is_anchor, "include_in_menu": in_menu, "is_active": is_active,
            "created_at": magento_time(item.get("created_at")), "updated_at": magento_time(item.get("updated_at")),
        }


def category_image(value: Any, media_url: str) -> str | None:
    """A category image as a URL (Adobe's Category\\Image): a bare file name lives in catalog/category under the
    store's media URL; a path under /media/ is made absolute; anything else is kept."""
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("/media/"):
        return media_url.rstrip("/") + "/" + value[len("/media/"):]
    if not value.startswith("/") and "://" not in value:
        return media_url.rstrip("/") + "/catalog/category/" + value.rsplit("/", 1)[-1]
    return value
