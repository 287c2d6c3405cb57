"""A product's REST representation in a store view, made on demand from the catalog's columns, records and seed."""
from __future__ import annotations

import re
from typing import Any

from . import attributes, composites, layout, prices, stock
from .catalog import BUNDLE, CONFIGURABLE, DOWNLOADABLE, SIMPLE, TYPES, VIRTUAL, Catalog, magento_time
from .details import Details, category_ids, details

TAX_CLASS_TAXABLE, TAX_CLASS_NONE = "2", "0"
LABELS = {o.id: o.label for o in attributes.COLOR.options + attributes.SIZE.options}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def base_name(catalog: Catalog, row: int, language: str = "", d: Details | None = None) -> str:
    """The generated name (English, or a translation when the product has one in that language)."""
    d = d or details(catalog, row)
    if language == "fr" and language in d.translated:
        return f"{d.style[1]} {d.adjective}"
    if language == "de" and language in d.translated:
        return f"{d.adjective} {d.style[2]}"
    return f"{d.adjective} {d.style[0]}"


def name(catalog: Catalog, row: int, store: layout.StoreView, d: Details | None = None) -> str:
    entity_id = catalog.entity_id[row]
    if (entity_id, store.id) in catalog.names:
        return catalog.names[(entity_id, store.id)]
    parent = catalog.parent[row]
    if parent and entity_id in catalog.variant and (entity_id, 0) not in catalog.names:
        parent_row = catalog.row_of_id(parent)
        if parent_row is not None:
            color, size = catalog.variant[entity_id]
            default = catalog.names.get((parent, 0)) or base_name(catalog, parent_row)
            return f"{default}-{LABELS[size]}-{LABELS[color]}"
    d = d or details(catalog, row)
    if store.language and store.language in d.translated and (entity_id, 0) not in catalog.names:
        return base_name(catalog, row, store.language, d)
    return catalog.names.get((entity_id, 0)) or base_name(catalog, row, "", d)


def product(catalog: Catalog, row: int, store: layout.StoreView, with_stock_item: bool = True) -> dict[str, Any]:
    """GET /V1/products/{sku} (and each item of GET /V1/products) in ``store``'s scope."""
    entity_id, kind, sku = catalog.entity_id[row], catalog.type[row], catalog.sku[row]
    d = details(catalog, row)
    website = store.website_id
    title = name(catalog, row, store, d)
    result: dict[str, Any] = {
        "id": entity_id, "sku": sku, "name": title, "attribute_set_id": catalog.attribute_set[row],
        "price": composites.number(catalog.price_in(row, website)), "status": catalog.status_in(row, website),
        "visibility": catalog.visibility[row], "type_id": TYPES[kind],
        "created_at": magento_time(catalog.created[row]), "updated_at": magento_time(catalog.updated[row])}
    if catalog.weight[row] >= 0:
        result["weight"] = composites.number(catalog.weight[row])
    result["extension_attributes"] = _extension(catalog, row, store, with_stock_item)
    result["product_links"] = composites.product_links(catalog, row)
    result["options"] = []
    stem = slug(sku) or "product"
    result["media_gallery_entries"] = media(catalog, row, store)
    result["tier_prices"] = prices.product_tier_prices(catalog, row, store)
    result["custom_attributes"] = _custom_attributes(catalog, row, store, d, title, stem)
    _malform(result, catalog.malformed.get(entity_id))
    return result


def _extension(catalog: Catalog, row: int, store: layout.StoreView, with_stock_item: bool) -> dict[str, Any]:
    kind = catalog.type[row]
    mask = catalog.websites[row]
    ext: dict[str, Any] = {"website_ids": [w for w, bit in layout.WEBSITE_BITS.items() if mask & bit],
                           "category_links": [{"position": i, "category_id": str(c)}
                                              for i, c in enumerate(category_ids(catalog, row))]}
    if kind == BUNDLE:
        ext["bundle_product_options"] = composites.bundle_options(catalog, row)
    if with_stock_item:
        ext["stock_item"] = stock.legacy_stock_item(catalog, row)
    if kind == DOWNLOADABLE:
        ext["downloadable_product_links"] = downloadable_links(catalog, row)
        ext["downloadable_product_samples"] = []
    if kind == CONFIGURABLE:
        ext["configurable_product_options"] = composites.configurable_options(catalog, row, store)
        ext["configurable_product_links"] = [catalog.entity_id[c] for c in catalog.children(catalog.entity_id[row])]
    return ext


