"""The index's base: the rows in key order as one text, their columns and sort orders, to and from bytes.

The text has one line per row, ``<sku> KEY_END <search text> TEXT_END <ordinal> \\n``: a regular expression
finds the rows a search matches and reads their ordinals in one pass at C speed. Each sort order has its
permutation, each row's place in it (rank), and the filter facets laid out in its order, so that a walk
through the order jumps from one matching row to the next with ``bytes.find``.
"""
from __future__ import annotations

import sys
import zlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

import orjson

from ..errors import CatalogSyncError
from .rows import FIELD, KEY_END, TEXT_END, IndexRow, clean, name_of

MAGIC = b"CSIX1\n"
MAX_CODES = 255  # facet values are one byte (0: none)
_ARRAYS = (("offsets", "I"), ("name_offsets", "I"), ("key_hashes", "I"), ("key_rows", "I"), ("hash32", "I"),
           ("last_modified", "q"), ("last_exported", "q"), ("price", "d"), ("quantity", "d"), ("salable_quantity", "d"),
           ("perm_name", "I"), ("perm_modified", "I"), ("perm_exported", "I"), ("rank_name", "I"),
           ("rank_modified", "I"), ("rank_exported", "I"))
_BYTES = ("status", "view", "type", "visibility", "attribute_set")
ORDERS = ("name", "modified", "exported")  # besides the key order, which is the rows' own
FILTERS = ("status", "view", "type", "visibility")  # the facets a search filters on
NONE = float("nan")  # a number the row does not have


class SnapshotError(CatalogSyncError):
    """A snapshot that cannot be read: missing chunks, or not a snapshot."""


def key_hash(sku: str, store_view_code: str) -> int:
    return zlib.crc32(f"{sku}{FIELD}{store_view_code}".encode())


@dataclass
class Base:
    text: str = ""
    offsets: array = field(default_factory=lambda: array("I", [0]))
    names: str = ""  # the names as shown, one after the other (name_offsets: where each starts)
    name_offsets: array = field(default_factory=lambda: array("I", [0]))
    key_hashes: array = field(default_factory=lambda: array("I"))  # crc32 of the row keys, ascending
    key_rows: array = field(default_factory=lambda: array("I"))  # the row of each hash
    odd_skus: dict[int, str] = field(default_factory=dict)  # SKUs holding a separator, by row
    views: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    visibilities: list[str] = field(default_factory=list)
    attribute_sets: list[str] = field(default_factory=list)
    status: bytes = b""
    view: bytes = b""
    type: bytes = b""
    visibility: bytes = b""
    attribute_set: bytes = b""
    hash32: array = field(default_factory=lambda: array("I"))
    last_modified: array = field(default_factory=lambda: array("q"))
    last_exported: array = field(default_factory=lambda: array("q"))
    price: array = field(default_factory=lambda: array("d"))
    quantity: array = field(default_factory=lambda: array("d"))
    salable_quantity: array = field(default_factory=lambda: array("d"))
    perm_name: array = field(default_factory=lambda: array("I"))
    perm_modified: array = field(default_factory=lambda: array("I"))
    perm_exported: array = field(default_factory=lambda: array("I"))
    rank_name: array = field(default_factory=lambda: array("I"))  # rank_x[row]: the row's place in perm_x
    rank_modified: array = field(default_factory=lambda: array("I"))
    rank_exported: array = field(default_factory=lambda: array("I"))
    # by_order["status@name"]: the status of the rows in the order of perm_name; and so on.
    by_order: dict[str, bytes] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.offsets) - 1


def _vocabulary(values: Iterable[str | None], what: str) -> list[str]:
    found = sorted({value for value in values if value})
    if len(found) >= MAX_CODES:
        raise ValueError(f"the search index holds at most {MAX_CODES - 1} distinct {what} values, got {len(found)}")
    return found


def _codes(values: Iterable[str | None], vocabulary: list[str]) -> bytes:
    codes = {value: code for code, value in enumerate(vocabulary, 1)}
    return bytes(codes.get(value, 0) if value else 0 for value in values)


