"""A generated, deterministic sample Magento catalog with an edits file, for the local stack, tests and benchmarks."""
from __future__ import annotations

import json
import os
import random
import struct
import tempfile
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from hashlib import blake2b

from ..domain.errors import SourceError
from ..domain.feed import StoreView
from ..domain.feeds.products import PRODUCTS
from ..ports import CatalogSource, ReadPosition, SourceProduct

BASE_UPDATED_AT = "2026-01-01T00:00:00.000Z"
RESUME_CHUNK = 500  # products between two positions of a resumable read
SKU_PREFIX = "MS-"
NOT_VISIBLE = "Not Visible Individually"

_VIEWS = (StoreView("default", "main_store", "base", "USD"), StoreView("french", "main_store", "base", "USD"),
          StoreView("german", "eu_store", "eu", "EUR"))
_EUR_RATE = 0.92
_MEDIA = "https://magento.test/media/catalog/product/"
_TYPE_CUTS = ((70, "simple"), (78, "configurable"), (83, "virtual"), (88, "downloadable"),
              (92, "bundle"), (96, "grouped"), (100, "giftcard"))
_TYPE_BY_PERCENT = tuple(next(t for cut, t in _TYPE_CUTS if p < cut) for p in range(100))
_NO_SALABLE_QTY = frozenset(("configurable", "bundle", "grouped"))
_PHYSICAL = frozenset(("simple", "configurable", "bundle"))
# A line decides the attribute set, the words, the category and the attributes; children take their parent's.
_LINES_BY_TYPE = {"simple": ("Default", "Top", "Bottom", "Gear", "Bag"), "configurable": ("Top", "Bottom"),
                  "virtual": ("Service",), "downloadable": ("Downloadable",), "bundle": ("Gear", "Bag"),
                  "grouped": ("Gear", "Default"), "giftcard": ("Gift Card",)}
_ATTRIBUTE_SET = {"Service": "Default", "Gift Card": "Default"}
_NOUNS = {  # English, French, German, then the noun's category
    "Top": (("Hoodie", "Sweat à capuche", "Kapuzenpullover", ("11", "men/tops/hoodies-and-sweatshirts")),
            ("Tee", "T-shirt", "T-Shirt", ("21", "women/tops/tees")),
            ("Jacket", "Veste", "Jacke", ("12", "men/tops/jackets")),
            ("Tank", "Débardeur", "Tanktop", ("22", "women/tops/tanks"))),
    "Bottom": (("Pants", "Pantalon", "Hose", ("13", "men/bottoms/pants")),
               ("Shorts", "Short", "Shorts", ("14", "men/bottoms/shorts")),
               ("Leggings", "Legging", "Leggings", ("23", "women/bottoms/leggings"))),
    "Gear": (("Water Bottle", "Gourde", "Trinkflasche", ("5", "gear/fitness-equipment")),
             ("Yoga Mat", "Tapis de yoga", "Yogamatte", ("5", "gear/fitness-equipment")),
             ("Watch", "Montre", "Uhr", ("6", "gear/watches")),
             ("Foam Roller", "Rouleau de massage", "Faszienrolle", ("5", "gear/fitness-equipment"))),
    "Bag": (("Backpack", "Sac à dos", "Rucksack", ("4", "gear/bags")),
            ("Duffle Bag", "Sac de sport", "Sporttasche", ("4", "gear/bags")),
            ("Tote", "Cabas", "Tragetasche", ("4", "gear/bags"))),
    "Default": (("Headband", "Bandeau", "Stirnband", ("30", "collections/yoga-new")),
                ("Socks", "Chaussettes", "Socken", ("30", "collections/yoga-new")),
                ("Towel", "Serviette", "Handtuch", ("30", "collections/yoga-new"))),
    "Service": (("Warranty", "Garantie", "Garantie", ("50", "services")),
                ("Coaching Session", "Séance de coaching", "Coaching-Termin", ("50", "services"))),
    "Downloadable": (("Training Guide", "Guide d'entraînement", "Trainingsleitfaden", ("40", "training/downloads")),
                     ("Yoga Video", "Vidéo de yoga", "Yoga-Video", ("40", "training/downloads"))),
    "Gift Card": (("Gift Card", "Carte cadeau", "Geschenkkarte", ("60", "gift-cards")),),
}
_ADJECTIVES = (("Classic", "Classique", "Klassisch"), ("Urban", "Urbain", "Urban"), ("Trail", "Trail", "Trail"),
               ("Essential", "Essentiel", "Essenziell"), ("Pro", "Pro", "Pro"), ("Summit", "Sommet", "Gipfel"),
               ("Breeze", "Brise", "Brise"), ("Aero", "Aéro", "Aero"), ("Zen", "Zen", "Zen"),
               ("Cozy", "Douillet", "Gemütlich"), ("Sprint", "Sprint", "Sprint"), ("Nova", "Nova", "Nova"))
