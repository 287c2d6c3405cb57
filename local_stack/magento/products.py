"""A product's REST representation in a store view, made on demand from the catalog's columns and its seed."""
from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import layout
from .catalog import (
    BUNDLE,
    CONFIGURABLE,
    DOWNLOADABLE,
    GROUPED,
    NO_ITEM,
    SIMPLE,
    SIMPLE_LIKE,
    TYPES,
    VIRTUAL,
    Catalog,
    magento_time,
)

ADJECTIVES = ("Aero", "Atlas", "Breathe-Easy", "Chaz", "Helios", "Juno", "Kaia", "Luma", "Nona", "Nova", "Orion",
              "Sprite", "Summit", "Terra", "Vega", "Zephyr")
# (English, French, German) product nouns per attribute set or type.
STYLES = {
    9: (("Tee", "T-shirt", "T-Shirt"), ("Tank", "Débardeur", "Tanktop"), ("Hoodie", "Sweat à capuche",
        "Kapuzenpullover"), ("Jacket", "Veste", "Jacke"), ("Pullover", "Pull", "Pullover")),
    10: (("Pant", "Pantalon", "Hose"), ("Short", "Short", "Shorts"), ("Legging", "Legging", "Leggings"),
         ("Capri", "Corsaire", "Caprihose")),
    11: (("Backpack", "Sac à dos", "Rucksack"), ("Duffle Bag", "Sac de sport", "Sporttasche"),
         ("Water Bottle", "Gourde", "Trinkflasche"), ("Yoga Mat", "Tapis de yoga", "Yogamatte"),
         ("Sport Watch", "Montre de sport", "Sportuhr"), ("Kettlebell", "Kettlebell", "Kugelhantel")),
    4: (("Headband", "Bandeau", "Stirnband"), ("Socks", "Chaussettes", "Socken"), ("Gift Box", "Coffret",
        "Geschenkbox")),
    12: (("Yoga Video", "Vidéo de yoga", "Yoga-Video"), ("Training Plan", "Programme d'entraînement",
         "Trainingsplan"), ("Recipe eBook", "Livre de recettes", "Rezept-E-Book")),
    "virtual": (("Gift Wrapping", "Emballage cadeau", "Geschenkverpackung"), ("Extended Warranty",
                "Garantie étendue", "Garantieverlängerung"), ("Training Session", "Séance de coaching",
                "Trainingseinheit")),
    "bundle": (("Starter Kit", "Kit de démarrage", "Starter-Set"),),
    "grouped": (("Essentials Set", "Ensemble essentiel", "Grundausstattung"),),
}
LANGUAGES = ("", "fr", "de")
TAX_CLASS_TAXABLE, TAX_CLASS_NONE = "2", "0"


@dataclass(frozen=True)
class Details:
    """What the seed decides about a product beyond its columns."""

    adjective: str
    style: tuple[str, str, str]
    translated: frozenset[str]
    options: tuple[tuple[str, str], ...]  # (attribute code, value): option ids, multiselect comma-separated
    images: int
    labelled_images: bool
    categories: tuple[int, ...]
    special_price: bool


def details(catalog: Catalog, row: int) -> Details:
    return _details(catalog.seed, catalog.entity_id[row], catalog.type[row], catalog.attribute_set[row])


_LABELS = {o.id: o.label for o in layout.COLOR.options + layout.SIZE.options}
_OPTION_IDS = {a.code: tuple(o.id for o in a.options) for a in layout.SELECT_ATTRIBUTES}


def _draws(seed: int, entity_id: int) -> Callable[[], float]:
    """32 deterministic uniform draws in [0, 1) from one hash (far cheaper than seeding a Random)."""
    digest = hashlib.blake2b(f"{seed}:{entity_id}".encode(), digest_size=64).digest()
    values = iter([v / 65536 for v in struct.unpack("<32H", digest)])
    return values.__next__


@lru_cache(maxsize=8192)
def _details(seed: int, entity_id: int, kind: int, attribute_set: int) -> Details:
    """What the seed decides for one product (cached: pages ask for parents and neighbours again)."""
    draw = _draws(seed, entity_id)
    styles = STYLES[TYPES[kind]] if kind in (VIRTUAL, BUNDLE, GROUPED) else STYLES[attribute_set]
    adjective, style = ADJECTIVES[int(draw() * len(ADJECTIVES))], styles[int(draw() * len(styles))]
    translated = frozenset(lang for lang in ("fr", "de") if draw() < 0.4)
    options: list[tuple[str, str]] = []
    for code in layout.SET_ATTRIBUTES.get(attribute_set, ()):
        ids = _OPTION_IDS[code]
        if code == "size":
            ids = layout.TOP_SIZES if attribute_set == 9 else layout.BOTTOM_SIZES
        if code in ("material", "activity"):  # multiselect: comma-separated option ids
            first, second = ids[int(draw() * len(ids))], ids[int(draw() * len(ids))]
            options.append((code, ",".join(str(i) for i in sorted({first, second}))))
        elif draw() < 0.9:
            options.append((code, str(ids[int(draw() * len(ids))])))
    leaves = layout.SET_CATEGORIES[attribute_set]
    categories = (leaves[int(draw() * len(leaves))],) + ((13,) if draw() < 0.1 else ())
    return Details(adjective, style, translated, tuple(options), 1 + int(draw() * 3), draw() < 0.6,
                   categories, kind in SIMPLE_LIKE and draw() < 0.1)


