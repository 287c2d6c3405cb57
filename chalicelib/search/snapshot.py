"""The index's base: the rows in key order as one text, their columns and sort orders, to and from bytes.

The text has one line per row, ``<sku> KEY_END <search text> TEXT_END <ordinal> \\n``, in UTF-8 bytes (a str
would take 2 or 4 bytes a character for the whole text as soon as one name holds a character past U+00FF): a
regular expression finds the rows a search matches and reads their ordinals in one pass at C speed. Each sort
order has its permutation, each row's place in it (rank), and the filter facets laid out in its order, so that a
walk through the order jumps from one matching row to the next with ``bytes.find``.

A snapshot is a header and sections, each compressed on its own with Zstandard: a cold start decompresses them
one at a time straight into the columns (5 times zlib's speed, and never the whole body in memory at once).
"""
from __future__ import annotations

import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import orjson
import zstandard

from .rows import FIELD, KEY_END, TEXT_END, IndexRow, clean, name_of
from .store import SnapshotError

MAGIC = b"CSIX2\n"
_MAGIC_V1 = b"CSIX1\n"  # one zlib stream of every section, text as str: read so that a deployment keeps working
MAX_CODES = 255  # facet values are one byte (0: none)
_ARRAYS = (("offsets", "I"), ("name_offsets", "I"), ("key_hashes", "I"), ("key_rows", "I"), ("hash32", "I"),
           ("last_modified", "q"), ("last_exported", "q"), ("price", "d"), ("quantity", "d"), ("salable_quantity", "d"),
           ("perm_name", "I"), ("perm_modified", "I"), ("perm_exported", "I"), ("rank_name", "I"),
           ("rank_modified", "I"), ("rank_exported", "I"))
_BYTES = ("status", "view", "type", "visibility", "attribute_set")
ORDERS = ("name", "modified", "exported")  # besides the key order, which is the rows' own
FILTERS = ("status", "view", "type", "visibility")  # the facets a search filters on
NONE = float("nan")  # a number the row does not have


def key_hash(sku: str, store_view_code: str) -> int:
    return zlib.crc32(f"{sku}{FIELD}{store_view_code}".encode())


@dataclass
class Base:
    text: bytes = b""
    offsets: array[int] = field(default_factory=lambda: array("I", [0]))
    names: bytes = b""  # the names as shown (UTF-8), one after the other (name_offsets: where each starts)
    name_offsets: array[int] = field(default_factory=lambda: array("I", [0]))
    key_hashes: array[int] = field(default_factory=lambda: array("I"))  # crc32 of the row keys, ascending
    key_rows: array[int] = field(default_factory=lambda: array("I"))  # the row of each hash
    odd_skus: dict[int, str] = field(default_factory=dict)  # SKUs holding a separator, by row
    views: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    visibilities: list[str] = field(default_factory=list)
    attribute_sets: list[str] = field(default_factory=list)
    status: bytearray = field(default_factory=bytearray)
    view: bytearray = field(default_factory=bytearray)
    type: bytearray = field(default_factory=bytearray)
    visibility: bytearray = field(default_factory=bytearray)
    attribute_set: bytearray = field(default_factory=bytearray)
    hash32: array[int] = field(default_factory=lambda: array("I"))
    last_modified: array[int] = field(default_factory=lambda: array("q"))
    last_exported: array[int] = field(default_factory=lambda: array("q"))
    price: array[float] = field(default_factory=lambda: array("d"))
    quantity: array[float] = field(default_factory=lambda: array("d"))
    salable_quantity: array[float] = field(default_factory=lambda: array("d"))
    perm_name: array[int] = field(default_factory=lambda: array("I"))
    perm_modified: array[int] = field(default_factory=lambda: array("I"))
    perm_exported: array[int] = field(default_factory=lambda: array("I"))
    rank_name: array[int] = field(default_factory=lambda: array("I"))  # rank_x[row]: the row's place in perm_x
    rank_modified: array[int] = field(default_factory=lambda: array("I"))
    rank_exported: array[int] = field(default_factory=lambda: array("I"))
    # by_order["status@name"]: the status of the rows in the order of perm_name; and so on.
    by_order: dict[str, bytearray] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.offsets) - 1


def _vocabulary(values: Iterable[str | None], what: str) -> list[str]:
    found = sorted({value for value in values if value})
    if len(found) >= MAX_CODES:
        raise ValueError(f"the search index holds at most {MAX_CODES - 1} distinct {what} values, got {len(found)}")
    return found


