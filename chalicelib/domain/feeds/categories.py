"""The categories feed (Adobe's Category): one item per category and store view.

Source record keys (snake_case, the Magento adapter's): store_view_code, category_id, name, description, meta_title,
meta_keywords, meta_description, display_mode, url_key, url_path, image, level, path, parent_id, children (ids),
position, default_sort_by, available_sort_by, is_anchor, include_in_menu, is_active (booleans), created_at,
updated_at (ISO, UTC); and error (the source found the record malformed).
"""
from __future__ import annotations

import re
from typing import Any

from ..errors import InvalidRecordError
from ..feed import FeedRow, RowKey, canonical, content_hash
from .definition import Feed, Scopes, SourceRecord
from .values import from_source, invalid, text, whole

CATEGORIES = "categories"
_PATH = re.compile(r"^\d+(/\d+)*$")


def key_of(record: SourceRecord) -> RowKey:
    category_id = record.get("category_id")
    shown = str(category_id) if isinstance(category_id, (int, str)) and str(category_id).strip() else "#?"
    return RowKey(shown, str(record.get("store_view_code") or "?"))


def _int_flag(value: Any, name: str) -> int:
    """Adobe sends the category's flags as Int (1/0)."""
    if value is None or isinstance(value, bool):
        return int(bool(value))
    return 1 if whole(value, name) else 0


def build_row(record: SourceRecord, views: Scopes) -> FeedRow:
    from_source(record)
    category_id = whole(record.get("category_id"), "category_id", required=True)
    view = views.get(record.get("store_view_code"))  # type: ignore[arg-type]
    if view is None:
        raise InvalidRecordError(f"unknown store view: {record.get('store_view_code')!r}", code=invalid("store_view"))
    path = text(record.get("path"), "path", required=True)
    if not _PATH.match(path or ""):
        raise InvalidRecordError(f"path is not a path of category ids: {path!r}", code=invalid("path"))
    children = record.get("children") or []
    if not isinstance(children, list):
        raise InvalidRecordError(f"children is not a list: {children!r}", code=invalid("children"))
    sort_by = record.get("available_sort_by") or []
    if not isinstance(sort_by, list) or not all(isinstance(s, str) for s in sort_by):
        raise InvalidRecordError(f"available_sort_by is not a list of names: {sort_by!r}",
                                 code=invalid("available_sort_by"))
    name = text(record.get("name"), "name")
    parent_id = whole(record.get("parent_id"), "parent_id")
    document = {
        "categoryId": str(category_id),
        "storeViewCode": view.code,
        "storeCode": view.store_code,
        "websiteCode": view.website_code,
        "name": name,
        "description": text(record.get("description"), "description"),
        "metaTitle": text(record.get("meta_title"), "meta_title"),
        "metaKeywords": text(record.get("meta_keywords"), "meta_keywords"),
        "metaDescription": text(record.get("meta_description"), "meta_description"),
        "displayMode": text(record.get("display_mode"), "display_mode"),
        "urlKey": text(record.get("url_key"), "url_key"),
        "urlPath": text(record.get("url_path"), "url_path"),
        "image": text(record.get("image"), "image"),
        "level": whole(record.get("level"), "level", required=True),
        "path": path,
        "parentId": None if parent_id is None else str(parent_id),
        "children": [str(whole(child, "children")) for child in children],
        "position": whole(record.get("position"), "position"),
        "defaultSortBy": text(record.get("default_sort_by"), "default_sort_by"),
        "availableSortBy": sort_by,
        "isAnchor": _int_flag(record.get("is_anchor"), "is_anchor"),
        "includeInMenu": _int_flag(record.get("include_in_menu"), "include_in_menu"),
        "isActive": _int_flag(record.get("is_active"), "is_active"),
        "deleted": False,
    }
    body = canonical(document)
    return FeedRow(id=str(category_id), scope=view.code, name=name, type="category",
                   last_modified=record.get("updated_at"), document=body.decode(), hash=content_hash(body))


def deletion_payload(row: FeedRow, views: Scopes) -> dict[str, Any]:
    """Adobe's minimal payload of a category that left the store view (websiteCode, storeCode, storeViewCode,
    categoryId; modifiedAt is added when it is sent)."""
    view = views.get(row.scope)
    return {"categoryId": row.id, "storeViewCode": row.scope, "storeCode": view.store_code if view else None,
            "websiteCode": view.website_code if view else None, "deleted": True}


def invalid_columns(record: SourceRecord) -> dict[str, Any]:
    name = record.get("name")
    return {"name": name, "type": "category"} if isinstance(name, str) else {"type": "category"}


FEED = Feed(name=CATEGORIES, record="Category", identity=("categoryId", "storeViewCode"), batch_size=100,
            incremental=False, build=build_row, key_of=key_of, deletion=deletion_payload,
            columns_of_invalid=invalid_columns)