def build(rows: Iterable[IndexRow]) -> Base:
    """The base of these rows (one per key); sorts them (seconds per million rows: for the sync, not a request)."""
    ordered = sorted(rows, key=lambda row: (row.sku, row.store_view_code))
    views = _vocabulary((row.store_view_code for row in ordered), "store view")
    base = Base(views=views, types=_vocabulary((row.type for row in ordered), "type"),
                visibilities=_vocabulary((row.visibility for row in ordered), "visibility"),
                attribute_sets=_vocabulary((row.attribute_set for row in ordered), "attribute set"))
    lines = []
    for i, row in enumerate(ordered):
        sku = clean(row.sku)
        if sku != row.sku:
            base.odd_skus[i] = row.sku
        lines.append(f"{sku}{KEY_END}{row.text}{TEXT_END}{i}\n")
    base.text = "".join(lines)
    base.offsets = array("I", accumulate(map(len, lines), initial=0))
    names = [row.name or "" for row in ordered]
    base.names = "".join(names)
    base.name_offsets = array("I", accumulate(map(len, names), initial=0))
    hashes = [key_hash(row.sku, row.store_view_code) for row in ordered]
    by_hash = sorted(range(len(ordered)), key=hashes.__getitem__)
    base.key_hashes = array("I", (hashes[i] for i in by_hash))
    base.key_rows = array("I", by_hash)
    base.status = bytes(row.status for row in ordered)
    base.view = _codes((row.store_view_code for row in ordered), views)
    base.type = _codes((row.type for row in ordered), base.types)
    base.visibility = _codes((row.visibility for row in ordered), base.visibilities)
    base.attribute_set = _codes((row.attribute_set for row in ordered), base.attribute_sets)
    for name in ("price", "quantity", "salable_quantity"):
        setattr(base, name, array("d", (NONE if getattr(row, name) is None else getattr(row, name) for row in ordered)))
    base.hash32 = array("I", (row.hash32 for row in ordered))
    base.last_modified = array("q", (row.last_modified for row in ordered))
    base.last_exported = array("q", (row.last_exported for row in ordered))
    # Stable sorts of rows already in key order: equal values keep (sku, store view) order, as keys require.
    names = [name_of(row.text) for row in ordered]
    base.perm_name = array("I", sorted(range(len(ordered)), key=names.__getitem__))
    base.perm_modified = array("I", sorted(range(len(ordered)), key=base.last_modified.__getitem__))
    base.perm_exported = array("I", sorted(range(len(ordered)), key=base.last_exported.__getitem__))
    for order in ORDERS:
        perm = getattr(base, f"perm_{order}")
        rank = array("I", bytes(4 * len(perm)))
        for place, row in enumerate(perm):
            rank[row] = place
        setattr(base, f"rank_{order}", rank)
        for facet in FILTERS:
            base.by_order[f"{facet}@{order}"] = bytes(map(getattr(base, facet).__getitem__, perm))
    return base


def encode(base: Base, level: int = 1) -> bytes:
    header = {"rows": base.rows, "views": base.views, "types": base.types, "visibilities": base.visibilities,
              "attribute_sets": base.attribute_sets,
              "odd_skus": {str(i): sku for i, sku in base.odd_skus.items()}, "byteorder": sys.byteorder,
              "arrays": [name for name, _ in _ARRAYS], "bytes": list(_BYTES), "by_order": list(base.by_order)}
    sections = [orjson.dumps(header), base.text.encode(), base.names.encode()]
    sections += [getattr(base, name).tobytes() for name, _ in _ARRAYS]
    sections += [bytes(getattr(base, name)) for name in _BYTES]
    sections += [base.by_order[name] for name in header["by_order"]]
    body = b"".join(len(section).to_bytes(8, "little") + section for section in sections)
    return MAGIC + zlib.compress(body, level)


def decode(data: bytes) -> Base:
    if not data.startswith(MAGIC):
        raise SnapshotError("not a search index snapshot")
    try:
        body = memoryview(zlib.decompress(data[len(MAGIC):]))
    except zlib.error as error:
        raise SnapshotError(f"the snapshot is damaged: {error}") from None
    sections, at = [], 0
    while at < len(body):
        size = int.from_bytes(body[at:at + 8], "little")
        sections.append(body[at + 8:at + 8 + size])
        at += 8 + size
    header = orjson.loads(sections[0])
    expected = 3 + len(_ARRAYS) + len(_BYTES) + len(header.get("by_order", ()))
    if len(sections) != expected or header.get("arrays") != [n for n, _ in _ARRAYS]:
        raise SnapshotError(f"the snapshot has {len(sections)} sections, expected {expected}")
    base = Base(text=str(sections[1], "utf-8"), names=str(sections[2], "utf-8"),
                odd_skus={int(i): sku for i, sku in header["odd_skus"].items()}, views=header["views"],
                types=header["types"], visibilities=header["visibilities"], attribute_sets=header["attribute_sets"])
    for (name, code), section in zip(_ARRAYS, sections[3:], strict=False):
        values = array(code)
        values.frombytes(section)
        if header["byteorder"] != sys.byteorder:
            values.byteswap()
        setattr(base, name, values)
    for name, section in zip(_BYTES, sections[3 + len(_ARRAYS):], strict=False):
        setattr(base, name, bytes(section))
    for name, section in zip(header["by_order"], sections[3 + len(_ARRAYS) + len(_BYTES):], strict=False):
        base.by_order[name] = bytes(section)
    if base.rows != header["rows"]:
        raise SnapshotError(f"the snapshot holds {base.rows} rows, its header says {header['rows']}")
    return base