def _codes(values: Iterable[str | None], vocabulary: list[str]) -> bytearray:
    codes = {value: code for code, value in enumerate(vocabulary, 1)}
    return bytearray(codes.get(value, 0) if value else 0 for value in values)


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
        lines.append(f"{sku}{KEY_END}{row.text}{TEXT_END}{i}\n".encode())
    base.text = b"".join(lines)
    base.offsets = array("I", accumulate(map(len, lines), initial=0))
    shown = [(row.name or "").encode() for row in ordered]
    base.names = b"".join(shown)
    base.name_offsets = array("I", accumulate(map(len, shown), initial=0))
    hashes = [key_hash(row.sku, row.store_view_code) for row in ordered]
    by_hash = sorted(range(len(ordered)), key=hashes.__getitem__)
    base.key_hashes = array("I", (hashes[i] for i in by_hash))
    base.key_rows = array("I", by_hash)
    base.status = bytearray(row.status for row in ordered)
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
            base.by_order[f"{facet}@{order}"] = bytearray(map(getattr(base, facet).__getitem__, perm))
    return base


def encode(base: Base, level: int = 1) -> bytes:
    header: dict[str, Any] = {
        "rows": base.rows, "views": base.views, "types": base.types, "visibilities": base.visibilities,
        "attribute_sets": base.attribute_sets, "odd_skus": {str(i): sku for i, sku in base.odd_skus.items()},
        "byteorder": sys.byteorder, "arrays": [name for name, _ in _ARRAYS], "bytes": list(_BYTES),
        "by_order": list(base.by_order)}
    sections: list[bytes | bytearray | array[Any]] = [orjson.dumps(header), base.text, base.names]
    sections += [getattr(base, name) for name, _ in _ARRAYS]
    sections += [getattr(base, name) for name in _BYTES]
    sections += [base.by_order[name] for name in header["by_order"]]
    compressor = zstandard.ZstdCompressor(level=level)
    parts = [MAGIC]
    for section in sections:
        packed = compressor.compress(memoryview(section))
        parts += [len(packed).to_bytes(8, "little"), packed]
    return b"".join(parts)


def _sections(data: bytes) -> Iterator[bytes]:
    """Each section's bytes, decompressed one at a time."""
    if data.startswith(_MAGIC_V1):
        yield from _sections_v1(data)
        return
    if not data.startswith(MAGIC):
        raise SnapshotError("not a search index snapshot")
    view, at, decompressor = memoryview(data), len(MAGIC), zstandard.ZstdDecompressor()
    while at < len(data):
        size = int.from_bytes(view[at:at + 8], "little")
        if size < 0 or at + 8 + size > len(data):
            raise SnapshotError("the snapshot is damaged: a section runs past its end")
        try:
            yield decompressor.decompress(view[at + 8:at + 8 + size])
        except zstandard.ZstdError as error:
            raise SnapshotError(f"the snapshot is damaged: {error}") from None
        at += 8 + size


def _sections_v1(data: bytes) -> Iterator[bytes]:
    try:
        body = memoryview(zlib.decompress(data[len(_MAGIC_V1):]))
    except zlib.error as error:
        raise SnapshotError(f"the snapshot is damaged: {error}") from None
    at = 0
    while at < len(body):
        size = int.from_bytes(body[at:at + 8], "little")
        yield bytes(body[at + 8:at + 8 + size])
        at += 8 + size


def _text_as_bytes(base: Base) -> None:
    """Version 1 kept the text and the names as str, their offsets counting characters: count bytes instead."""
    lines = base.text.split(b"\n")[:-1]
    base.offsets = array("I", accumulate((len(line) + 1 for line in lines), initial=0))
    names = base.names.decode()
    shown = (names[start:end].encode() for start, end in zip(base.name_offsets, base.name_offsets[1:], strict=False))
    base.name_offsets = array("I", accumulate(map(len, shown), initial=0))


def decode(data: bytes) -> Base:
    sections = _sections(data)
    try:
        header = orjson.loads(next(sections))
        text, names = next(sections), next(sections)
    except (StopIteration, orjson.JSONDecodeError):
        raise SnapshotError("the snapshot is damaged: no header") from None
    base = Base(text=text, names=names, odd_skus={int(i): sku for i, sku in header["odd_skus"].items()},
                views=header["views"], types=header["types"], visibilities=header["visibilities"],
                attribute_sets=header["attribute_sets"])
    if header.get("arrays") != [name for name, _ in _ARRAYS]:
        raise SnapshotError("the snapshot's columns are not this version's")
    found = 3
    for (name, code), section in zip(_ARRAYS, sections, strict=False):
        values = array(code)
        values.frombytes(section)
        if header["byteorder"] != sys.byteorder:
            values.byteswap()
        setattr(base, name, values)
        found += 1
    for name, section in zip(_BYTES, sections, strict=False):
        setattr(base, name, bytearray(section))
        found += 1
    for name, section in zip(header["by_order"], sections, strict=False):
        base.by_order[name] = bytearray(section)
        found += 1
    expected = 3 + len(_ARRAYS) + len(_BYTES) + len(header["by_order"])
    if found != expected or next(sections, None) is not None:
        raise SnapshotError(f"the snapshot has {found} sections, expected {expected}")
    if base.rows != header["rows"]:
        raise SnapshotError(f"the snapshot holds {base.rows} rows, its header says {header['rows']}")
    if data.startswith(_MAGIC_V1):
        _text_as_bytes(base)
    return base
