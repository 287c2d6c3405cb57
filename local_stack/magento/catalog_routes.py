"""Handlers for products, product types, stores, attribute sets and attributes."""
from __future__ import annotations

from typing import Any

from . import attributes, layout, products
from .catalog import TYPES
from .criteria import search_list
from .errors import MagentoError
from .routes import Call, route, store_by_id

PRODUCTS = "Magento_Catalog::products"
STORES = "Magento_Backend::store"
SETS = "Magento_Catalog::sets"
ATTRIBUTES = "Magento_Catalog::attributes_attributes"
NO_ATTRIBUTE = 'The attribute with a "%1" attributeCode doesn\'t exist. Verify the attribute and try again.'
NO_ATTRIBUTE_SET = 'The AttributeSet with a "%1" ID doesn\'t exist. Verify the attributeSet and try again.'
TYPE_LABELS = {"simple": "Simple Product", "virtual": "Virtual Product", "downloadable": "Downloadable Product",
               "configurable": "Configurable Product", "bundle": "Bundle Product", "grouped": "Grouped Product"}


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
    sets = [(i, n, attributes.PRODUCT_ENTITY_TYPE_ID) for i, n in attributes.ATTRIBUTE_SETS]
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


def _localized(thing: attributes.Option | attributes.Attribute, default: str, store: layout.StoreView) -> str:
    return (getattr(thing, store.language, "") if store.language else "") or default


def _options(attribute: attributes.Attribute, store: layout.StoreView) -> list[dict[str, Any]]:
    table = attribute.code in attributes.OPTION_ATTRIBUTES  # table-backed options start with an empty one
    result = [{"label": " ", "value": ""}] if table else []
    for position, option in enumerate(attribute.options, start=1):
        labels = [{"store_id": layout.STORE_BY_CODE[code].id, "label": text}
                  for code, text in (("french", option.fr), ("german", option.de)) if text]
        entry: dict[str, Any] = {"label": _localized(option, option.label, store), "value": str(option.id)}
        if table:
            entry.update(sort_order=position, is_default=False, store_labels=labels)
        result.append(entry)
    return result


def _attribute(attribute: attributes.Attribute, store: layout.StoreView) -> dict[str, Any]:
    select = attribute.input in ("select", "multiselect") or attribute.code in attributes.BOOLEAN_CODES
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
        "entity_type_id": str(attributes.PRODUCT_ENTITY_TYPE_ID), "is_required": attribute.required,
        "options": _options(attribute, store), "is_user_defined": attribute.user_defined,
        "default_frontend_label": attribute.label, "frontend_labels": labels, "backend_type": attribute.backend,
        "source_model": attributes.source_model(attribute),
        "default_value": "", "is_unique": "1" if attribute.code == "sku" else "0", "validation_rules": []}


@route("GetV1ProductsAttributes", ATTRIBUTES)
def list_attributes(call: Call) -> dict[str, Any]:
    items = [_attribute(a, call.store) for a in attributes.ATTRIBUTES]
    found, total = search_list(items, call.criteria, call.paging)
    return _search_results(found, call, total)


def _attribute_named(call: Call) -> attributes.Attribute:
    attribute = attributes.ATTRIBUTE_BY_CODE.get(call.param("attributeCode"))
    if attribute is None:
        raise MagentoError(404, NO_ATTRIBUTE, [call.param("attributeCode")])
    return attribute


@route("GetV1ProductsAttributesAttributeCode", ATTRIBUTES)
def attribute(call: Call) -> dict[str, Any]:
    return _attribute(_attribute_named(call), call.store)


@route("GetV1ProductsAttributesAttributeCodeOptions", ATTRIBUTES)
def attribute_options(call: Call) -> list[dict[str, Any]]:
    return _options(_attribute_named(call), call.store)


@route("GetV1ProductsAttributesetsAttributeSetIdAttributes", SETS)
def attribute_set_attributes(call: Call) -> list[dict[str, Any]]:
    raw = call.param("attributeSetId")
    set_id = int(raw) if raw.isdigit() else -1
    if set_id not in dict(attributes.ATTRIBUTE_SETS):
        raise MagentoError(404, NO_ATTRIBUTE_SET, [raw])
    codes = set(attributes.SET_ATTRIBUTES.get(set_id, ()))
    return [_attribute(a, call.store) for a in attributes.ATTRIBUTES
            if a.code in codes or a.code not in attributes.USER_DEFINED]
