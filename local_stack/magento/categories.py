"""The category tree: Luma-like, four levels under the root catalog, with store-view names, URL keys and flags.

Each catalog holds its own ``CategoryTree`` (edits change it). ``path``, ``level`` and ``url_path`` are derived
from the parents, so moving a category or changing a URL key carries to its subtree as Magento's save does.
Store-scoped values (name, url_key, is_active, include_in_menu) resolve store view → translation → default.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from . import layout

ROOT_ID, DEFAULT_ROOT_ID = 1, 2
STORE_FIELDS = ("name", "url_key", "is_active", "include_in_menu")
SUFFIXES = {"-women": {"fr": "-femmes", "de": "-damen"}, "-men": {"fr": "-hommes", "de": "-herren"}}


@dataclass
class Category:
    id: int
    parent_id: int
    position: int
    name: str
    url_key: str
    fr: str = ""
    de: str = ""
    is_active: bool = True
    include_in_menu: bool = True
    updated: int = 0  # epoch; 0 = never edited (created_at)
    store_values: dict[int, dict[str, Any]] = field(default_factory=dict)  # store id → overridden fields


def _c(cid: int, parent: int, position: int, names: str, url_key: str, active: bool = True,
       menu: bool = True) -> Category:
    en, fr, de = ([*names.split("|"), "", ""])[:3]
    return Category(cid, parent, position, en, url_key, fr, de, active, menu)


DEFAULT_TREE = (
    _c(1, 0, 0, "Root Catalog", "root-catalog"), _c(2, 1, 1, "Default Category", "default-category"),
    _c(3, 2, 1, "Women|Femmes|Damen", "women"),
    _c(4, 3, 1, "Tops|Hauts|Oberteile", "tops-women"),
    _c(5, 4, 1, "Jackets|Vestes|Jacken", "jackets-women"),
    _c(6, 4, 2, "Hoodies & Sweatshirts|Sweats|Kapuzenpullover", "hoodies-and-sweatshirts-women"),
    _c(7, 4, 3, "Tees|T-shirts|T-Shirts", "tees-women"), _c(8, 4, 4, "Bras & Tanks|Brassières|Tanktops", "tanks-women"),
    _c(9, 3, 2, "Bottoms|Bas|Hosen", "bottoms-women"), _c(10, 9, 1, "Pants|Pantalons|Lange Hosen", "pants-women"),
    _c(11, 9, 2, "Shorts|Shorts|Shorts", "shorts-women"),
    _c(12, 2, 2, "Men|Hommes|Herren", "men"), _c(13, 12, 1, "Tops|Hauts|Oberteile", "tops-men"),
    _c(14, 13, 1, "Jackets|Vestes|Jacken", "jackets-men"),
    _c(15, 13, 2, "Hoodies & Sweatshirts|Sweats|Kapuzenpullover", "hoodies-and-sweatshirts-men"),
    _c(16, 13, 3, "Tees|T-shirts|T-Shirts", "tees-men"), _c(17, 13, 4, "Tanks|Débardeurs|Tanktops", "tanks-men"),
    _c(18, 12, 2, "Bottoms|Bas|Hosen", "bottoms-men"), _c(19, 18, 1, "Pants|Pantalons|Lange Hosen", "pants-men"),
    _c(20, 18, 2, "Shorts|Shorts|Shorts", "shorts-men"),
    _c(21, 2, 3, "Gear|Équipement|Ausrüstung", "gear"), _c(22, 21, 1, "Bags|Sacs|Taschen", "bags"),
    _c(23, 21, 2, "Fitness Equipment|Fitness|Fitnessgeräte", "fitness-equipment"),
    _c(24, 23, 1, "Yoga Mats|Tapis de yoga|Yogamatten", "yoga-mats"),
    _c(25, 23, 2, "Weights|Poids|Gewichte", "weights"), _c(26, 21, 3, "Watches|Montres|Uhren", "watches"),
    _c(27, 2, 4, "Training|Entraînement|Training", "training"),
    _c(28, 27, 1, "Video Download|Vidéos|Video-Download", "training-video"),
    _c(29, 2, 5, "Sale|Soldes|Sale", "sale"),
    _c(30, 2, 6, "Collections|Collections|Kollektionen", "collections", menu=False),
    _c(31, 30, 1, "Eco Friendly|Écologique|Umweltfreundlich", "eco-friendly", menu=False),
    _c(32, 30, 2, "Performance Fabrics|Tissus techniques|Funktionsstoffe", "performance-fabrics", menu=False),
    _c(33, 2, 7, "Promotions|Promotions|Aktionen", "promotions", active=False),
    _c(34, 33, 1, "Summer Sale|Soldes d'été|Sommerschlussverkauf", "summer-sale", active=False),
)
# Leaf categories a product of an attribute set lands in (tops and bottoms by gender, gear by kind).
SET_CATEGORIES = {4: (22, 24, 25, 26), 9: (5, 6, 7, 8, 14, 15, 16, 17), 10: (10, 11, 19, 20), 11: (22, 24, 25, 26),
                  12: (28,)}
SALE, ECO_FRIENDLY, PERFORMANCE = 29, 31, 32


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", "and")).strip("-")


class CategoryTree:
    """The categories of one catalog; callers hold the catalog's lock."""

    def __init__(self) -> None:
        self.by_id: dict[int, Category] = {c.id: copy.deepcopy(c) for c in DEFAULT_TREE}

    def __iter__(self):
        return iter(sorted(self.by_id.values(), key=lambda c: c.id))

    def get(self, category_id: int) -> Category | None:
        return self.by_id.get(category_id)

    def path(self, category_id: int) -> list[int]:
        ids: list[int] = []
        current = self.by_id.get(category_id)
        while current is not None:
            ids.append(current.id)
            current = self.by_id.get(current.parent_id)
        return ids[::-1]

    def level(self, category_id: int) -> int:
        return len(self.path(category_id)) - 1

    def children(self, category_id: int, active_in: layout.StoreView | None = None) -> list[Category]:
        """Direct children in id order (only the ones active in ``active_in`` when given)."""
        found = [c for c in self if c.parent_id == category_id]
        return [c for c in found if self.value(c, "is_active", active_in)] if active_in else found

    def descendants(self, category_id: int) -> int:
        return sum(1 + self.descendants(c.id) for c in self.children(category_id))

    def value(self, category: Category, name: str, store: layout.StoreView | None) -> Any:
        """A store-scoped field as ``store`` shows it."""
        if store is not None and name in category.store_values.get(store.id, {}):
            return category.store_values[store.id][name]
        language = store.language if store is not None else ""
        if name == "name" and language:
            return getattr(category, language) or category.name
        if name == "url_key" and language and getattr(category, language):
            suffix = next((s for s in SUFFIXES if category.url_key.endswith(s)), "")
            return slug(getattr(category, language)) + (SUFFIXES[suffix][language] if suffix else "")
        return getattr(category, name)

    def url_path(self, category: Category, store: layout.StoreView | None) -> str:
        """URL keys from the first level under a root down to the category, as Magento stores url_path."""
        keys = [self.value(self.by_id[i], "url_key", store) for i in self.path(category.id) if self.level(i) >= 2]
        return "/".join(keys)

    def update(self, category_id: int, store: layout.StoreView | None, changes: dict[str, Any], now: int) -> None:
        category = self.by_id.get(category_id)
        if category is None or category_id == ROOT_ID:
            raise KeyError(f"no category {category_id} that can be edited")
        unknown = set(changes) - {*STORE_FIELDS, "parent_id", "position"}
        if unknown:
            raise ValueError(f"unknown category fields: {', '.join(sorted(unknown))}")
        if store is not None and set(changes) - set(STORE_FIELDS):
            raise ValueError("parent_id and position are global: edit them without a store")
        if "parent_id" in changes:
            parent = int(changes["parent_id"])
            if parent not in self.by_id or category_id in self.path(parent):
                raise ValueError(f"category {category_id} cannot move under {parent}")
        for name in ("is_active", "include_in_menu"):
            if name in changes and not isinstance(changes[name], bool):
                raise ValueError(f"{name} is true or false")
        for name in ("name", "url_key"):
            if name in changes and not (isinstance(changes[name], str) and changes[name].strip()):
                raise ValueError(f"{name} is a non-empty string")
        if store is None:
            for name, value in changes.items():
                setattr(category, name, int(value) if name in ("parent_id", "position") else value)
        else:
            category.store_values.setdefault(store.id, {}).update(changes)
        category.updated = now