_EXTRA_CATEGORIES = (("31", "promotions"), ("32", "collections/erin-recommends"))
_COLORS = ("Black", "Blue", "Gray", "Green", "Red", "White", "Orange", "Purple")
_SIZES = {"Top": ("XS", "S", "M", "L", "XL"), "Bottom": ("28", "30", "32", "34", "36")}
_MATERIALS = ("Nylon", "Polyester", "Plastic", "Steel", "Rubber", "Leather", "Cotton", "Foam")
_ACTIVITIES = ("Yoga", "Running", "Gym", "Hiking", "Travel")
_GIFT_AMOUNTS = (25.0, 50.0, 100.0, 150.0, 200.0)
_SENTENCES = ("The {} is built for everyday training.", "Made to last, the {} keeps up with every workout.",
              "Light and durable, the {} travels well.", "The {} pairs comfort with a clean design.",
              "Our customers rate the {} among their favourites.", "The {} is a staple of the season.")
_SHORT = ("Comfort for every day.", "Built to perform.", "A customer favourite.", "Light, durable, versatile.")
_DAYS = tuple(f"2025-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29))
_VISIBILITY = ("Catalog, Search",) * 85 + ("Catalog",) * 5 + ("Search",) * 5 + (NOT_VISIBLE,) * 5
# Shared by all records (records are read-only Mappings): fewer new containers per product keeps the
# garbage collector, a third of a full read's time, at bay.
_ONE = {label: [label] for label in (*_COLORS, *_SIZES["Top"], *_SIZES["Bottom"], *_ACTIVITIES)}
_MATERIAL_PAIRS = tuple(sorted({a, b}) for a in _MATERIALS for b in _MATERIALS)
_MAIN_ROLES, _NO_ROLES, _NO_PARENTS = ["image", "small_image", "thumbnail"], list[str](), list[dict[str, str]]()
# A product's fields: 4 for its shape, 18 base draws, 8 volatile ones (re-rolled by each revision).
_FIELDS, _REVISION_FIELDS = struct.Struct("<32H"), struct.Struct("<8H")
_SHAPE_DRAWS = (100, 10, len(_ADJECTIVES), 12)
_BASE_DRAWS = (8, 5, 100, len(_MATERIAL_PAIRS), len(_ACTIVITIES), 2, 10, 200, 200, 10, len(_SENTENCES),
               len(_SENTENCES), 100, 10, len(_DAYS), 24, 60, 990)
_VOLATILE_DRAWS = (len(_GIFT_AMOUNTS), 10, 500, 4, 100)


def sku_of(index: int) -> str:
    return f"{SKU_PREFIX}{index:06d}"


def index_of(sku: str) -> int:
    """The product index of a sample sku, or ValueError for a sku not of this scheme."""
    digits = sku[len(SKU_PREFIX):] if isinstance(sku, str) and sku.startswith(SKU_PREFIX) else ""
    if len(digits) < 6 or not digits.isdigit():
        raise ValueError(f"not a sample catalog sku: {sku!r}")
    return int(digits)


def _index_or_none(sku: str) -> int | None:
    try:
        return index_of(sku)
    except ValueError:
        return None


def _fields(key: str, layout: struct.Struct = _FIELDS) -> tuple[int, ...]:
    """16-bit random numbers from a hash of ``key``: cheaper than seeding a Random per product."""
    return layout.unpack(blake2b(key.encode(), digest_size=layout.size).digest())


def _draws(fields: Iterable[int], moduli: tuple[int, ...]) -> list[int]:
    # A 16-bit field modulo at most 1,000 is within 1.5% of uniform: plenty for sample data.
    return [field % modulus for field, modulus in zip(fields, moduli, strict=False)]


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_BASE_INSTANT = _instant(BASE_UPDATED_AT)


class SampleCatalogSource(CatalogSource):
    """Product i is a pure function of (seed, i, revision); revisions and deletions live in the edits file."""

    kind = "sample"

    def __init__(self, products: int = 2000, seed: int = 42, edits_file: str = ""):
        if products < 0:
            raise ValueError(f"products must not be negative, got {products}")
        self.size = products
        self.seed = seed
        self.edits_file = edits_file
        self._kinds: dict[int, str] = {}

    def store_views(self) -> list[StoreView]:
        return list(_VIEWS)

    def feeds(self) -> tuple[str, ...]:
        return (PRODUCTS,)  # a products catalog only

    def read(self, feed: str, changed_since: str | None) -> Iterator[SourceProduct]:
        self.require(feed)
        return self.products(changed_since)

    def read_by_ids(self, feed: str, ids: Collection[str],
                    product_ids: Collection[int] = ()) -> Iterator[SourceProduct]:
        self.require(feed)
        return self.products_by_key(ids, product_ids)

    def read_resumable(self, feed: str, start: str | None) -> Iterator[SourceProduct | ReadPosition]:
        """Every product, RESUME_CHUNK products at a time (each in every view), a position after each chunk: the
        index of the next product."""
        self.require(feed)
        edits = {i: edit for i, edit in self._read_edits().items() if i < self.size}
        first = int(start) if start and start.isdigit() else 0

        def chunks() -> Iterator[SourceProduct | ReadPosition]:
            for low in range(first, self.size, RESUME_CHUNK):
                high = min(low + RESUME_CHUNK, self.size)
                yield from self._records((i, *edits.get(i, (0, BASE_UPDATED_AT))[:2]) for i in range(low, high)
                                         if not edits.get(i, (0, "", False))[2])
                yield ReadPosition(str(high))
        return chunks()

    def count(self, feed: str) -> int | None:
        """Every live product in the default and french views, and the four in five the german one sells."""
        self.require(feed)
        gone = {i for i, (_, _, deleted) in self._read_edits().items() if deleted}
        return sum(2 + (_fields(f"{self.seed}:{i}")[17] % 10 < 8) for i in range(self.size) if i not in gone)

    def products(self, changed_since: str | None) -> Iterator[SourceProduct]:
        # Not a generator itself: the edits file is read, and fails, at the call rather than on first next().
        edits = {i: edit for i, edit in self._read_edits().items() if i < self.size}
        since = None if changed_since is None else _instant(changed_since)
        if since is not None and since > _BASE_INSTANT:
            # Unedited products are older than `since`: only the edited ones need generating.
            return self._records((i, rev, at) for i, (rev, at, gone) in sorted(edits.items())
                                 if not gone and _instant(at) >= since)
        return self._records(self._all(edits, since))

    def products_by_key(self, skus: Collection[str], product_ids: Collection[int]) -> Iterator[SourceProduct]:
        edits = self._read_edits()
        wanted = {i for i in (_index_or_none(sku) for sku in skus) if i is not None}
        wanted |= {pid - 1 for pid in product_ids}  # product ids are index + 1
        items = []
        for i in sorted(i for i in wanted if 0 <= i < self.size):
            rev, at, gone = edits.get(i, (0, BASE_UPDATED_AT, False))
            if not gone:
                items.append((i, rev, at))
        return self._records(items)

    def touch(self, fraction: float, now: str, rng_seed: int | None = None) -> list[str]:
        """Edit round(products * fraction) (at least 1) live products at ``now``; return their skus."""
        if not 0 <= fraction <= 1:
            raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
        _instant(now)
        edits = self._read_edits(for_writing=True)
        gone = {i for i, (_, _, deleted) in edits.items() if deleted}
        candidates = [i for i in range(self.size) if i not in gone] if gone else range(self.size)
        count = min(len(candidates), max(1, round(self.size * fraction)))
        picked = sorted(random.Random(rng_seed).sample(candidates, count))
        for i in picked:
            edits[i] = (edits.get(i, (0,))[0] + 1, now, False)
        self._write_edits(edits)
        return [sku_of(i) for i in picked]

    def delete(self, skus: list[str], now: str) -> None:
        """Take products out of the catalog as of ``now``."""
        _instant(now)
        edits = self._read_edits(for_writing=True)
        indexes = [index_of(sku) for sku in skus]
        for sku, i in zip(skus, indexes, strict=False):
            if i >= self.size:
                raise ValueError(f"{sku} is not in this {self.size}-product catalog")
        for i in indexes:
            edits[i] = (edits.get(i, (0,))[0], now, True)
        self._write_edits(edits)

    def _all(self, edits: dict, since: datetime | None) -> Iterator[tuple[int, int, str]]:
        for i in range(self.size):
            edit = edits.get(i)
            if edit is None:
                yield i, 0, BASE_UPDATED_AT
            elif not edit[2] and (since is None or _instant(edit[1]) >= since):
                yield i, edit[0], edit[1]

    def _records(self, items: Iterable[tuple[int, int, str]]) -> Iterator[SourceProduct]:
        # Each product is generated once and kept for the french and german passes, which copy it with
        # a few fields changed; parallel lists, not a tuple per product, leave the garbage collector less to walk.
        records, names_fr, names_de, germans = [], [], [], []
        for i, rev, updated_at in items:
            record, name_fr, name_de, german = self._generate(i, rev, updated_at)
            records.append(record)
            names_fr.append(name_fr)
            names_de.append(name_de)
            germans.append(german)
            yield record.copy()  # a consumer's change to its record must not reach the other views
        for record, name_fr in zip(records, names_fr, strict=False):
            copy = record.copy()
            copy["store_view_code"], copy["name"] = "french", name_fr
            yield copy
        for record, name_de, german in zip(records, names_de, germans, strict=False):
            if german:
                copy = record.copy()
                price = record["price"]
                copy["store_view_code"], copy["name"] = "german", name_de
                copy["price"] = None if price is None else round(price * _EUR_RATE, 2)
                yield copy

    def _shape(self, i: int) -> tuple[str, str, tuple, tuple, tuple[int, ...]]:
        fields = _fields(f"{self.seed}:{i}")
        percent, line, adjective, noun = _draws(fields, _SHAPE_DRAWS)
        kind = _TYPE_BY_PERCENT[percent]
        if len(self._kinds) > 4096:  # a window is enough: children look back 3 products
            self._kinds.clear()
        self._kinds[i] = kind
        lines = _LINES_BY_TYPE[kind]
        nouns = _NOUNS[lines[line % len(lines)]]
        return kind, lines[line % len(lines)], _ADJECTIVES[adjective], nouns[noun % len(nouns)], fields

    def _parent_of(self, i: int) -> int | None:
        # A configurable's children are the simple products right after it (up to 3).
        for j in range(i - 1, max(i - 4, -1), -1):
            kind = self._kinds.get(j) or self._shape(j)[0]
            if kind != "simple":
                return j if kind == "configurable" else None
        return None

    def _generate(self, i: int, rev: int, updated_at: str) -> tuple[dict, str, str, bool]:
        kind, line, adjective, noun, fields = self._shape(i)
        (color, size, roll, material, activity, extra, two_categories, position, position2, two_images,
         first, second, disabled, german, day, hour, minute, weight) = _draws(fields[4:], _BASE_DRAWS)
        # An edit re-rolls the volatile fields only: price and stock.
        volatile = _fields(f"{self.seed}:{i}:{rev}", _REVISION_FIELDS) if rev else fields[22:30]
        quantity: float  # drawn whole, held as Magento's decimal
        gift, out_of_stock, quantity, reserved, in_stock = _draws(volatile[2:], _VOLATILE_DRAWS)
        price = (volatile[0] << 16 | volatile[1]) % 49_500
        parent = self._parent_of(i) if kind == "simple" else None
        suffix, visibility, attributes = "", _VISIBILITY[roll], {}
        if parent is not None:
            _, line, adjective, noun, _ = self._shape(parent)
            size_label = _SIZES[line][size]
            suffix, visibility = f"-{size_label}-{_COLORS[color]}", NOT_VISIBLE
            attributes = {"color": _ONE[_COLORS[color]], "size": _ONE[size_label]}
        elif line in _SIZES:
            attributes = {"color": _ONE[_COLORS[color]]}
            if kind != "configurable":
                attributes["size"] = _ONE[_SIZES[line][size]]
        if line in ("Gear", "Bag"):
            attributes["material"] = _MATERIAL_PAIRS[material]
        elif line in ("Default", "Downloadable"):
            attributes["activity"] = _ONE[_ACTIVITIES[activity]]
        name = f"{adjective[0]} {noun[0]}{suffix}"
        url_key = f"{name.lower().replace(' ', '-')}-{i + 1}"
        categories = [{"categoryId": noun[3][0], "categoryPath": noun[3][1], "productPosition": position + 1}]
        if two_categories < 3:
            cid, path = _EXTRA_CATEGORIES[extra]
            categories.append({"categoryId": cid, "categoryPath": path, "productPosition": position2 + 1})
        images = [{"resource": {"url": f"{_MEDIA}{url_key}_1.jpg", "label": name, "roles": _MAIN_ROLES},
                   "sortOrder": 1}]
        if two_images < 4:
            images.append({"resource": {"url": f"{_MEDIA}{url_key}_2.jpg", "label": name, "roles": _NO_ROLES},
                           "sortOrder": 2})
        if kind in _NO_SALABLE_QTY:  # Magento keeps no quantity of its own for these
            quantity, salable, in_stock = 0.0, None, in_stock < 92
        else:
            quantity = 0.0 if out_of_stock == 0 else float(quantity + 1)
            salable, in_stock = max(0.0, quantity - reserved), quantity > 0
        tag = f" (rev {rev})" if rev else ""
        record = {
            "store_view_code": "default", "product_id": i + 1, "sku": sku_of(i), "name": name + tag,
            "type": kind, "status": "Disabled" if disabled < 3 else "Enabled", "visibility": visibility,
            "attribute_set": _ATTRIBUTE_SET.get(line, line),
            "price": None if kind == "grouped" else _GIFT_AMOUNTS[gift] if kind == "giftcard" else (price + 500) / 100,
            "quantity": quantity, "salable_quantity": salable, "in_stock": in_stock, "url_key": url_key,
            "description": f"{_SENTENCES[first].format(name)} {_SENTENCES[second].format(name)}",
            "short_description": _SHORT[i % len(_SHORT)],
            "weight": (weight + 10) / 100 if kind in _PHYSICAL else None,
            "attributes": attributes, "categories": categories, "images": images,
            "parents": [{"sku": sku_of(parent), "productType": "configurable"}] if parent is not None else _NO_PARENTS,
            "created_at": f"{_DAYS[day]}T{hour:02d}:{minute:02d}:00.000Z", "updated_at": updated_at,
        }
        return record, f"{noun[1]} {adjective[1]}{suffix}{tag}", f"{adjective[2]} {noun[2]}{suffix}{tag}", german < 8

    def _read_edits(self, for_writing: bool = False) -> dict[int, tuple[int, str, bool]]:
        if not self.edits_file:
            if for_writing:
                raise ValueError("this sample catalog has no edits file to record edits in (set SAMPLE_EDITS_FILE)")
            return {}
        try:
            with open(self.edits_file, encoding="utf-8") as handle:
                raw = json.load(handle)
            edits = {}
            for sku, edit in raw.items():
                at = str(edit.get("updated_at") or BASE_UPDATED_AT)
                _instant(at)
                edits[index_of(sku)] = (int(edit.get("rev", 0)), at, bool(edit.get("deleted", False)))
            return edits
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, AttributeError) as error:
            raise SourceError(f"cannot read the sample edits file {self.edits_file}: {error}") from None

    def _write_edits(self, edits: dict[int, tuple[int, str, bool]]) -> None:
        # Write then rename, so a concurrent reader sees the old file or the new one, never half of one.
        folder = os.path.dirname(os.path.abspath(self.edits_file))
        os.makedirs(folder, exist_ok=True)
        raw = {sku_of(i): {"rev": rev, "updated_at": at, "deleted": gone}
               for i, (rev, at, gone) in sorted(edits.items())}
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False)  # noqa: SIM115
        try:
            with handle:
                json.dump(raw, handle, indent=1)
            os.replace(handle.name, self.edits_file)
        except BaseException:
            os.unlink(handle.name)
            raise
