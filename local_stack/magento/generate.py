"""A deterministic catalog: the same size and seed give the same products, in realistic proportions.

About 12 % of draws make a configurable product with 2-6 simple children (consecutive ids just before the
parent, not visible individually), 4 % a bundle and 4 % a grouped product over recent simple products, 6 %
virtual, 5 % downloadable, the rest simple. Websites: 65 % both, 25 % base only, 10 % eu only; about 30 % of
products carry the updated_at of one of a few bulk imports (ties), the rest a time after their creation.
Prices beyond the base price come from ``generate_prices`` (their own random stream, laid out around ``anchor``).
"""
from __future__ import annotations

import random

from . import attributes, layout
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
)
from .generate_prices import generate_prices
from .model import BUNDLE_OPTION_TYPES, Bundle, BundleOption, GroupedLink, Selection

IMPORT_RUNS = 24  # bulk imports stamp many products with one updated_at: ties are common in real catalogs
NO_STOCK_MANAGEMENT = {SIMPLE: 0.02, VIRTUAL: 0.5, DOWNLOADABLE: 0.7}  # share with "Manage Stock" off
SECOND_SOURCE = {"us_west": 0.5, "eu_pickup": 0.35}  # share of a website's products also stocked there
OPTION_TITLES = ("Mat", "Strap", "Bottle", "Towel", "Bag", "Bands", "Block", "Socks", "Headband", "Guide")


def generate(products: int = 2000, seed: int = 42, anchor: int = EPOCH_END) -> Catalog:
    catalog = Catalog(seed)
    _generate(catalog, products, random.Random(seed))
    _relate(catalog, random.Random(f"{seed}:links"))
    generate_prices(catalog, random.Random(f"{seed}:prices"), anchor)
    return catalog


def _generate(catalog: Catalog, count: int, rng: random.Random) -> None:
    imports = sorted(rng.randrange(EPOCH_START, EPOCH_END) for _ in range(IMPORT_RUNS))
    simple_ids: list[int] = []
    entity_id = 1
    while entity_id <= count:
        remaining = count - entity_id + 1
        draw = _overdue(catalog, entity_id, count, len(simple_ids)) or rng.random()
        created = rng.randrange(EPOCH_START, EPOCH_END - 86400)
        updated = _updated(rng, created, imports)
        if draw < 0.12 and remaining >= 3:
            entity_id = _configurable(catalog, rng, entity_id, remaining, created, updated)
            continue
        if draw < 0.16 and len(simple_ids) >= 4:
            _bundle(catalog, rng, entity_id, simple_ids, created, updated)
        elif draw < 0.20 and len(simple_ids) >= 4:
            _grouped(catalog, rng, entity_id, simple_ids, created, updated)
        elif draw < 0.26:
            _simple_like(catalog, rng, entity_id, VIRTUAL, 4, created, updated)
        elif draw < 0.31:
            _simple_like(catalog, rng, entity_id, DOWNLOADABLE, 12, created, updated)
        else:
            _simple_like(catalog, rng, entity_id, SIMPLE, rng.choice((4, 9, 10, 11, 11)), created, updated)
            simple_ids.append(entity_id)
        entity_id += 1