def _money(cents: int) -> int | float:
    return cents // 100 if cents % 100 == 0 else round(cents / 100, 2)


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
    if parent:
        parent_row = catalog.row_of_id(parent)
        family = catalog.families.get(parent)
        if parent_row is not None and family is not None:
            color, size = family.variant(entity_id - family.first_child)
            default = catalog.names.get((parent, 0)) or base_name(catalog, parent_row)
            return catalog.names.get((entity_id, 0)) or f"{default}-{_LABELS[size]}-{_LABELS[color]}"
    d = d or details(catalog, row)
    if store.language and store.language in d.translated:
        return base_name(catalog, row, store.language, d)
    return catalog.names.get((entity_id, 0)) or base_name(catalog, row, "", d)


def stock_item(catalog: Catalog, row: int) -> dict[str, Any]:
    """The legacy stock item: the default source's quantity and status (stock id 1, as Magento reports it)."""
    kind = catalog.type[row]
    if kind in SIMPLE_LIKE:
        qty = catalog.qty["default"][row]
        in_stock = qty != NO_ITEM and bool(catalog.source_status["default"][row])
        qty = max(qty, 0)
    else:
        members = catalog.children(catalog.entity_id[row]) or catalog.linked_rows(catalog.entity_id[row])
        qty, in_stock = 0, any(catalog.source_status["default"][m] for m in members)
    entity_id = catalog.entity_id[row]
    return {"item_id": entity_id, "product_id": entity_id, "stock_id": 1, "qty": qty, "is_in_stock": in_stock,
            "is_qty_decimal": False, "show_default_notification_message": False, "use_config_min_qty": True,
            "min_qty": 0, "use_config_min_sale_qty": 1, "min_sale_qty": 1, "use_config_max_sale_qty": True,
            "max_sale_qty": 10000, "use_config_backorders": True, "backorders": 0,
            "use_config_notify_stock_qty": True, "notify_stock_qty": 1, "use_config_qty_increments": True,
            "qty_increments": 0, "use_config_enable_qty_inc": True, "enable_qty_increments": False,
            "use_config_manage_stock": True, "manage_stock": True,
            "low_stock_date": None if in_stock else magento_time(catalog.updated[row]),
            "is_decimal_divided": False, "stock_status_changed_auto": 0}


def product(catalog: Catalog, row: int, store: layout.StoreView, with_stock_item: bool = True) -> dict[str, Any]:
    """GET /V1/products/{sku} (and each item of GET /V1/products) in ``store``'s scope."""
    entity_id, kind, sku = catalog.entity_id[row], catalog.type[row], catalog.sku[row]
    d = details(catalog, row)
    website = store.website_id
    title = name(catalog, row, store, d)
    result: dict[str, Any] = {
        "id": entity_id, "sku": sku, "name": title, "attribute_set_id": catalog.attribute_set[row],
        "price": _money(catalog.price_in(row, website)), "status": catalog.status_in(row, website),
        "visibility": catalog.visibility[row], "type_id": TYPES[kind],
        "created_at": magento_time(catalog.created[row]), "updated_at": magento_time(catalog.updated[row])}
    if catalog.weight[row] >= 0:
        result["weight"] = _money(catalog.weight[row])
    result["extension_attributes"] = _extension(catalog, row, d, with_stock_item)
    result["product_links"] = _product_links(catalog, row)
    result["options"] = []
    stem = slug(sku) or "product"
    result["media_gallery_entries"] = _media(entity_id, stem, title, d)
    result["tier_prices"] = []
    result["custom_attributes"] = _custom_attributes(catalog, row, store, d, title, stem)
    _malform(result, catalog.malformed.get(entity_id))
    return result


def _extension(catalog: Catalog, row: int, d: Details, with_stock_item: bool) -> dict[str, Any]:
    entity_id, kind = catalog.entity_id[row], catalog.type[row]
    mask = catalog.websites[row]
    ext: dict[str, Any] = {"website_ids": [w for w, bit in layout.WEBSITE_BITS.items() if mask & bit],
                           "category_links": [{"position": i, "category_id": str(c)}
                                              for i, c in enumerate(d.categories)]}
    if kind == BUNDLE:
        ext["bundle_product_options"] = _bundle_options(catalog, row)
    if with_stock_item:
        ext["stock_item"] = stock_item(catalog, row)
    if kind == DOWNLOADABLE:
        ext["downloadable_product_links"] = [{
            "id": entity_id, "title": "Download", "sort_order": 1, "is_shareable": 2, "price": 0,
            "number_of_downloads": 0, "link_type": "url",
            "link_url": f"https://downloads.magento.test/{slug(catalog.sku[row])}.zip", "sample_type": "url",
            "sample_url": f"https://downloads.magento.test/{slug(catalog.sku[row])}-sample.zip"}]
        ext["downloadable_product_samples"] = []
    if kind == CONFIGURABLE:
        family = catalog.families.get(entity_id)
        children = catalog.children(entity_id)
        variants = [family.variant(catalog.entity_id[c] - family.first_child) for c in children] if family else []
        ext["configurable_product_options"] = [
            {"id": entity_id * 10 + position, "attribute_id": str(attribute.id), "label": attribute.label,
             "position": position, "values": [{"value_index": v} for v in sorted({v[position] for v in variants})],
             "product_id": entity_id}
            for position, attribute in enumerate((layout.COLOR, layout.SIZE))]
        ext["configurable_product_links"] = [catalog.entity_id[c] for c in children]
    return ext


