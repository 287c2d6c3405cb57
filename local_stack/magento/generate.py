"""A deterministic catalog: the same size and seed give the same products, in realistic proportions.

About 12 % of draws make a configurable product with 2-6 simple children (consecutive ids just before the
parent), 4 % a bundle and 4 % a grouped product over recent simple products, 6 % virtual, 5 % downloadable,
the rest simple. Websites: 65 % both, 25 % base only, 10 % eu only; about 30 % of products carry the
updated_at of one of a few bulk imports (ties), the rest a time after their creation.
"""
from __future__ import annotations

import random

from . import layout
from .catalog import (
    BUNDLE,
    CONFIGURABLE,
    DOWNLOADABLE,
    EPOCH_END,
    EPOCH_START,
    GROUPED,
    SET_PREFIX,
    SIMPLE,
    VIRTUAL,
    Catalog,
    Family,
)


def generate(products: int = 2000, seed: int = 42) -> Catalog:
    catalog = Catalog(seed)
    _generate(catalog, products, random.Random(seed))
    return catalog


IMPORT_RUNS = 24  # bulk imports stamp many products with one updated_at: ties are common in real catalogs


def _generate(catalog: Catalog, count: int, rng: random.Random) -> None:
    imports = sorted(rng.randrange(EPOCH_START, EPOCH_END) for _ in range(IMPORT_RUNS))
    simple_ids: list[int] = []
    entity_id = 1
    while entity_id <= count:
        remaining = count - entity_id + 1
        draw = rng.random()
        created = rng.randrange(EPOCH_START, EPOCH_END - 86400)
        updated = _updated(rng, created, imports)
        if draw < 0.12 and remaining >= 3:
            entity_id = _configurable(catalog, rng, entity_id, remaining, created, updated)
            continue
        if draw < 0.16 and len(simple_ids) >= 4:
            _composite(catalog, rng, entity_id, BUNDLE, 11, simple_ids, created, updated)
        elif draw < 0.20 and len(simple_ids) >= 4:
            _composite(catalog, rng, entity_id, GROUPED, rng.choice((4, 11)), simple_ids, created, updated)
        elif draw < 0.26:
            _simple_like(catalog, rng, entity_id, VIRTUAL, 4, created, updated)
        elif draw < 0.31:
            _simple_like(catalog, rng, entity_id, DOWNLOADABLE, 12, created, updated)
        else:
            _simple_like(catalog, rng, entity_id, SIMPLE, rng.choice((4, 9, 10, 11, 11)), created, updated)
            simple_ids.append(entity_id)
        entity_id += 1


def _updated(rng: random.Random, created: int, imports: list[int]) -> int:
    if rng.random() < 0.3:
        later = [moment for moment in imports if moment >= created]
        if later:
            return rng.choice(later)
    return min(EPOCH_END, created + int(rng.expovariate(1 / (120 * 86400))))


def _websites(rng: random.Random) -> int:
    draw = rng.random()
    return 3 if draw < 0.65 else 1 if draw < 0.9 else 2


def _quantities(rng: random.Random, websites: int) -> dict[str, int]:
    result = {}
    for source in layout.SOURCES:
        if websites & layout.WEBSITE_BITS[source.website_id]:
            result[source.code] = 0 if rng.random() < 0.1 else rng.randint(1, 500)
    return result


def _status(rng: random.Random) -> int:
    return 2 if rng.random() < 0.07 else 1


def _price(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high) * 100 + rng.choice((0, 0, 50, 99))


def _simple_like(catalog: Catalog, rng: random.Random, entity_id: int, kind: int, attribute_set: int,
                 created: int, updated: int) -> None:
    websites = _websites(rng)
    sku = f"{SET_PREFIX[attribute_set]}-{entity_id:06d}"
    if kind == SIMPLE and rng.random() < 0.01:
        sku += " B"  # SKUs may hold spaces: clients must encode them in paths and filters
    visibility = rng.choices((4, 2, 3, 1), (85, 5, 5, 5))[0] if kind == SIMPLE else 4
    low, high = {SIMPLE: (5, 250), VIRTUAL: (10, 200), DOWNLOADABLE: (2, 60)}[kind]
    row = catalog.append(entity_id, sku, kind, attribute_set, created=created, updated=updated,
                         status=_status(rng), visibility=visibility, websites=websites, price=_price(rng, low, high),
                         weight=rng.randint(10, 1000) if kind == SIMPLE else -1,
                         quantities=_quantities(rng, websites))
    _maybe_out_of_stock(catalog, rng, row)
    _maybe_store_status(catalog, rng, entity_id)


def _maybe_out_of_stock(catalog: Catalog, rng: random.Random, row: int) -> None:
    if rng.random() < 0.01:  # set out of stock by hand although quantity is left
        for statuses in catalog.source_status.values():
            statuses[row] = 0


def _maybe_store_status(catalog: Catalog, rng: random.Random, entity_id: int) -> None:
    if rng.random() < 0.03:
        catalog.statuses[(entity_id, 2)] = 2  # disabled on the EU website only


def _configurable(catalog: Catalog, rng: random.Random, entity_id: int, remaining: int, created: int,
                  updated: int) -> int:
    attribute_set = rng.choice((9, 10))
    colors = tuple(sorted(rng.sample([o.id for o in layout.COLOR.options], rng.randint(1, 3))))
    sizes = tuple(sorted(rng.sample(layout.TOP_SIZES if attribute_set == 9 else layout.BOTTOM_SIZES,
                                    rng.randint(2, 4))))
    count = min(rng.randint(2, 6), len(colors) * len(sizes), remaining - 1)
    parent_id = entity_id + count
    parent_sku = f"{SET_PREFIX[attribute_set]}-{parent_id:06d}"
    family = Family(entity_id, count, colors, sizes)
    websites = _websites(rng)
    base_price = rng.randint(15, 120)
    labels = {o.id: o.label for o in layout.SIZE.options + layout.COLOR.options}
    for position in range(count):
        color, size = family.variant(position)
        row = catalog.append(entity_id + position, f"{parent_sku}-{labels[size]}-{labels[color]}", SIMPLE,
                             attribute_set, parent=parent_id, created=created, updated=updated,
                             status=_status(rng), visibility=1, websites=websites,
                             price=base_price * 100 + rng.choice((0, 0, 500)), weight=rng.randint(20, 200),
                             quantities=_quantities(rng, websites))
        _maybe_out_of_stock(catalog, rng, row)
    catalog.append(parent_id, parent_sku, CONFIGURABLE, attribute_set, created=created, updated=updated,
                   status=_status(rng), visibility=4, websites=websites, price=0)
    _maybe_store_status(catalog, rng, parent_id)
    catalog.families[parent_id] = family
    return parent_id + 1


def _composite(catalog: Catalog, rng: random.Random, entity_id: int, kind: int, attribute_set: int,
               simple_ids: list[int], created: int, updated: int) -> None:
    linked = tuple(sorted(rng.sample(simple_ids[-200:], rng.randint(2, 4))))
    catalog.append(entity_id, f"{SET_PREFIX[attribute_set]}-{'BG'[kind == GROUPED]}{entity_id:06d}", kind,
                   attribute_set, created=created, updated=updated, status=_status(rng), visibility=4,
                   websites=3, price=0)
    catalog.links[entity_id] = linked
