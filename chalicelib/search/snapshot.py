"""The index's base: the rows in key order, their search texts, columns and sort orders, to and from bytes.

A search scans two small texts rather than one line per row, each line ``<text> TEXT_END <number> \\n`` in UTF-8
bytes, so that one regular-expression pass finds the lines a search matches and reads their numbers at C speed:

- ``products``: one line per run of rows (store views) of one SKU, ``<product id> FIELD <folded SKU>``; the run's
  rows are consecutive in key order (``run_rows``).
- ``names``: one line per distinct folded name, in the name order; the rows of a name are consecutive places in
  that order (``name_places``), so a matching name is one slice of a mask, however many rows share it.

Each sort order has its permutation, each row's place in it (rank), and the filter facets laid out in its order,
so that a walk through the order jumps from one matching row to the next with ``bytes.find``.

A snapshot is a header (its sections' names, types, codecs and sizes) and the sections, each on its own: a cold
start reads each as soon as its bytes have arrived (they may still be arriving: see s3_snapshots.py). Sections
that Zstandard shrinks well (texts, facets, times, prices) are compressed; the integer arrays it barely shrinks
(offsets, permutations, ranks, hashes: a quarter at best) are stored raw at 8-byte boundaries, and those the index
only reads are used in place, as typed ``memoryview``s of the snapshot's bytes: a cold start neither decompresses
nor copies them. The index copies only the columns it changes.
"""
from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import orjson
import zstandard

from .rows import FIELD, TEXT_END, IndexRow
from .store import Arriving, SnapshotError

MAGIC = b"CSIX4\n"
MAX_CODES = 255  # facet values are one byte (0: none)
ORDERS = ("name", "modified", "exported")  # besides the key order, which is the rows' own
FILTERS = ("status", "view", "type", "visibility")  # the facets a search filters on
NONE = float("nan")  # a number the row does not have
ALIGN = 8  # a raw section starts at a multiple of this in the snapshot (its values are read in place)
# Every section: its name, its type and how it is stored. Types: "bytes" (read only), "bytearray" (a column that
# changes), "array:<code>" (an array that changes: copied), "view:<code>" (read only: a typed view, no copy).
# Stored: "zstd" (compressed on its own) or "raw".
_SECTIONS = (("products", "bytes", "zstd"), ("product_lines", "view:I", "raw"), ("run_rows", "view:I", "raw"),
             ("skus", "bytes", "zstd"), ("sku_offsets", "view:I", "raw"), ("names", "bytes", "zstd"),
             ("name_lines", "view:I", "raw"), ("name_places", "view:I", "raw"), ("shown", "bytes", "zstd"),
             ("shown_offsets", "view:I", "raw"), ("hash32", "array:I", "raw"),
             ("last_modified", "view:q", "zstd"), ("last_exported", "view:q", "zstd"),
             ("price", "array:d", "zstd"), ("quantity", "array:d", "zstd"), ("salable_quantity", "array:d", "zstd"),
             ("perm_name", "view:I", "raw"), ("perm_modified", "view:I", "raw"), ("perm_exported", "view:I", "raw"),
             ("rank_name", "view:I", "raw"), ("rank_modified", "view:I", "raw"), ("rank_exported", "view:I", "raw"),
             ("status", "bytearray", "zstd"), ("view", "bytearray", "zstd"), ("type", "bytearray", "zstd"),
             ("visibility", "bytearray", "zstd"), ("attribute_set", "bytearray", "zstd"),
             *((f"{facet}@{order}", "bytearray", "zstd") for order in ORDERS for facet in FILTERS))
Ints = Sequence[int]  # an array("I"/"q") built here, or a typed memoryview of a snapshot's bytes (read only)


def _offsets() -> array[int]:
    return array("I", [0])


