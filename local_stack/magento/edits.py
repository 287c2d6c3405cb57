"""Admin edits of products, stock and categories, as the simulator's Python API (MagentoSimulator inherits them).

What bumps a product's ``updated_at`` follows Magento: a product save does (an admin save, PUT /V1/products,
the bulk base price API); mass attribute updates, stock changes (source items, the stock item API) and
category saves do not. ``touch=False`` is the path that does not save the product. Every edit marks the
catalog changed (cached search results are dropped).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from . import layout, products
from .catalog import MALFORMATIONS, SET_PREFIX, SIMPLE_LIKE, TYPE_CODE, Catalog, to_epoch
from .stock import StockSettings, settings


class CatalogEdits:
    catalog: Catalog
    clock: Callable[[], datetime]

    def _row(self, sku: str) -> int:
        row = self.catalog.row_of_sku(sku)
        if row is None:
            raise KeyError(f"no product with SKU {sku!r}")
        return row

    def _now(self) -> int:
        return to_epoch(self.clock())

    def _touch(self, row: int, touch: bool) -> None:
        if touch:  # a product save stamps updated_at; mass attribute updates (touch=False) do not
            self.catalog.updated[row] = max(self._now(), self.catalog.created[row])
        self.catalog.changed()

    @staticmethod
    def _store(code: str) -> layout.StoreView:
        store = layout.STORE_BY_CODE.get(code)
        if store is None or store.id == 0:
            raise KeyError(f"no store view {code!r}")
        return store

    def _freeze_name(self, row: int) -> None:
        """Keep a product's default name as it is now (before a change that would derive another one)."""
        key = (self.catalog.entity_id[row], 0)
        if key not in self.catalog.names:
            self.catalog.names[key] = products.name(self.catalog, row, layout.ADMIN_STORE)

    # -- products ------------------------------------------------------------------------------------------

    def set_price(self, sku: str, price: float, store: str | None = None, touch: bool = True) -> None:
        """The price everywhere, or in ``store``'s website (the price scope is the website)."""
        with self.catalog.lock:
            row = self._row(sku)
            cents = round(price * 100)
            if store is None:
                self.catalog.price[row] = cents
            else:
                self.catalog.prices[(self.catalog.entity_id[row], self._store(store).website_id)] = cents
            self._touch(row, touch)

    def set_name(self, sku: str, name: str, store: str | None = None, touch: bool = True) -> None:
        """The default name, or ``store``'s own name for the product."""
        with self.catalog.lock:
            row = self._row(sku)
            store_id = 0 if store is None else self._store(store).id
            self.catalog.names[(self.catalog.entity_id[row], store_id)] = name
            self._touch(row, touch)

    def set_status(self, sku: str, status: int, store: str | None = None, touch: bool = True) -> None:
        """1 enabled, 2 disabled; everywhere or in ``store``'s website."""
        with self.catalog.lock:
            row = self._row(sku)
            if store is None:
                self.catalog.status[row] = status
            else:
                self.catalog.statuses[(self.catalog.entity_id[row], self._store(store).website_id)] = status
            self._touch(row, touch)

    def set_product_categories(self, sku: str, category_ids: Iterable[int], touch: bool = True) -> None:
        """The categories a product is in (a product save; assigning it from the category's side would not
        touch the product: ``touch=False``)."""
        ids = tuple(int(c) for c in category_ids)
        with self.catalog.lock:
            row = self._row(sku)
            missing = [c for c in ids if self.catalog.categories.get(c) is None]
            if missing:
                raise KeyError(f"no category {missing[0]}")
            self.catalog.category_links[self.catalog.entity_id[row]] = ids
            self.catalog.assignments += 1
            self._touch(row, touch)

    def add_product(self, name: str, price: float = 10.0, type_id: str = "simple", sku: str | None = None,
                    attribute_set_id: int = 4, websites: Iterable[int | str] = (1, 2),
                    quantities: Mapping[str, int] | None = None, status: int = 1, visibility: int = 4) -> str:
        """A new product (the next entity id), created and updated now; returns its SKU."""
        if TYPE_CODE.get(type_id) not in SIMPLE_LIKE:
            raise ValueError("add_product makes simple, virtual or downloadable products")
        website_ids = {w if isinstance(w, int) else next(x.id for x in layout.WEBSITES if x.code == w)
                       for w in websites}
        mask = sum(layout.WEBSITE_BITS[w] for w in website_ids)
        if quantities is None:
            quantities = {s.code: 100 for s in layout.SOURCES if s.website_id in website_ids}
        with self.catalog.lock:
            entity_id = self.catalog.entity_id[-1] + 1 if len(self.catalog) else 1
            sku = sku or f"{SET_PREFIX.get(attribute_set_id, 'PRD')}-{entity_id:06d}"
            if self.catalog.row_of_sku(sku) is not None:
                raise ValueError(f"SKU {sku!r} exists")
            now = self._now()
            self.catalog.append(entity_id, sku, TYPE_CODE[type_id], attribute_set_id, created=now, updated=now,
                                status=status, visibility=visibility, websites=mask, price=round(price * 100),
                                weight=100 if type_id == "simple" else -1, quantities=dict(quantities))
            self.catalog.names[(entity_id, 0)] = name
            self.catalog.changed()
        return sku

    def delete_product(self, sku: str) -> None:
        with self.catalog.lock:
            self.catalog.delete(self._row(sku))
            self.catalog.changed()

    def malform_product(self, sku: str, kind: str = "missing_name") -> None:
        """Make one product's REST representation broken: ``missing_sku``, ``missing_name``, ``bad_price``
        (a string such as "12,50") or, for a bundle, ``bad_selection_qty`` (its first selection's qty a string
        such as "2,0"). Strict mode leaves such products out of its response check."""
        if kind not in MALFORMATIONS:
            raise ValueError(f"kind is one of {', '.join(MALFORMATIONS)}")
        with self.catalog.lock:
            if kind == "bad_selection_qty" and self.catalog.entity_id[self._row(sku)] not in self.catalog.bundles:
                raise ValueError("bad_selection_qty is for bundle products only")
            self.catalog.malformed[self.catalog.entity_id[self._row(sku)]] = kind
            self.catalog.changed()

    # -- stock (never touches updated_at) ------------------------------------------------------------------

    def set_quantity(self, sku: str, quantity: int, source: str = "default", status: int | None = None) -> None:
        """A source item's quantity (and status: in stock when quantity > 0 unless given). updated_at stays."""
        with self.catalog.lock:
            row = self._row(sku)
            if source not in self.catalog.qty:
                raise KeyError(f"no source {source!r}")
            if self.catalog.type[row] not in SIMPLE_LIKE:
                raise ValueError(f"{sku!r} is a composite product: it has no source items")
            self.catalog.qty[source][row] = int(quantity)
            self.catalog.source_status[source][row] = (1 if quantity > 0 else 0) if status is None else status
            self.catalog.changed()

    def set_manage_stock(self, sku: str, manage_stock: bool) -> None:
        """Turn "Manage Stock" on or off for a product (as the stock item API does: updated_at stays)."""
        if not isinstance(manage_stock, bool):
            raise ValueError("manage_stock is true or false")
        with self.catalog.lock:
            row = self._row(sku)
            if self.catalog.type[row] not in SIMPLE_LIKE:
                raise ValueError(f"{sku!r} is a composite product: it has no stock of its own")
            self.catalog.manage_stock[row] = int(manage_stock)
            self.catalog.changed()

    def set_stock_settings(self, sku: str, **changes: object) -> None:
        """A product's own stock item settings (``StockSettings``'s fields: backorders, min_qty, min_sale_qty,
        max_sale_qty, enable_qty_increments, qty_increments, is_qty_decimal), as the stock item API sets them:
        updated_at stays. A field set back to the configuration's value is the configuration's again."""
        fields = {f.name: f.type for f in dataclasses.fields(StockSettings)}
        for name, value in changes.items():
            if name not in fields:
                raise ValueError(f"no stock setting {name!r}")
            wanted = bool if fields[name] == "bool" else int
            if type(value) is not wanted or (isinstance(value, int) and value < 0):
                raise ValueError(f"{name} is {'true or false' if wanted is bool else 'a whole number ≥ 0'}")
        if changes.get("backorders", 0) not in (0, 1, 2):
            raise ValueError("backorders is 0 (no), 1 (allow) or 2 (allow and notify)")
        with self.catalog.lock:
            row = self._row(sku)
            if self.catalog.type[row] not in SIMPLE_LIKE:
                raise ValueError(f"{sku!r} is a composite product: it has no stock of its own")
            self.catalog.stock_settings[self.catalog.entity_id[row]] = dataclasses.replace(
                settings(self.catalog, row), **changes)  # type: ignore[arg-type]
            self.catalog.changed()

    # -- categories (a category save stamps the category, not its products) --------------------------------

    def set_category(self, category_id: int, store: str | None = None, **changes: object) -> None:
        """Change a category: ``name``, ``url_key``, ``is_active``, ``include_in_menu`` (in a store view or
        everywhere), ``parent_id`` (a move: path, level and url_path of the subtree follow), ``position``."""
        with self.catalog.lock:
            scope = None if store is None else self._store(store)
            self.catalog.categories.update(int(category_id), scope, dict(changes), self._now())
            self.catalog.changed()
