"""Handlers for products, stores, attribute sets, attributes, categories and product types."""
from __future__ import annotations

from collections import Counter
from typing import Any

from . import layout, products
from .catalog import CONFIGURABLE, TYPES
from .criteria import search_list
from .errors import MagentoError
from .routes import Call, route, store_by_id

PRODUCTS = "Magento_Catalog::products"
STORES = "Magento_Backend::store"
SETS = "Magento_Catalog::sets"
ATTRIBUTES = "Magento_Catalog::attributes_attributes"
CATEGORIES = "Magento_Catalog::categories"
NO_ATTRIBUTE = 'The attribute with a "%1" attributeCode doesn\'t exist. Verify the attribute and try again.'
NO_ATTRIBUTE_SET = 'The AttributeSet with a "%1" ID doesn\'t exist. Verify the attributeSet and try again.'
NOT_CONFIGURABLE = 'This is implemented for the "%1" configurable product only.'
TYPE_LABELS = {"simple": "Simple Product", "virtual": "Virtual Product", "downloadable": "Downloadable Product",
               "configurable": "Configurable Product", "bundle": "Bundle Product", "grouped": "Grouped Product"}
CATEGORY_CREATED = "2022-01-01 00:00:00"


def _search_results(items: list[Any], call: Call, total: int) -> dict[str, Any]:
    return {"items": items, "search_criteria": call.criteria.echo(), "total_count": total}


# -- products -----------------------------------------------------------------------------------------

@route("GetV1Products", PRODUCTS)
def list_products(call: Call) -> dict[str, Any]:
    with call.catalog.lock:
        rows, total = call.search.search(call.criteria, call.store, call.paging)
        items = [products.product(call.catalog, row, call.store, call.list_stock_item) for row in rows]
    return _search_results(items, call, total)


@route("GetV1ProductsSku", PRODUCTS)
def get_product(call: Call) -> dict[str, Any]:
    store_id = call.request.query.get("storeId")
    store = store_by_id(int(store_id)) if store_id is not None else call.store
    with call.catalog.lock:
        return products.product(call.catalog, call.product_row(call.param("sku")), store)


@route("GetV1ConfigurableproductsSkuChildren", PRODUCTS)
def configurable_children(call: Call) -> list[dict[str, Any]]:
    with call.catalog.lock:
        row = call.product_row(call.param("sku"))
        return products.configurable_children(call.catalog, row, call.store)


@route("GetV1ConfigurableproductsSkuOptionsAll", PRODUCTS)
def configurable_options(call: Call) -> list[dict[str, Any]]:
    with call.catalog.lock:
        row = call.product_row(call.param("sku"))
        if call.catalog.type[row] != CONFIGURABLE:
            raise MagentoError(400, NOT_CONFIGURABLE, [call.param("sku")])
        item = products.product(call.catalog, row, call.store, with_stock_item=False)
    return item["extension_attributes"]["configurable_product_options"]


@route("GetV1ProductsTypes", PRODUCTS)
def product_types(call: Call) -> list[dict[str, str]]:
    return [{"name": name, "label": TYPE_LABELS[name]} for name in TYPES]


# -- stores -------------------------------------------------------------------------------------------

@route("GetV1StoreStoreViews", STORES)
def store_views(call: Call) -> list[dict[str, Any]]:
    return [{"id": s.id, "code": s.code, "name": s.name, "website_id": s.website_id, "store_group_id": s.group_id,
             "is_active": s.is_active} for s in layout.STORES]


@route("GetV1StoreStoreGroups", STORES)
def store_groups(call: Call) -> list[dict[str, Any]]:
    return [{"id": g.id, "website_id": g.website_id, "root_category_id": g.root_category_id,
             "default_store_id": g.default_store_id, "name": g.name, "code": g.code} for g in layout.GROUPS]


@route("GetV1StoreWebsites", STORES)
def websites(call: Call) -> list[dict[str, Any]]:
    return [{"id": w.id, "code": w.code, "name": w.name, "default_group_id": w.default_group_id}
            for w in layout.WEBSITES]