@dataclass
class Base:
    products: bytes = b"\n"  # a newline first: every line follows one (a product id is found at a line's start)
    product_lines: Ints = field(default_factory=lambda: array("I", [1]))  # where each run's line starts
    run_rows: Ints = field(default_factory=_offsets)  # the first row of each run, then the number of rows
    skus: bytes = b""  # each run's SKU as it is (UTF-8), one after the other
    sku_offsets: Ints = field(default_factory=_offsets)
    names: bytes = b""
    name_lines: Ints = field(default_factory=_offsets)  # where each name's line starts
    name_places: Ints = field(default_factory=_offsets)  # each name's first place in perm_name, then rows
    shown: bytes = b""  # the rows' names as shown (UTF-8), one after the other
    shown_offsets: Ints = field(default_factory=_offsets)
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
    last_modified: Ints = field(default_factory=lambda: array("q"))
    last_exported: Ints = field(default_factory=lambda: array("q"))
    price: array[float] = field(default_factory=lambda: array("d"))
    quantity: array[float] = field(default_factory=lambda: array("d"))
    salable_quantity: array[float] = field(default_factory=lambda: array("d"))
    perm_name: Ints = field(default_factory=lambda: array("I"))
    perm_modified: Ints = field(default_factory=lambda: array("I"))
    perm_exported: Ints = field(default_factory=lambda: array("I"))
    rank_name: Ints = field(default_factory=lambda: array("I"))  # rank_x[row]: the row's place in perm_x
    rank_modified: Ints = field(default_factory=lambda: array("I"))
    rank_exported: Ints = field(default_factory=lambda: array("I"))
    # by_order["status@name"]: the status of the rows in the order of perm_name; and so on.
    by_order: dict[str, bytearray] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.shown_offsets) - 1

    def section(self, name: str) -> Any:
        return self.by_order[name] if "@" in name else getattr(self, name)

    def set_section(self, name: str, value: Any) -> None:
        if "@" in name:
            self.by_order[name] = value
        else:
            setattr(self, name, value)


def _vocabulary(values: Iterable[str | None], what: str) -> list[str]:
    found = sorted({value for value in values if value})
    if len(found) >= MAX_CODES:
        raise ValueError(f"the search index holds at most {MAX_CODES - 1} distinct {what} values, got {len(found)}")
    return found


def _codes(values: Iterable[str | None], vocabulary: list[str]) -> bytearray:
    codes = {value: code for code, value in enumerate(vocabulary, 1)}
    return bytearray(codes.get(value, 0) if value else 0 for value in values)


def _lines(texts: list[str]) -> tuple[bytes, array[int]]:
    """The texts as numbered lines, and where each starts."""
    lines = [f"{text}{TEXT_END}{number}\n".encode() for number, text in enumerate(texts)]
    return b"".join(lines), array("I", accumulate(map(len, lines), initial=0))


def _joined(texts: list[str]) -> tuple[bytes, array[int]]:
    encoded = [text.encode() for text in texts]
    return b"".join(encoded), array("I", accumulate(map(len, encoded), initial=0))