def _bundle_options(catalog: Catalog, row: int) -> list[dict[str, Any]]:
    entity_id, sku = catalog.entity_id[row], catalog.sku[row]
    links = [{"id": str(entity_id * 10 + i), "sku": catalog.sku[linked], "option_id": entity_id * 10 + i,
              "qty": 1, "position": i, "is_default": i == 1, "price": 0, "price_type": 0,
              "can_change_quantity": 1}
             for i, linked in enumerate(catalog.linked_rows(entity_id), start=1)]
    return [{"option_id": link["option_id"], "title": f"Part {i}", "required": True, "type": "radio",
             "position": i, "sku": sku, "product_links": [link]} for i, link in enumerate(links, start=1)]


def _product_links(catalog: Catalog, row: int) -> list[dict[str, Any]]:
    entity_id = catalog.entity_id[row]
    if catalog.type[row] != GROUPED:
        return []
    return [{"sku": catalog.sku[row], "link_type": "associated", "linked_product_sku": catalog.sku[linked],
             "linked_product_type": TYPES[catalog.type[linked]], "position": position,
             "extension_attributes": {"qty": 1}}
            for position, linked in enumerate(catalog.linked_rows(entity_id), start=1)]


def _image(stem: str, position: int) -> str:
    """Magento's media path: the file under folders named after its first two characters."""
    file_name = f"{stem}-{position}.jpg"
    return f"/{file_name[0]}/{file_name[1]}/{file_name}"


def _media(entity_id: int, stem: str, title: str, d: Details) -> list[dict[str, Any]]:
    return [{"id": entity_id * 10 + position, "media_type": "image", "label": title if d.labelled_images else None,
             "position": position, "disabled": False,
             "types": ["image", "small_image", "thumbnail"] if position == 1 else [], "file": _image(stem, position)}
            for position in range(1, d.images + 1)]


def _custom_attributes(catalog: Catalog, row: int, store: layout.StoreView, d: Details, title: str,
                       stem: str) -> list[dict[str, Any]]:
    kind = catalog.type[row]
    language = store.language if store.language in d.translated else ""
    key = f"{slug(title)}-{stem}"
    description = {"": f"<p>The {title} is built for everyday training.</p>",
                   "fr": f"<p>{title} : conçu pour l'entraînement quotidien.</p>",
                   "de": f"<p>{title}: für das tägliche Training gemacht.</p>"}[language]
    values: list[tuple[str, str]] = [("description", description), ("url_key", key), ("meta_title", title),
                                     ("meta_keyword", title.lower()), ("meta_description", description[3:-4][:255]),
                                     ("options_container", "container2"), ("required_options", "0"),
                                     ("has_options", "1" if kind in (CONFIGURABLE, BUNDLE) else "0"),
                                     ("tax_class_id", TAX_CLASS_NONE if kind == DOWNLOADABLE else TAX_CLASS_TAXABLE)]
    if kind not in (VIRTUAL, DOWNLOADABLE):
        values.insert(1, ("short_description", f"<p>{title}</p>"))
    if d.images:
        image = _image(stem, 1)
        values += [("image", image), ("small_image", image), ("thumbnail", image)]
    if d.special_price:
        values.append(("special_price", f"{catalog.price_in(row, store.website_id) * 0.008:.6f}"))
    if kind == BUNDLE:
        values += [("price_type", "0"), ("sku_type", "0"), ("weight_type", "0"), ("price_view", "0"),
                   ("shipment_type", "0")]
    if kind == SIMPLE and catalog.parent[row]:
        family = catalog.families.get(catalog.parent[row])
        if family is not None:
            color, size = family.variant(catalog.entity_id[row] - family.first_child)
            values += [("color", str(color)), ("size", str(size))]
    option_values = [(code, value) for code, value in d.options
                     if not (kind == CONFIGURABLE and code in ("color", "size"))
                     and not (catalog.parent[row] and code in ("color", "size"))]
    values += option_values
    return [{"attribute_code": code, "value": value} for code, value in values]


def _malform(result: dict[str, Any], kind: str | None) -> None:
    if kind == "missing_sku":
        del result["sku"]
    elif kind == "missing_name":
        del result["name"]
    elif kind == "bad_price":
        result["price"] = f"{result['price']:.2f}".replace(".", ",")


def configurable_children(catalog: Catalog, row: int, store: layout.StoreView) -> list[dict[str, Any]]:
    return [product(catalog, child, store) for child in catalog.children(catalog.entity_id[row])]