@route("GetV1StoreStoreConfigs", STORES)
def store_configs(call: Call) -> list[dict[str, Any]]:
    wanted = call.request.arrays.get("storeCodes")
    result = []
    for s in layout.STORES:
        if s.id == 0 or (wanted and s.code not in wanted):
            continue
        plain, secure = f"{layout.BASE_URL}", layout.BASE_URL.replace("http://", "https://")
        link = "" if s.code == "default" else f"{s.code}/"
        result.append({
            "id": s.id, "code": s.code, "website_id": s.website_id, "locale": s.locale,
            "base_currency_code": s.base_currency, "default_display_currency_code": s.display_currency,
            "timezone": s.timezone, "weight_unit": s.weight_unit, "base_url": plain,
            "base_link_url": plain + link, "base_static_url": plain + "static/version1700000000/",
            "base_media_url": plain + "media/", "secure_base_url": secure, "secure_base_link_url": secure + link,
            "secure_base_static_url": secure + "static/version1700000000/", "secure_base_media_url": secure + "media/"})
    return result


# -- attribute sets and attributes --------------------------------------------------------------------

# Magento's eav list holds every entity type's sets: customer (1), address (2), category (3), product (4), ...
OTHER_SETS = ((1, "Default", 1), (2, "Default", 2), (3, "Default", 3), (5, "Default", 5), (6, "Default", 6),
              (7, "Default", 7), (8, "Default", 8))


def _sets(products_only: bool) -> list[dict[str, Any]]:
    sets = [(i, n, layout.PRODUCT_ENTITY_TYPE_ID) for i, n in layout.ATTRIBUTE_SETS]
    if not products_only:
        sets = sorted(sets + list(OTHER_SETS))
    return [{"attribute_set_id": i, "attribute_set_name": n, "sort_order": 0 if n == "Default" else 1,
             "entity_type_id": t} for i, n, t in sets]


@route("GetV1EavAttributesetsList", SETS)
def eav_attribute_sets(call: Call) -> dict[str, Any]:
    items, total = search_list(_sets(False), call.criteria, call.paging)
    return _search_results(items, call, total)


@route("GetV1ProductsAttributesetsSetsList", SETS)
def product_attribute_sets(call: Call) -> dict[str, Any]:
    items, total = search_list(_sets(True), call.criteria, call.paging)
    return _search_results(items, call, total)


def _localized(thing: layout.Option | layout.Attribute | layout.Category, default: str,
               store: layout.StoreView) -> str:
    return (getattr(thing, store.language, "") if store.language else "") or default


def _options(attribute: layout.Attribute, store: layout.StoreView) -> list[dict[str, Any]]:
    table = attribute.code in layout.OPTION_ATTRIBUTES  # table-backed options start with an empty one
    result = [{"label": " ", "value": ""}] if table else []
    for position, option in enumerate(attribute.options, start=1):
        labels = [{"store_id": layout.STORE_BY_CODE[code].id, "label": text}
                  for code, text in (("french", option.fr), ("german", option.de)) if text]
        entry: dict[str, Any] = {"label": _localized(option, option.label, store), "value": str(option.id)}
        if table:
            entry.update(sort_order=position, is_default=False, store_labels=labels)
        result.append(entry)
    return result


def _attribute(attribute: layout.Attribute, store: layout.StoreView) -> dict[str, Any]:
    select = attribute.input in ("select", "multiselect")
    labels = [{"store_id": layout.STORE_BY_CODE[code].id, "label": text}
              for code, text in (("french", attribute.fr), ("german", attribute.de)) if text]
    return {
        "is_wysiwyg_enabled": False, "is_html_allowed_on_front": attribute.input == "textarea",
        "used_for_sort_by": attribute.code in ("name", "price"), "is_filterable": select,
        "is_filterable_in_search": select, "is_used_in_grid": True, "is_visible_in_grid": False,
        "is_filterable_in_grid": True, "position": 0, "apply_to": [], "is_searchable": "1" if select else "0",
        "is_visible_in_advanced_search": "0", "is_comparable": "0", "is_used_for_promo_rules": "0",
        "is_visible_on_front": "1" if attribute.user_defined else "0", "used_in_product_listing": "1",
        "is_visible": True, "scope": attribute.scope, "attribute_id": attribute.id,
        "attribute_code": attribute.code, "frontend_input": attribute.input,
        "entity_type_id": str(layout.PRODUCT_ENTITY_TYPE_ID), "is_required": attribute.required,
        "options": _options(attribute, store), "is_user_defined": attribute.user_defined,
        "default_frontend_label": attribute.label, "frontend_labels": labels, "backend_type": attribute.backend,
        "source_model": "Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Table" if attribute.user_defined else "",
        "default_value": "", "is_unique": "1" if attribute.code == "sku" else "0", "validation_rules": []}