def build(rows: Iterable[IndexRow]) -> Base:
    """The base of these rows (one per key); sorts them (seconds per million rows: for the sync, not a request)."""
    ordered = sorted(rows, key=lambda row: (row.sku, row.store_view_code))
    views = _vocabulary((row.store_view_code for row in ordered), "store view")
    base = Base(views=views, types=_vocabulary((row.type for row in ordered), "type"),
                visibilities=_vocabulary((row.visibility for row in ordered), "visibility"),
                attribute_sets=_vocabulary((row.attribute_set for row in ordered), "attribute set"))
    heads, names = [], []
    for row in ordered:
        pid, sku, name = row.text.split(FIELD, 2)
        heads.append(f"{pid}{FIELD}{sku}")
        names.append(name)
    runs = [i for i in range(len(ordered))
            if not i or (ordered[i].sku, heads[i]) != (ordered[i - 1].sku, heads[i - 1])]
    products, lines = _lines([heads[i] for i in runs])
    base.products, base.product_lines = b"\n" + products, array("I", (at + 1 for at in lines))
    base.run_rows = array("I", [*runs, len(ordered)])
    base.skus, base.sku_offsets = _joined([ordered[i].sku for i in runs])
    base.shown, base.shown_offsets = _joined([row.name or "" for row in ordered])
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
    base.perm_name = array("I", sorted(range(len(ordered)), key=names.__getitem__))
    base.perm_modified = array("I", sorted(range(len(ordered)), key=base.last_modified.__getitem__))
    base.perm_exported = array("I", sorted(range(len(ordered)), key=base.last_exported.__getitem__))
    starts = [place for place, row in enumerate(base.perm_name)
              if not place or names[row] != names[base.perm_name[place - 1]]]
    base.names, base.name_lines = _lines([names[base.perm_name[place]] for place in starts])
    base.name_places = array("I", [*starts, len(ordered)])
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
    compressor = zstandard.ZstdCompressor(level=level)
    stored = [bytes(memoryview(base.section(name)).cast("B")) if codec == "raw"
              else compressor.compress(memoryview(base.section(name)).cast("B")) for name, _, codec in _SECTIONS]
    sections = [[name, kind, codec, len(data)] for (name, kind, codec), data in zip(_SECTIONS, stored, strict=True)]
    header = orjson.dumps({"rows": base.rows, "views": base.views, "types": base.types,
                           "visibilities": base.visibilities, "attribute_sets": base.attribute_sets,
                           "byteorder": sys.byteorder, "sections": sections})
    parts, at = [MAGIC, len(header).to_bytes(8, "little"), header], len(MAGIC) + 8 + len(header)
    for (_, _, codec), data in zip(_SECTIONS, stored, strict=True):
        padding = -at % ALIGN if codec == "raw" else 0
        parts += [bytes(padding), data]
        at += padding + len(data)
    return b"".join(parts)


def decode(data: bytes | Arriving) -> Base:
    """The base in a snapshot's bytes, each section read as soon as it has arrived (``Arriving``). Read-only raw
    sections stay views of ``data`` (which they keep alive)."""
    view = data if isinstance(data, Arriving) else memoryview(data)
    if len(view) < len(MAGIC) + 8 or view[:len(MAGIC)] != MAGIC:
        raise SnapshotError("not a search index snapshot of this version")
    at = len(MAGIC) + 8
    size = int.from_bytes(view[len(MAGIC):at], "little")
    try:
        header = orjson.loads(view[at:at + size])
    except orjson.JSONDecodeError:
        raise SnapshotError("the snapshot is damaged: no header") from None
    at += size
    if [section[:3] for section in header["sections"]] != [list(section) for section in _SECTIONS]:
        raise SnapshotError("the snapshot's sections are not this version's")
    base = Base(views=header["views"], types=header["types"], visibilities=header["visibilities"],
                attribute_sets=header["attribute_sets"])
    swap = header["byteorder"] != sys.byteorder
    decompressor = zstandard.ZstdDecompressor()
    for name, kind, codec, size in header["sections"]:
        at += -at % ALIGN if codec == "raw" else 0
        if at + size > len(view):
            raise SnapshotError("the snapshot is damaged: a section runs past its end")
        stored = view[at:at + size]
        at += size
        try:
            base.set_section(name, _section(kind, stored if codec == "raw" else decompressor.decompress(stored), swap))
        except (zstandard.ZstdError, TypeError, ValueError) as error:  # corrupt, or not a whole number of values
            raise SnapshotError(f"the snapshot is damaged: section {name}: {error}") from None
    if at != len(view) or base.rows != header["rows"]:
        raise SnapshotError(f"the snapshot is damaged: {base.rows} rows of {header['rows']}, "
                            f"{len(view) - at} bytes past its sections")
    return base


def _section(kind: str, data: bytes | memoryview, swap: bool) -> Any:
    """A section's value from its (decompressed) bytes: views of them where it is read only."""
    if kind == "bytes":
        return bytes(data) if isinstance(data, memoryview) else data
    if kind == "bytearray":
        return bytearray(data)
    how, code = kind.split(":")
    if how == "view" and not swap:
        if len(data) % array(code).itemsize:
            raise ValueError(f"{len(data)} bytes are not a whole number of {code!r} values")
        return memoryview(data).toreadonly().cast(code)  # type: ignore[call-overload]  # code: I or q
    values = array(code)
    values.frombytes(data)
    if swap:  # a snapshot written on a machine of the other byte order: its values copied and swapped
        values.byteswap()
    return values
