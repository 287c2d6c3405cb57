"""Admin edits of composites: a configurable product's children, a bundle option's selections.

Adding or removing a configurable child saves the configurable (its ``updated_at`` moves, the child's does
not), through the admin or ConfigurableProduct's LinkManagement alike. A bundle saved in the admin moves its
``updated_at``; Magento's bundle link API (POST/PUT /V1/bundle-products/...) writes the selection alone and
does not (``touch=False``). The simulator keeps one configurable parent per child.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import attributes, layout
from .catalog import CONFIGURABLE, SIMPLE, VIRTUAL
from .details import details
from .edits import CatalogEdits
from .model import Selection
from .products import LABELS


class CompositeEdits(CatalogEdits):
    def _configurable(self, sku: str) -> tuple[int, list[int]]:
        row = self._row(sku)
        if self.catalog.type[row] != CONFIGURABLE:
            raise ValueError(f"The product with the {sku!r} SKU isn't a configurable product.")
        return row, self.catalog.configurable.setdefault(self.catalog.entity_id[row], [])

    def add_configurable_child(self, parent_sku: str, child_sku: str | None = None, color: int | None = None,
                               size: int | None = None, touch: bool = True) -> str:
        """Attach a simple or virtual product (``child_sku``), or a new simple one, with its color and size
        option ids (an existing product's own values when not given); returns the child's SKU."""
        with self.catalog.lock:
            parent_row, children = self._configurable(parent_sku)
            parent_id = self.catalog.entity_id[parent_row]
            if child_sku is None:
                color, size = self._free_variant(parent_row, children, color, size)
                child_sku = self._new_child(parent_row, color, size)
            row = self._row(child_sku)
            entity_id = self.catalog.entity_id[row]
            if self.catalog.type[row] not in (SIMPLE, VIRTUAL):
                raise ValueError("a configurable product's child is a simple or virtual product")
            if self.catalog.parent[row] and entity_id in self.catalog.configurable.get(self.catalog.parent[row], ()):
                raise ValueError(f"{child_sku!r} is a child of another configurable product already")
            own = dict(details(self.catalog, row).options)
            color = color or self.catalog.variant.get(entity_id, (None, None))[0] or _int(own.get("color"))
            size = size or self.catalog.variant.get(entity_id, (None, None))[1] or _int(own.get("size"))
            if color not in LABELS or size not in LABELS:
                raise ValueError('The child product doesn\'t have the "color" and "size" attribute values.')
            taken = {self.catalog.variant.get(c) for c in children if self.catalog.row_of_id(c) is not None}
            if (color, size) in taken:
                raise ValueError("Products have the same set of attribute values: each child needs its own.")
            if entity_id not in self.catalog.variant:
                self._freeze_name(row)  # a standalone product keeps its name when it becomes a child
            self.catalog.variant[entity_id] = (color, size)
            self.catalog.parent[row] = parent_id
            children.append(entity_id)
            self._touch(parent_row, touch)
            return self.catalog.sku[row]

    def remove_configurable_child(self, parent_sku: str, child_sku: str, touch: bool = True) -> None:
        """Detach a child: it stays a product (not visible individually) with its name and attribute values."""
        with self.catalog.lock:
            parent_row, children = self._configurable(parent_sku)
            row = self._row(child_sku)
            entity_id = self.catalog.entity_id[row]
            if entity_id not in children:
                raise KeyError("The option that was requested doesn't exist. Verify the entity and try again.")
            self._freeze_name(row)
            children.remove(entity_id)
            self.catalog.parent[row] = 0
            self._touch(parent_row, touch)

    def _free_variant(self, parent_row: int, children: list[int], color: int | None,
                      size: int | None) -> tuple[int, int]:
        if color and size:
            return color, size  # (a combination a child has already is refused by the caller)
        taken = {self.catalog.variant[c] for c in children if c in self.catalog.variant}
        sizes = attributes.TOP_SIZES if self.catalog.attribute_set[parent_row] == 9 else attributes.BOTTOM_SIZES
        for c in [color] if color else [o.id for o in attributes.COLOR.options]:
            for s in [size] if size else sizes:
                if (c, s) not in taken:
                    return c, s
        raise ValueError("every color and size is taken by a child already")

    def _new_child(self, parent_row: int, color: int, size: int) -> str:
        catalog = self.catalog
        entity_id = catalog.entity_id[-1] + 1
        websites = catalog.websites[parent_row]
        siblings = catalog.children(catalog.entity_id[parent_row])
        now = self._now()
        sku = f"{catalog.sku[parent_row]}-{LABELS[size]}-{LABELS[color]}"
        if catalog.row_of_sku(sku) is not None:
            sku = f"{sku}-{entity_id}"
        catalog.append(entity_id, sku, SIMPLE, catalog.attribute_set[parent_row], created=now, updated=now,
                       visibility=1, websites=websites, price=catalog.price[siblings[0]] if siblings else 5000,
                       weight=100, quantities={s.code: 100 for s in layout.SOURCES
                                               if websites & layout.WEBSITE_BITS[s.website_id]})
        catalog.variant[entity_id] = (color, size)
        return sku

    def set_bundle_option(self, sku: str, option_id: int, selections: Iterable[Mapping[str, Any]] | None = None,
                          required: bool | None = None, title: str | None = None, touch: bool = True) -> None:
        """Change one option of a bundle: its selections (``[{"sku", "qty", "is_default", "can_change_quantity",
        "price", "price_type"}]``, replacing the old ones), whether it is required, its title."""
        with self.catalog.lock:
            row = self._row(sku)
            bundle = self.catalog.bundles.get(self.catalog.entity_id[row])
            if bundle is None:
                raise ValueError(f"The product with the {sku!r} SKU isn't a bundle product.")
            option = next((o for o in bundle.options if o.option_id == int(option_id)), None)
            if option is None:
                raise KeyError(f'Product with specified sku: "{sku}" does not contain option: "{option_id}"')
            if required is not None and not isinstance(required, bool):
                raise ValueError("required is true or false")
            if title is not None and not (isinstance(title, str) and title.strip()):
                raise ValueError("title is a non-empty string")
            new = None if selections is None else [self._selection(option.selections, n, s)
                                                   for n, s in enumerate(selections, start=1)]
            if new is not None:
                option.selections = new
            if required is not None:
                option.required = required
            if title is not None:
                option.title = title
            self._touch(row, touch)

    def _selection(self, old: list[Selection], position: int, item: Mapping[str, Any]) -> Selection:
        member = self._row(str(item.get("sku", "")))
        if self.catalog.type[member] not in (SIMPLE, VIRTUAL):
            raise ValueError("The bundle product can't contain another composite product.")
        qty = item.get("qty", 1)
        if not isinstance(qty, (int, float)) or qty <= 0:
            raise ValueError(f"a selection's qty is a number > 0, not {qty!r}")
        entity_id = self.catalog.entity_id[member]
        kept = next((s.selection_id for s in old if s.product_id == entity_id), None)
        return Selection(kept or self.catalog.allocate_selection_id(), entity_id, float(qty),
                         bool(item.get("is_default", False)), int(item.get("can_change_quantity", 0)), position,
                         round(float(item.get("price", 0)) * 100), int(item.get("price_type", 0)))


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None