@route("GetV1ProductsAttributes", ATTRIBUTES)
def attributes(call: Call) -> dict[str, Any]:
    items = [_attribute(a, call.store) for a in layout.ATTRIBUTES]
    found, total = search_list(items, call.criteria, call.paging)
    return _search_results(found, call, total)


@route("GetV1ProductsAttributesAttributeCodeOptions", ATTRIBUTES)
def attribute_options(call: Call) -> list[dict[str, Any]]:
    attribute = layout.ATTRIBUTE_BY_CODE.get(call.param("attributeCode"))
    if attribute is None:
        raise MagentoError(404, NO_ATTRIBUTE, [call.param("attributeCode")])
    return _options(attribute, call.store)


@route("GetV1ProductsAttributesetsAttributeSetIdAttributes", SETS)
def attribute_set_attributes(call: Call) -> list[dict[str, Any]]:
    raw = call.param("attributeSetId")
    set_id = int(raw) if raw.isdigit() else -1
    if set_id not in dict(layout.ATTRIBUTE_SETS):
        raise MagentoError(404, NO_ATTRIBUTE_SET, [raw])
    codes = set(layout.SET_ATTRIBUTES.get(set_id, ()))
    return [_attribute(a, call.store) for a in layout.ATTRIBUTES
            if a.code in codes or a.code not in layout.OPTION_ATTRIBUTES]


# -- categories ---------------------------------------------------------------------------------------

def _category_counts(call: Call) -> Counter:
    catalog = call.catalog

    def count() -> Counter:
        counts: Counter = Counter()
        for row in catalog.live_rows():
            counts.update(products.details(catalog, row).categories)
        return counts
    with catalog.lock:
        return catalog.memo("category-counts", count)


def _category_name(category: layout.Category, store: layout.StoreView) -> str:
    return _localized(category, category.name, store)


def _category(category: layout.Category, store: layout.StoreView) -> dict[str, Any]:
    path = layout.category_path(category.id)
    children = [c.id for c in layout.CATEGORIES if c.parent_id == category.id]
    return {"id": category.id, "parent_id": category.parent_id, "name": _category_name(category, store),
            "is_active": True, "position": category.position, "level": len(path) - 1,
            "children": ",".join(str(c) for c in children), "created_at": CATEGORY_CREATED,
            "updated_at": CATEGORY_CREATED, "path": "/".join(str(p) for p in path), "available_sort_by": [],
            "include_in_menu": True,
            "custom_attributes": [{"attribute_code": "url_key", "value": products.slug(category.name)},
                                  {"attribute_code": "is_anchor", "value": "1"}]}


@route("GetV1CategoriesList", CATEGORIES)
def categories_list(call: Call) -> dict[str, Any]:
    items, total = search_list([_category(c, call.store) for c in layout.CATEGORIES], call.criteria, call.paging)
    return _search_results(items, call, total)


@route("GetV1Categories", CATEGORIES)
def category_tree(call: Call) -> dict[str, Any]:
    root_id = call.request.query.get("rootCategoryId")
    group = next((g for g in layout.GROUPS if g.id and g.website_id == call.store.website_id), layout.GROUPS[1])
    root = layout.CATEGORY_BY_ID.get(int(root_id) if root_id else group.root_category_id)
    if root is None:
        raise MagentoError(404, "No such entity with %fieldName = %fieldValue",
                           {"fieldName": "id", "fieldValue": root_id})
    depth = call.request.query.get("depth")
    counts = _category_counts(call)

    def node(category: layout.Category, level: int) -> dict[str, Any]:
        children = [c for c in layout.CATEGORIES if c.parent_id == category.id]
        deeper = depth is None or level < int(depth)
        return {"id": category.id, "parent_id": category.parent_id, "name": _category_name(category, call.store),
                "is_active": True, "position": category.position, "level": len(layout.category_path(category.id)) - 1,
                "product_count": counts.get(category.id, 0),
                "children_data": [node(c, level + 1) for c in children] if deeper else []}
    return node(root, 0)
