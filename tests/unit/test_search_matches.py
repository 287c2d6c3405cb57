"""A search finds exactly the rows a brute-force scan of every row's folded text finds, on random catalogs: in the
snapshot's texts (per product, per distinct name), after rows are renamed, added and marked, and after a rebuild."""
import random

import pytest

from chalicelib.search import index as search_index
from chalicelib.search.index import ProductIndex
from chalicelib.search.query import parse_query, run_query
from chalicelib.search.rows import NO_TIME, STATUS_CODES, STATUSES, IndexRow, name_of, search_text
from chalicelib.search.text import fold

VIEWS = ("default", "french", "german")
WORDS = ("trail", "Hoodie", "tee", "Crème", "brûlée", "STRASSE", "Straße", "yoga mat", "™", "ﬁ", "a", "ab", "ba",
         "&amp;", "1", "12", "-", " ")
SORTS = ("sku", "name", "last_modified", "last_exported")


class Model:
    """The rows as plain data, changed as the index is: what a brute-force search scans."""

    def __init__(self):
        self.rows: dict[tuple[str, str], IndexRow] = {}

    def put(self, row: IndexRow) -> None:
        self.rows[(row.sku, row.store_view_code)] = row

    def mark(self, key: tuple[str, str], marked_hash: int, status: int, at: int) -> None:
        row = self.rows.get(key)
        if row is not None and row.hash32 == marked_hash:
            row.status = status
            if at != NO_TIME:
                row.last_exported = at

    def matching(self, needle: str, status: int | None) -> list[IndexRow]:
        return [row for row in self.rows.values() if needle in row.text and status in (None, row.status)]


def _name(rng: random.Random) -> str | None:
    if rng.random() < 0.05:
        return None
    return "".join(rng.choice(WORDS) + rng.choice(("", " ", "-")) for _ in range(rng.randint(1, 4)))


def _row(rng: random.Random, product: int, view: str, step: int, name: str | None = None) -> IndexRow:
    sku = f"{rng.choice(('ms-', 'MS-', 'Ab', 'é', 'x'))}{product:03d}"
    pid = None if rng.random() < 0.05 else product
    name = name if name is not None else _name(rng)
    return IndexRow(sku, view, search_text(pid, sku, name), name, "simple", None, None, None, None, None,
                    rng.randrange(1, len(STATUSES) + 1), rng.randrange(1_000), rng.choice((NO_TIME, rng.randrange(50))),
                    rng.choice((NO_TIME, rng.randrange(50))) + step)


def _catalog(rng: random.Random, products: int) -> list[IndexRow]:
    rows = []
    for product in range(products):
        shared = _name(rng)  # store views often share the product's name
        for view in VIEWS:
            if rng.random() < 0.9:
                rows.append(_row(rng, product, view, 0, shared if rng.random() < 0.6 else None))
    unique = {(row.sku, row.store_view_code): row for row in rows}  # a random SKU may repeat
    return list(unique.values())


def _needles(rng: random.Random, model: Model) -> list[str]:
    texts = [row.text for row in model.rows.values()]
    needles = {"trail", "tee", "a", "1", "-", " ", "creme", "strasse", "tm", "fi", "&", "zz", "ms-0"}
    for text in rng.sample(texts, min(15, len(texts))):
        start = rng.randrange(len(text))
        needles.add(text[start:start + rng.randint(1, 6)])
    return sorted(needle for needle in needles if "\x1f" not in needle and needle.strip() == needle and needle)


def _expected(model: Model, needle: str, status: int | None, sort: str, descending: bool) -> list[tuple[str, str]]:
    def key(row: IndexRow):
        value = {"sku": row.sku, "name": name_of(row.text), "last_modified": row.last_modified,
                 "last_exported": row.last_exported}[sort]
        return value, row.sku, row.store_view_code
    return [(row.sku, row.store_view_code) for row in sorted(model.matching(needle, status), key=key,
                                                              reverse=descending)]


def _found(index: ProductIndex, needle: str, status: int | None, sort: str, descending: bool):
    params = {"q": needle, "sort": sort, "order": "desc" if descending else "asc", "limit": 7}
    if status is not None:
        params["status"] = STATUSES[status - 1]
    found, cursor, totals = [], None, set()
    while True:
        page = run_query(index, parse_query(index, cursor=cursor, **params))
        found += [index.row_key(row) for row in page.rows]
        totals.add(page.total)
        if page.next_cursor is None:
            return found, totals
        cursor = page.next_cursor


def _check(index: ProductIndex, model: Model, rng: random.Random) -> None:
    for needle in _needles(rng, model):
        folded = fold(needle)  # as the query folds it
        if not folded:
            continue
        status = rng.choice((None, STATUS_CODES["submitted"], STATUS_CODES["failed_requires_attention"]))
        sort, descending = rng.choice(SORTS), rng.random() < 0.5
        expected = _expected(model, folded, status, sort, descending)
        found, totals = _found(index, needle, status, sort, descending)
        assert found == expected, (needle, status, sort, descending)
        assert totals == {len(expected)}, (needle, status)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("budget", [search_index.LAZY_BUDGET, 3])  # 3: walks give up testing rows one by one
def test_a_search_finds_the_rows_a_brute_force_scan_finds(seed, budget, monkeypatch):
    monkeypatch.setattr(search_index, "LAZY_BUDGET", budget)
    rng = random.Random(seed)
    model = Model()
    for row in _catalog(rng, 60):
        model.put(row)
    index = ProductIndex.from_rows(list(model.rows.values()))
    _check(index, model, rng)
    _change(index, model, rng, range(1, 200))
    _check(index, model, rng)
    # A cold start's index (its read-only columns views of the snapshot's bytes) changes as the journal replays.
    decoded = ProductIndex.from_bytes(index.to_bytes())
    _check(decoded, model, rng)
    _change(decoded, model, rng, range(200, 300))
    _check(decoded, model, rng)


def _change(index, model, rng, steps):
    """Renames, new rows, new versions; exports of some versions: in the model and the index alike."""
    for step in steps:
        if rng.random() < 0.6:
            key = rng.choice(list(model.rows))
            product = int(key[0][-3:])
            row = _row(rng, product, key[1], step)
            row.sku = key[0]
            row.text = search_text(product if rng.random() < 0.9 else None, row.sku, row.name)
        else:
            row = _row(rng, rng.randrange(60, 90), rng.choice(VIEWS), step)
        model.put(row)
        index.put(row)
        key = rng.choice(list(model.rows))
        marked = model.rows[key].hash32 if rng.random() < 0.8 else 1_001
        status, at = rng.choice(((STATUS_CODES["submitted"], 100 + step), (STATUS_CODES["deleted"], 100 + step),
                                 (STATUS_CODES["failed_requires_attention"], NO_TIME)))
        model.mark(key, marked, status, at)
        index.mark(*key, marked, status, at)
