"""Reading Magento's lists: products paged by key (entity_id), small metadata lists paged by offset."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ...domain.errors import SourceError
from .client import MagentoClient
from .criteria import Filter, search_criteria

LIST_PAGE = 300  # metadata lists (attribute sets, attributes, categories): Magento's largest page
GLOBAL = "all"  # the global scope: values as the admin sees them, outside any store view
Groups = list[list[Filter]]


def entity_id(item: Any) -> int | None:
    try:
        return int(item.get("id"))
    except (AttributeError, TypeError, ValueError):
        return None


def search_products(client: MagentoClient, store: str, groups: Groups, low: int, high: int | None, page_size: int,
                    fields: str | None = None) -> list[Mapping[str, Any]]:
    """Products with ids in (low, high] (or above low), sorted by id, at most a page of them."""
    bounds = [[Filter("entity_id", str(low), "gt")]] + ([[Filter("entity_id", str(high), "lteq")]] if high else [])
    criteria = search_criteria([*groups, *bounds], sort=[("entity_id", "ASC")], page_size=page_size, current_page=1)
    if fields:
        criteria.append(("fields", fields))
    result = client.get(store, "/V1/products", criteria)
    items = result.get("items") if isinstance(result, dict) else None
    if not isinstance(items, list):
        raise SourceError(f"Magento's answer for /rest/{store}/V1/products has no items list")
    return items


def product_count(client: MagentoClient, store: str, groups: Groups) -> int | None:
    """How many products a search finds (Magento's total_count of a one-item page), None if it does not say."""
    criteria = search_criteria(groups, page_size=1, current_page=1)
    criteria.append(("fields", "total_count"))
    result = client.get(store, "/V1/products", criteria)
    total = result.get("total_count") if isinstance(result, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None


def product_pages(client: MagentoClient, store: str, groups: Groups, page_size: int,
                  fields: str | None = None, after: int = 0) -> Iterator[tuple[list[Mapping[str, Any]], int, int]]:
    """Pages of products by key (``entity_id gt <last>``, from ``after``), each with the id range (low, high] it
    covers.

    Paging by key instead of ``currentPage`` is right on 2.3 (which repeats the last page past the end) and 2.4
    (which answers empty), and neither duplicates nor skips products while the catalog changes.
    """
    last = after
    while True:
        items = search_products(client, store, groups, last, None, page_size, fields)
        ids = [entity_id(item) for item in items]
        page = [item for item, i in zip(items, ids, strict=True) if i is None or i > last]
        newest = max((i for i in ids if i is not None), default=last)
        if not page:
            return
        yield page, last, newest
        if newest <= last or len(items) < page_size:
            return
        last = newest


def product_range(client: MagentoClient, store: str, groups: Groups, low: int, high: int,
                  page_size: int) -> list[Mapping[str, Any]]:
    """The products with ids in (low, high] in another store view of the same website (a leader page's range)."""
    return [item for item in search_products(client, store, groups, low, high, page_size)
            if (entity_id(item) or low + 1) > low]


def read_list(client: MagentoClient, path: str, groups: Groups, store: str = GLOBAL,
              fields: str | None = None) -> list[dict]:
    """A small metadata list, read whole (offset paging is safe here: it hardly changes during a run)."""
    items: list[dict] = []
    page = 1
    while True:
        criteria = search_criteria(groups, page_size=LIST_PAGE, current_page=page)
        if fields:
            criteria.append(("fields", fields))
        result = client.get(store, path, criteria)
        chunk = result.get("items") if isinstance(result, dict) else None
        if not isinstance(chunk, list):
            raise SourceError(f"Magento's answer for /rest/{store}{path} has no items list")
        items += chunk
        if len(chunk) < LIST_PAGE or len(items) >= int(result.get("total_count") or 0):
            return items
        page += 1


def chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
