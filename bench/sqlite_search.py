"""The measured alternative to the in-memory index: SQLite with an FTS5 trigram index (the standard library's
sqlite3), answering the same queries (chalicelib.search.query's ProductQuery, cursors and Page).

A complete candidate, not shipped: it replaces what the in-memory engine needs index.py, orders.py and
snapshot.py (and run_query) for, and keeps the rest of the package (rows, journal, query parsing and cursors,
the live copy, the upkeep, the stores). Its snapshot is the database file, compressed; a cold start writes it to
a local file (/tmp in Lambda) and opens it: SQLite reads the pages a query needs, so the process holds only
its page cache. Search text is folded as the in-memory engine folds it (text.fold) before it is indexed.
"""
from __future__ import annotations

import math
import os
import sqlite3
import tempfile
import zlib
from collections.abc import Iterable
from typing import Any

from chalicelib.domain.batches import ATTENTION as FAILED
from chalicelib.search.journal import Entry, RowInvalid, RowsMarked, RowsWritten
from chalicelib.search.query import Page, ProductQuery, encode_cursor
from chalicelib.search.rows import FIELD, NO_TIME, STATUS_CODES, STATUSES, IndexRow, iso_millis, name_of

FACETS = ("view", "type", "visibility", "attribute_set")
_SCHEMA = """
CREATE TABLE rows(id INTEGER PRIMARY KEY, sku TEXT NOT NULL, view INT NOT NULL, text TEXT NOT NULL, name TEXT,
                  sort_name TEXT NOT NULL, type INT, visibility INT, attribute_set INT, price REAL, quantity REAL,
                  salable_quantity REAL, status INT NOT NULL, hash32 INT NOT NULL, last_modified INT NOT NULL,
                  last_exported INT NOT NULL);
CREATE TABLE vocabulary(facet TEXT NOT NULL, code INT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(facet, code));
CREATE VIRTUAL TABLE search USING fts5(text, content='rows', content_rowid='id', tokenize='trigram');
"""
_INDEXES = """
CREATE UNIQUE INDEX row_key ON rows(sku, view);
CREATE INDEX by_status ON rows(status);
CREATE INDEX by_name ON rows(sort_name, sku, view);
CREATE INDEX by_modified ON rows(last_modified, sku, view);
CREATE INDEX by_exported ON rows(last_exported, sku, view);
CREATE INDEX by_status_exported ON rows(status, last_exported, sku, view);
"""
_SORT_COLUMN = {"sku": "sku", "name": "sort_name", "last_modified": "last_modified", "last_exported": "last_exported"}
_FILTERS = (("status", "status"), ("store_view", "view"), ("type", "type"), ("visibility", "visibility"))
_ATTRIBUTE = {"view": "store_view_code"}
_COLUMNS = ("sku", "view", "text", "name", "sort_name", "type", "visibility", "attribute_set", "price", "quantity",
            "salable_quantity", "status", "hash32", "last_modified", "last_exported")


def _fts_phrase(needle: str) -> str:
    """A trigram phrase query for a substring (shorter than 3 characters cannot use the index: LIKE instead)."""
    return '"' + needle.replace('"', '""') + '"'