def _overdue(catalog: Catalog, entity_id: int, count: int, simples: int) -> float:
    """A draw that makes the next product of a type a small catalog has none of yet (0: none overdue)."""
    if entity_id < count // 4 or entity_id > 400 or simples < 4:
        return 0.0  # (a catalog of hundreds has every type anyway)
    for kind, draw in ((BUNDLE, 0.13), (GROUPED, 0.17), (VIRTUAL, 0.21), (DOWNLOADABLE, 0.27)):
        if kind not in catalog.type:
            return draw
    return 0.0


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
    """A source item at each website's main source, and at its second source for some products."""
    result = {}
    for source in layout.SOURCES:
        if websites & layout.WEBSITE_BITS[source.website_id] and (
                source.priority == 1 or rng.random() < SECOND_SOURCE.get(source.code, 0)):
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
                         quantities=_quantities(rng, websites),
                         manage_stock=rng.random() >= NO_STOCK_MANAGEMENT[kind])
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
    colors = sorted(rng.sample([o.id for o in attributes.COLOR.options], rng.randint(1, 3)))
    sizes = sorted(rng.sample(attributes.TOP_SIZES if attribute_set == 9 else attributes.BOTTOM_SIZES,
                              rng.randint(2, 4)))
    count = min(rng.randint(2, 6), len(colors) * len(sizes), remaining - 1)
    parent_id = entity_id + count
    parent_sku = f"{SET_PREFIX[attribute_set]}-{parent_id:06d}"
    websites = _websites(rng)
    base_price = rng.randint(15, 120)
    labels = {o.id: o.label for o in attributes.SIZE.options + attributes.COLOR.options}
    children = []
    for position in range(count):
        color, size = colors[position // len(sizes)], sizes[position % len(sizes)]
        row = catalog.append(entity_id + position, f"{parent_sku}-{labels[size]}-{labels[color]}", SIMPLE,
                             attribute_set, parent=parent_id, created=created, updated=updated,
                             status=_status(rng), visibility=1, websites=websites,
                             price=base_price * 100 + rng.choice((0, 0, 500)), weight=rng.randint(20, 200),
                             quantities=_quantities(rng, websites))
        _maybe_out_of_stock(catalog, rng, row)
        catalog.variant[entity_id + position] = (color, size)
        children.append(entity_id + position)
    catalog.append(parent_id, parent_sku, CONFIGURABLE, attribute_set, created=created, updated=updated,
                   status=_status(rng), visibility=4, websites=websites, price=0)
    _maybe_store_status(catalog, rng, parent_id)
    catalog.configurable[parent_id] = children
    return parent_id + 1


def _bundle(catalog: Catalog, rng: random.Random, entity_id: int, simple_ids: list[int], created: int,
            updated: int) -> None:
    """2-4 options (the first required, the others required 3 times in 4), 1-3 selections each."""
    fixed = rng.random() < 0.3
    catalog.append(entity_id, f"{SET_PREFIX[11]}-B{entity_id:06d}", BUNDLE, 11, created=created, updated=updated,
                   status=_status(rng), visibility=4, websites=3, price=_price(rng, 30, 150) if fixed else 0)
    titles = rng.sample(OPTION_TITLES, rng.choice((2, 3, 3, 4, 4)))
    counts = [rng.randint(1, 3) for _ in titles]
    pool = rng.sample(simple_ids[-300:], min(sum(counts), len(simple_ids[-300:])))  # a product in one option only
    options = []
    for position, (title, count) in enumerate(zip(titles, counts, strict=True), start=1):
        kind = rng.choices(BUNDLE_OPTION_TYPES, (20, 55, 15, 10))[0]
        single = kind in ("select", "radio")
        option = BundleOption(catalog.allocate_option_id(), title, position == 1 or rng.random() < 0.75, kind,
                              position)
        members, pool = pool[:count] or pool[-1:], pool[count:] or pool[-1:]
        for n, member in enumerate(members, start=1):
            option.selections.append(Selection(
                catalog.allocate_selection_id(), member, rng.choice((1, 1, 1, 2, 5)) if single else 1,
                n == 1 if single else (kind == "checkbox" and rng.random() < 0.5),
                rng.choice((0, 1)) if single else 0, n,
                price=_price(rng, 5, 40) if fixed else 0, price_type=1 if fixed and rng.random() < 0.2 else 0))
        options.append(option)
    catalog.bundles[entity_id] = Bundle(fixed, options)


def _grouped(catalog: Catalog, rng: random.Random, entity_id: int, simple_ids: list[int], created: int,
             updated: int) -> None:
    attribute_set = rng.choice((4, 11))
    catalog.append(entity_id, f"{SET_PREFIX[attribute_set]}-G{entity_id:06d}", GROUPED, attribute_set,
                   created=created, updated=updated, status=_status(rng), visibility=4, websites=3, price=0)
    members = sorted(rng.sample(simple_ids[-200:], rng.randint(2, 4)))
    catalog.grouped[entity_id] = [GroupedLink(member, rng.choice((1, 1, 1, 2, 0)), position)
                                  for position, member in enumerate(members, start=1)]


def _relate(catalog: Catalog, rng: random.Random) -> None:
    """Related (10 %), upsell (4 %) and crosssell (4 %) links from visible products to nearby ones."""
    visible = [row for row in range(len(catalog)) if catalog.visibility[row] != 1]
    for index, row in enumerate(visible):
        for link_type, share in (("related", 0.10), ("upsell", 0.04), ("crosssell", 0.04)):
            if rng.random() < share:
                nearby = visible[max(0, index - 20):index] + visible[index + 1:index + 21]
                picked = rng.sample(nearby, min(len(nearby), rng.randint(1, 3)))
                catalog.product_links.setdefault(catalog.entity_id[row], []).extend(
                    (link_type, catalog.entity_id[other]) for other in picked)
