"""Who holds whom: the composites' links read in a first, light pass (Magento's REST gives a child no pointer to
its parent), kept as child → parents in memory proportional to the links, never to the catalog."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from math import ceil
from typing import Any

from ...domain.errors import SourceError
from ...domain.feeds.composites import BUNDLE, COMPOSITE_TYPES, CONFIGURABLE, GROUPED, ParentLink
from .client import MagentoClient
from .criteria import Filter, all_of, any_in, search_criteria
from .mapping import bundle_options, configurable_children, grouped_members
from .paging import GLOBAL, Groups

# Only what the links need: fields= keeps a page of 300 composites to a few kilobytes.
LINK_FIELDS = ("items[id,sku,type_id,updated_at,extension_attributes[website_ids,configurable_product_links,"
               "bundle_product_options[required,product_links[sku]]],product_links[link_type,linked_product_sku]],"
               "total_count")


PAGES_AT_ONCE = 16


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass
class CompositeIndex:
    """Child → the composites holding it: configurable children by entity id, bundle selections and grouped
    members by SKU (as the composites' answers name them). Compact, as it lives through a whole read: most
    children have one parent, kept as its position; the others' in a list."""

    parents: list[ParentLink] = field(default_factory=list)
    by_child_id: dict[int, int | list[int]] = field(default_factory=dict)
    by_child_sku: dict[str, int | list[int]] = field(default_factory=dict)
    # Children of the composites changed since the partial read's watermark: their ``parents`` may have changed.
    changed_child_ids: set[int] = field(default_factory=set)
    changed_child_skus: set[str] = field(default_factory=set)
    _websites: dict[frozenset[int], frozenset[int]] = field(default_factory=dict)  # one object per distinct set

    def add(self, composite: Mapping[str, Any], since: str | None) -> None:
        sku, kind = composite.get("sku"), composite.get("type_id")
        if not isinstance(sku, str) or kind not in COMPOSITE_TYPES:
            return
        websites = frozenset(w for w in (_int(v) for v in (composite.get("extension_attributes") or {}).get(
            "website_ids") or []) if w is not None)
        position = len(self.parents)
        self.parents.append(ParentLink(sku, str(kind), self._websites.setdefault(websites, websites)))
        ids: Iterable[int] = configurable_children(composite) if kind == CONFIGURABLE else ()
        skus: Iterable[str] = ()
        if kind == BUNDLE:
            skus = dict.fromkeys(s for option in bundle_options(composite) for s in option.selections)
        elif kind == GROUPED:
            skus = grouped_members(composite)
        changed = since is not None and str(composite.get("updated_at") or "") >= since
        for child_id in ids:
            _link(self.by_child_id, child_id, position)
            if changed:
                self.changed_child_ids.add(child_id)
        for child_sku in skus:
            _link(self.by_child_sku, child_sku, position)
            if changed:
                self.changed_child_skus.add(child_sku)

    def parents_of(self, product_id: Any, sku: Any) -> list[ParentLink]:
        found = self.by_child_id.get(product_id) if isinstance(product_id, int) else None
        more = self.by_child_sku.get(sku) if isinstance(sku, str) else None
        positions = [p for entry in (found, more) if entry is not None
                     for p in (entry if isinstance(entry, list) else (entry,))]
        return [self.parents[p] for p in positions]


def _link(index: dict[Any, int | list[int]], child: Any, position: int) -> None:
    entry = index.get(child)
    if entry is None:
        index[child] = position
    elif isinstance(entry, list):
        entry.append(position)
    else:
        index[child] = [entry, position]


def offset_pages(client: MagentoClient, store: str, groups: Groups, page_size: int, fields: str,
                 pool: Executor) -> Iterator[list[Mapping[str, Any]]]:
    """Every page of a product search, sorted by id: the first to learn the total, then the others concurrently.

    Offset paging is fine for a pass whose order does not matter and that asks for no page past the end
    (2.3 would repeat the last one); the main read pages by key.
    """
    def page(number: int) -> list[Mapping[str, Any]]:
        criteria = search_criteria(groups, sort=[("entity_id", "ASC")], page_size=page_size, current_page=number)
        result = client.get(store, "/V1/products", [*criteria, ("fields", fields)])
        items = result.get("items") if isinstance(result, dict) else None
        if not isinstance(items, list):
            raise SourceError(f"Magento's answer for /rest/{store}/V1/products has no items list")
        if number == 1:
            totals.append(int(result.get("total_count") or 0))
        return items

    totals: list[int] = []
    yield page(1)
    rest = range(2, ceil(totals[0] / page_size) + 1)
    for start in range(0, len(rest), PAGES_AT_ONCE):  # a window at a time: memory stays bounded
        yield from pool.map(page, rest[start:start + PAGES_AT_ONCE])


def read_index(client: MagentoClient, page_size: int, pool: Executor, since: str | None = None) -> CompositeIndex:
    """The child → parents index of the whole catalog (the global scope: links are not per store view).

    ``since`` (Magento's time format): also note the children of composites updated at or after it.
    """
    index = CompositeIndex()
    for page in offset_pages(client, GLOBAL, all_of(any_in("type_id", sorted(COMPOSITE_TYPES))), page_size,
                             LINK_FIELDS, pool):
        for composite in page:
            index.add(composite, since)
    return index


def configurable_skus(client: MagentoClient, ids: list[int], pool: Executor) -> dict[int, str]:
    """The SKUs of products by entity id (a configurable's answer names its children by id), 100 a request."""
    def chunk(part: list[int]) -> dict[int, str]:
        found = client.get(GLOBAL, "/V1/products", [*search_criteria(
            all_of(any_in("entity_id", part)), page_size=len(part), current_page=1), ("fields", "items[id,sku]")])
        return {int(item["id"]): item["sku"] for item in (found or {}).get("items") or []
                if isinstance(item, dict) and _int(item.get("id")) is not None and isinstance(item.get("sku"), str)}

    result: dict[int, str] = {}
    for found in pool.map(chunk, [ids[start:start + 100] for start in range(0, len(ids), 100)]):
        result.update(found)
    return result


def website_filter(website_ids: Sequence[int]) -> Filter:
    """/rest/<store>/V1/products does not filter by website: this does (Magento's website filter takes a list)."""
    if len(website_ids) == 1:
        return Filter("website_id", str(website_ids[0]))
    return any_in("website_id", website_ids)
