"""What the seed decides about a product beyond the catalog's columns: words of its name, attribute values,
images, categories. Drawn from a hash of the seed and entity id, so any product is made alone and fast."""
from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from . import attributes, categories
from .catalog import BUNDLE, GROUPED, TYPES, VIRTUAL, Catalog

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


@dataclass(frozen=True)
class Details:
    """What the seed decides about a product beyond its columns."""

    adjective: str
    style: tuple[str, str, str]
    translated: frozenset[str]
    options: tuple[tuple[str, str], ...]  # (attribute code, value): option ids, multiselect comma-separated, "1"/"0"
    images: int
    labelled_images: bool
    categories: tuple[int, ...]
    downloads: int  # a downloadable product's links


def details(catalog: Catalog, row: int) -> Details:
    return _details(catalog.seed, catalog.entity_id[row], catalog.type[row], catalog.attribute_set[row])


_OPTION_IDS = {a.code: tuple(o.id for o in a.options) for a in attributes.SELECT_ATTRIBUTES}


def _draws(seed: int, entity_id: int) -> Callable[[], float]:
    """64 deterministic uniform draws in [0, 1) from one hash (far cheaper than seeding a Random)."""
    digest = hashlib.blake2b(f"{seed}:{entity_id}".encode(), digest_size=64).digest()
    digest += hashlib.blake2b(digest, digest_size=64).digest()
    values = iter([v / 65536 for v in struct.unpack("<64H", digest)])
    return values.__next__


@lru_cache(maxsize=8192)
def _details(seed: int, entity_id: int, kind: int, attribute_set: int) -> Details:
    """What the seed decides for one product (cached: pages ask for parents and neighbours again)."""
    draw = _draws(seed, entity_id)
    styles = STYLES[TYPES[kind]] if kind in (VIRTUAL, BUNDLE, GROUPED) else STYLES[attribute_set]
    adjective, style = ADJECTIVES[int(draw() * len(ADJECTIVES))], styles[int(draw() * len(styles))]
    translated = frozenset(lang for lang in ("fr", "de") if draw() < 0.4)
    options: list[tuple[str, str]] = []
    for code in attributes.SET_ATTRIBUTES.get(attribute_set, ()):
        if code in attributes.BOOLEAN_CODES:  # yes/no: set on most products, "1" on about one in four
            if draw() < 0.7:
                options.append((code, "1" if draw() < 0.25 else "0"))
            continue
        ids = _OPTION_IDS[code]
        if code == "size":
            ids = attributes.TOP_SIZES if attribute_set == 9 else attributes.BOTTOM_SIZES
        if code in ("material", "activity"):  # multiselect: comma-separated option ids
            first, second = ids[int(draw() * len(ids))], ids[int(draw() * len(ids))]
            options.append((code, ",".join(str(i) for i in sorted({first, second}))))
        elif draw() < 0.9:
            options.append((code, str(ids[int(draw() * len(ids))])))
    leaves = categories.SET_CATEGORIES[attribute_set]
    flags = {code for code, value in options if value == "1"}
    links = [leaves[int(draw() * len(leaves))]]
    links += [c for code, c in (("sale", categories.SALE), ("eco_collection", categories.ECO_FRIENDLY),
                                ("performance_fabric", categories.PERFORMANCE)) if code in flags]
    if draw() < 0.05:
        links.append(categories.DEFAULT_ROOT_ID)  # some products sit in the root category too
    return Details(adjective, style, translated, tuple(options), 1 + int(draw() * 3), draw() < 0.6,
                   tuple(links), 1 + int(draw() * 2))


def category_ids(catalog: Catalog, row: int) -> tuple[int, ...]:
    """The categories a product is in (as generated, or as an edit set them)."""
    entity_id = catalog.entity_id[row]
    return catalog.category_links.get(entity_id) or details(catalog, row).categories