def downloadable_links(catalog: Catalog, row: int) -> list[dict[str, Any]]:
    """GET /V1/products/{sku}/downloadable-links (and the product's downloadable_product_links)."""
    if catalog.type[row] != DOWNLOADABLE:
        return []
    entity_id, stem = catalog.entity_id[row], slug(catalog.sku[row])
    return [{"id": entity_id * 10 + n, "title": "Download" if n == 1 else f"Bonus part {n}", "sort_order": n,
             "is_shareable": 2, "price": 0, "number_of_downloads": 0, "link_type": "url",
             "link_url": f"https://downloads.magento.test/{stem}-{n}.zip", "sample_type": "url",
             "sample_url": f"https://downloads.magento.test/{stem}-{n}-sample.zip"}
            for n in range(1, details(catalog, row).downloads + 1)]


def _image(stem: str, position: int) -> str:
    """Magento's media path: the file under folders named after its first two characters."""
    file_name = f"{stem}-{position}.jpg"
    return f"/{file_name[0]}/{file_name[1]}/{file_name}"


def media(catalog: Catalog, row: int, store: layout.StoreView) -> list[dict[str, Any]]:
    """media_gallery_entries (and GET /V1/products/{sku}/media)."""
    d = details(catalog, row)
    entity_id, stem = catalog.entity_id[row], slug(catalog.sku[row]) or "product"
    title = name(catalog, row, store, d)
    return [{"id": entity_id * 10 + position, "media_type": "image", "label": title if d.labelled_images else None,
             "position": position, "disabled": False,
             "types": ["image", "small_image", "thumbnail"] if position == 1 else [], "file": _image(stem, position)}
            for position in range(1, d.images + 1)]


def _custom_attributes(catalog: Catalog, row: int, store: layout.StoreView, d: Details, title: str,
                       stem: str) -> list[dict[str, Any]]:
    kind = catalog.type[row]
    entity_id = catalog.entity_id[row]
    language = store.language if store.language in d.translated else ""
    key = f"{slug(title)}-{stem}"
    description = {"": f"<p>The {title} is built for everyday training.</p>",
                   "fr": f"<p>{title} : conçu pour l'entraînement quotidien.</p>",
                   "de": f"<p>{title}: für das tägliche Training gemacht.</p>"}[language]
    values: list[tuple[str, str]] = [("description", description), ("url_key", key), ("meta_title", title),
                                     ("meta_keyword", title.lower()), ("meta_description", description[3:-4][:255]),
                                     ("options_container", "container2"),
                                     ("required_options", "1" if kind in (CONFIGURABLE, BUNDLE) else "0"),
                                     ("has_options", "1" if kind in (CONFIGURABLE, BUNDLE) else "0"),
                                     ("tax_class_id", TAX_CLASS_NONE if kind == DOWNLOADABLE else TAX_CLASS_TAXABLE)]
    if kind not in (VIRTUAL, DOWNLOADABLE):
        values.insert(1, ("short_description", f"<p>{title}</p>"))
    if d.images:
        image = _image(stem, 1)
        values += [("image", image), ("small_image", image), ("thumbnail", image)]
    values += prices.special_attributes(catalog, row, store)
    bundle = catalog.bundles.get(entity_id)
    if kind == BUNDLE:
        fixed = "1" if bundle is not None and bundle.fixed_price else "0"
        values += [("price_type", fixed), ("sku_type", "0"), ("weight_type", fixed), ("price_view", "0"),
                   ("shipment_type", "0")]
    if kind == SIMPLE and entity_id in catalog.variant:
        color, size = catalog.variant[entity_id]
        values += [("color", str(color)), ("size", str(size))]
    values += [(code, value) for code, value in d.options
               if not (code in ("color", "size") and (kind == CONFIGURABLE or entity_id in catalog.variant))]
    return [{"attribute_code": code, "value": value} for code, value in values]


def _malform(result: dict[str, Any], kind: str | None) -> None:
    if kind == "missing_sku":
        del result["sku"]
    elif kind == "missing_name":
        del result["name"]
    elif kind == "bad_price":
        result["price"] = f"{result['price']:.2f}".replace(".", ",")
    elif kind == "bad_selection_qty":  # a bundle's first selection: its quantity as a decimal-comma string
        links = [link for option in result["extension_attributes"].get("bundle_product_options") or []
                 for link in option["product_links"]]
        if links:
            links[0]["qty"] = f"{links[0]['qty']:.1f}".replace(".", ",")


def configurable_children(catalog: Catalog, row: int, store: layout.StoreView) -> list[dict[str, Any]]:
    return [product(catalog, child, store) for child in catalog.children(catalog.entity_id[row])]
