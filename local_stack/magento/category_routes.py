"""Handlers for categories: the list (per store view), the tree, and the products assigned to a category.

``children`` in the list is what Magento's Category::getChildren() answers by default: the ids of the active
direct children, comma-separated. The tree shows inactive categories too, with ``is_active`` false.
"""
from __future__ import annotations

from typing import Any

from . import layout
from .catalog import Catalog, magento_time
from .categories import Category, CategoryTree
from .criteria import search_list
from .details import category_ids
from .errors import MagentoError
from .routes import Call, route

CATEGORIES = "Magento_Catalog::categories"
NO_SUCH_ENTITY = "No such entity with %fieldName = %fieldValue"
CATEGORY_CREATED = "2022-01-01 00:00:00"


def _index(catalog: Catalog) -> dict[int, list[tuple[int, int]]]:
    """category id → [(row, position)] of every product ever assigned to it. Made once (a pass over the
    catalog), and again only when products join the catalog or change categories."""
    def build() -> dict[int, list[tuple[int, int]]]:
        found: dict[int, list[tuple[int, int]]] = {}
        for row in range(len(catalog)):
            for position, category_id in enumerate(category_ids(catalog, row)):
                found.setdefault(category_id, []).append((row, position))
        return found
    index: dict[int, list[tuple[int, int]]] = catalog.memo("category-products", build, catalog.assignments)
    return index


def assigned(catalog: Catalog, category_id: int) -> list[tuple[int, int]]:
    """(row, position) of the live products assigned to the category."""
    deleted = catalog.deleted
    return [(row, position) for row, position in _index(catalog).get(category_id, ()) if not deleted[row]]


def product_counts(catalog: Catalog) -> dict[int, int]:
    def count() -> dict[int, int]:
        return {category_id: len(assigned(catalog, category_id)) for category_id in _index(catalog)}
    counts: dict[int, int] = catalog.memo("category-counts", count)
    return counts


def category_item(tree: CategoryTree, category: Category, store: layout.StoreView) -> dict[str, Any]:
    """An item of GET /V1/categories/list in ``store``'s scope."""
    def value(name: str) -> Any:
        return tree.value(category, name, store)
    path = tree.path(category.id)
    children = tree.children(category.id, active_in=store)
    attributes = [("display_mode", "PRODUCTS"), ("is_anchor", "1"), ("url_key", value("url_key")),
                  ("url_path", tree.url_path(category, store)), ("children_count", str(tree.descendants(category.id)))]
    if len(path) > 2:
        attributes.insert(0, ("description", f"<p>{value('name')}</p>"))
    return {"id": category.id, "parent_id": category.parent_id, "name": value("name"),
            "is_active": value("is_active"), "position": category.position, "level": len(path) - 1,
            "children": ",".join(str(c.id) for c in children), "created_at": CATEGORY_CREATED,
            "updated_at": magento_time(category.updated) if category.updated else CATEGORY_CREATED,
            "path": "/".join(str(p) for p in path), "available_sort_by": [],
            "include_in_menu": value("include_in_menu"),
            "custom_attributes": [{"attribute_code": code, "value": text} for code, text in attributes]}


def _category(tree: CategoryTree, raw: Any) -> Category:
    category = tree.get(raw) if isinstance(raw, int) else None
    if category is None:
        raise MagentoError(404, NO_SUCH_ENTITY, {"fieldName": "id", "fieldValue": raw})
    return category


@route("GetV1CategoriesList", CATEGORIES)
def categories_list(call: Call) -> dict[str, Any]:
    with call.catalog.lock:
        tree = call.catalog.categories
        items = [category_item(tree, c, call.store) for c in tree]
    found, total = search_list(items, call.criteria, call.paging, {"entity_id": lambda item: item["id"]})
    return {"items": found, "search_criteria": call.criteria.echo(), "total_count": total}


@route("GetV1Categories", CATEGORIES)
def category_tree(call: Call) -> dict[str, Any]:
    raw = call.request.query.get("rootCategoryId")
    depth = call.request.query.get("depth")
    group = next((g for g in layout.GROUPS if g.id and g.website_id == call.store.website_id), layout.GROUPS[1])
    with call.catalog.lock:
        tree = call.catalog.categories
        root = _category(tree, group.root_category_id if not raw else int(raw) if raw.isdigit() else raw)
        counts = product_counts(call.catalog)

        def node(category: Category, level: int) -> dict[str, Any]:
            deeper = depth is None or level < int(depth)
            return {"id": category.id, "parent_id": category.parent_id,
                    "name": tree.value(category, "name", call.store),
                    "is_active": tree.value(category, "is_active", call.store), "position": category.position,
                    "level": tree.level(category.id), "product_count": counts.get(category.id, 0),
                    "children_data": [node(c, level + 1) for c in tree.children(category.id)] if deeper else []}
        return node(root, 0)


@route("GetV1CategoriesCategoryIdProducts", CATEGORIES)
def category_products(call: Call) -> list[dict[str, Any]]:
    """The products assigned to the category itself (not to its children), as CategoryLinkManagement answers."""
    with call.catalog.lock:
        category = _category(call.catalog.categories, call.param("categoryId"))
        catalog = call.catalog
        return [{"sku": catalog.sku[row], "position": position, "category_id": str(category.id)}
                for row, position in assigned(catalog, category.id)]