class SqliteIndex:
    def __init__(self, path: str, vocabulary: dict[str, list[str]] | None = None):
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA cache_size=-65536")  # 64 MB of pages in memory; the rest stays in the file
        self.db.execute("PRAGMA temp_store=MEMORY")
        if vocabulary is None:
            vocabulary = {facet: [] for facet in FACETS}
            for facet, _code, value in self.db.execute("SELECT facet, code, value FROM vocabulary ORDER BY code"):
                vocabulary[facet].append(value)
        self.vocabulary = vocabulary
        self._codes = {facet: {value: code for code, value in enumerate(values, 1)}
                       for facet, values in vocabulary.items()}
        self._rows = self.db.execute("SELECT count(*) FROM rows").fetchone()[0]

    # Snapshots: the database file, compressed

    @classmethod
    def build(cls, rows: list[IndexRow], path: str) -> SqliteIndex:
        """The index of these rows (one per key), with facet values coded in sorted order."""
        db = sqlite3.connect(path, isolation_level=None)
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        db.close()
        index = cls(path, {facet: sorted({getattr(row, _ATTRIBUTE.get(facet, facet)) for row in rows} - {None, ""})
                           for facet in FACETS})
        index.db.execute("BEGIN")
        index.db.executemany(f"INSERT INTO rows({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                             map(index._values, rows))
        index.db.execute("COMMIT")
        index._rows = len(rows)
        index.db.executescript("BEGIN; INSERT INTO search(search) VALUES('rebuild');" + _INDEXES
                               + "INSERT INTO search(search) VALUES('optimize'); ANALYZE; COMMIT;")
        return index

    def to_bytes(self) -> bytes:
        self.db.executemany("INSERT OR REPLACE INTO vocabulary VALUES (?, ?, ?)",
                            [(facet, code, value) for facet, values in self.vocabulary.items()
                             for code, value in enumerate(values, 1)])
        if self.db.execute("PRAGMA freelist_count").fetchone()[0]:  # pages freed by updates: compact first
            self.db.execute("VACUUM")
        with open(self.path, "rb") as file:
            return zlib.compress(file.read(), 1)

    @classmethod
    def from_bytes(cls, data: bytes, directory: str | None = None) -> SqliteIndex:
        """A cold start: the file written where SQLite can read it, then opened."""
        handle, path = tempfile.mkstemp(suffix=".sqlite", dir=directory)
        decompressor = zlib.decompressobj()
        with os.fdopen(handle, "wb") as file:
            for start in range(0, len(data), 1 << 24):
                file.write(decompressor.decompress(data[start:start + (1 << 24)]))
            file.write(decompressor.flush())
        return cls(path)

    def close(self) -> None:
        self.db.close()
        os.remove(self.path)

    def __len__(self) -> int:
        return self._rows

    # Replaying the journal

    def apply(self, entry: Entry) -> None:
        self.db.execute("BEGIN")
        if isinstance(entry, RowsWritten):
            self._put_many(entry.rows)
        elif isinstance(entry, RowsMarked):
            exported = entry.at if entry.at != NO_TIME else None
            self.db.executemany("UPDATE rows SET status = ?, last_exported = coalesce(?, last_exported) "
                                "WHERE sku = ? AND view = ? AND hash32 = ?",
                                [(entry.status, exported, sku, self._code("view", view), marked)
                                 for sku, view, marked in entry.marks])
        elif isinstance(entry, RowInvalid):
            self._invalid(entry)
        self.db.execute("COMMIT")

    def _values(self, row: IndexRow) -> tuple[Any, ...]:
        return (row.sku, self._code("view", row.store_view_code), row.text, row.name, name_of(row.text),
                self._code("type", row.type), self._code("visibility", row.visibility),
                self._code("attribute_set", row.attribute_set), row.price, row.quantity, row.salable_quantity,
                row.status, row.hash32, row.last_modified, row.last_exported)

    def _put_many(self, rows: Iterable[IndexRow]) -> None:
        put = self.db.execute
        for row in rows:
            values = self._values(row)
            old = put("SELECT id, text FROM rows WHERE sku = ? AND view = ?", values[:2]).fetchone()
            if old is None:
                row_id = put(f"INSERT INTO rows({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                             values).lastrowid
                self._rows += 1
            else:
                row_id = old[0]
                put(f"UPDATE rows SET {', '.join(f'{c} = ?' for c in _COLUMNS)} WHERE id = ?", (*values, row_id))
                if old[1] == row.text:
                    continue
                put("INSERT INTO search(search, rowid, text) VALUES('delete', ?, ?)", old)
            put("INSERT INTO search(rowid, text) VALUES (?, ?)", (row_id, row.text))

    def _invalid(self, entry: RowInvalid) -> None:
        view = self._code("view", entry.store_view_code)
        found = self.db.execute("SELECT id FROM rows WHERE sku = ? AND view = ?", (entry.sku, view)).fetchone()
        if found is None:
            self._put_many([IndexRow(entry.sku, entry.store_view_code, entry.text, entry.name, entry.type,
                                     entry.visibility, entry.attribute_set, None, None, None, STATUS_CODES[FAILED],
                                     0, NO_TIME, NO_TIME)])
            return
        # Like the store: fields are only filled where the row has none (a valid earlier version stays).
        self.db.execute("UPDATE rows SET status = ?, name = coalesce(name, ?), type = coalesce(type, ?), "
                        "visibility = coalesce(visibility, ?), attribute_set = coalesce(attribute_set, ?) "
                        "WHERE id = ?", (STATUS_CODES[FAILED], entry.name, self._code("type", entry.type) or None,
                                         self._code("visibility", entry.visibility) or None,
                                         self._code("attribute_set", entry.attribute_set) or None, found[0]))

    def _code(self, facet: str, value: str | None) -> int:
        if not value:
            return 0
        code = self._codes[facet].get(value)
        if code is None:
            self.vocabulary[facet].append(value)
            code = self._codes[facet][value] = len(self.vocabulary[facet])
        return code

    # Searching

    def run(self, query: ProductQuery) -> Page:
        where, args = [], []
        for name, column in _FILTERS:
            value = getattr(query, name)
            if value is not None:
                code = STATUS_CODES.get(value) if name == "status" else self._codes[column].get(value)
                where.append(f"{column} = ?")
                args.append(-1 if code is None else code)
        if query.q is not None:
            if len(query.q) >= 3:
                where.append("id IN (SELECT rowid FROM search WHERE search MATCH ?)")
                args.append(_fts_phrase(query.q))
            else:
                where.append("instr(text, ?) > 0")
                args.append(query.q)
        condition = " AND ".join(where) or "1"
        total = (self.db.execute(f"SELECT count(*) FROM rows WHERE {condition}", args).fetchone()[0]
                 if where else self._rows)
        column, direction = _SORT_COLUMN[query.sort], "DESC" if query.descending else "ASC"
        keys = [column] if column == "sku" else [column, "sku"]
        keys.append("view")
        page_where, page_args = list(where), list(args)
        if query.after is not None:
            value, sku, view = query.after
            after = [sku, self._code("view", view)] if column == "sku" else [value, sku, self._code("view", view)]
            page_where.append(f"({', '.join(keys)}) {'<' if query.descending else '>'} ({', '.join('?' * len(after))})")
            page_args += after
        order = ", ".join(f"{key} {direction}" for key in keys)
        sql = (f"SELECT id FROM rows WHERE {' AND '.join(page_where) or '1'} ORDER BY {order} LIMIT ?")
        rows = [row_id for (row_id,) in self.db.execute(sql, [*page_args, query.limit + 1])]
        more = len(rows) > query.limit
        rows = rows[:query.limit]
        cursor = encode_cursor(self.sort_key(query.sort, rows[-1]), query) if more else None
        return Page(rows, total, cursor)

    def sort_key(self, sort: str, row: int) -> tuple[Any, ...]:
        value, sku, view = self.db.execute(f"SELECT {_SORT_COLUMN[sort]}, sku, view FROM rows WHERE id = ?",
                                           (row,)).fetchone()
        return value, sku, self.vocabulary["view"][view - 1]

    def rows_of_product(self, product_id: int) -> list[int]:
        prefix = f"{product_id}{FIELD}"
        if len(prefix) < 3:  # too short for trigrams: a scan
            return [row_id for (row_id,) in self.db.execute("SELECT id FROM rows WHERE substr(text, 1, ?) = ?",
                                                            (len(prefix), prefix))]
        found = self.db.execute("SELECT id, text FROM rows WHERE id IN "
                                "(SELECT rowid FROM search WHERE search MATCH ?)", (_fts_phrase(prefix),))
        return [row_id for row_id, text in found if text.startswith(prefix)]

    def display(self, rows: list[int]) -> list[dict[str, Any]]:
        """The columns a page shows, in the order of ``rows``."""
        found = {row[0]: row for row in self.db.execute(
            f"SELECT id, {', '.join(_COLUMNS)} FROM rows WHERE id IN ({', '.join('?' * len(rows))})", rows)}
        shown = []
        for row_id in rows:
            (_, sku, view, text, name, _, type_, visibility, attribute_set, price, quantity, salable, status, _,
             modified, exported) = found[row_id]
            pid = text.split(FIELD, 1)[0]
            shown.append({"product_id": int(pid) if pid else None, "name": name, "type": self._label("type", type_),
                          "attribute_set": self._label("attribute_set", attribute_set),
                          "visibility": self._label("visibility", visibility), "sku": sku,
                          "store_view_code": self._label("view", view), "last_modified": iso_millis(modified),
                          "last_exported_at": iso_millis(exported),
                          "export_status": STATUSES[status - 1] if status else None,
                          **{name: None if value is None or math.isnan(value) else value for name, value in
                             (("price", price), ("quantity", quantity), ("salable_quantity", salable))}})
        return shown

    def _label(self, facet: str, code: int | None) -> str | None:
        return self.vocabulary[facet][code - 1] if code else None
