"""Search matches what a person types: HTML entities decoded, runs of spaces collapsed, case and accents folded."""
import pytest

from chalicelib.search.index import ProductIndex
from chalicelib.search.query import parse_query, run_query
from chalicelib.search.rows import IndexRow, search_text
from chalicelib.search.text import fold


@pytest.mark.parametrize("typed, folded", [
    ("Crème Brûlée", "creme brulee"),
    ("STRASSE", "strasse"), ("Straße", "strasse"),  # full case folding, not lower()
    ("Yoga&nbsp;Mat &amp; Strap", "yoga mat & strap"),  # entities decoded (&nbsp; is a space)
    ("Aero&trade;", "aerotm"), ("Aero™", "aerotm"),  # ™ as typed or as an entity: the same letters
    ("  big \t red\n\ntote  ", "big red tote"),  # runs of spaces, tabs and newlines are one space
    ("ﬁne ＡＢＣ", "fine abc"),  # compatibility forms: a ligature, full-width letters
    ("İstanbul Ærø", "istanbul ærø"),  # a dotted capital I folds to i; Æ and ø are letters, not accents
    ("a\x1fb\x00c", "a b c"),  # control characters count as spaces
    ("&#233;t&eacute;", "ete"),
    ("", ""),
])
def test_fold_is_what_a_search_compares(typed, folded):
    assert fold(typed) == folded


def row(i, name, sku=None):
    sku = sku or f"SKU-{i:04d}"
    return IndexRow(sku, "default", search_text(i, sku, name), name, "simple", None, None, None, None, None, 1, i,
                    1, 1)


@pytest.mark.parametrize("typed, found", [
    ("™", ["SKU-0001"]), ("&trade;", ["SKU-0001"]),
    ("creme brulee", ["SKU-0002"]), ("CRÈME   BRÛLÉE", ["SKU-0002"]),
    ("strasse", ["SKU-0003"]), ("ß", ["SKU-0003"]),
    ("red tote", ["SKU-0004"]), ("big red", ["SKU-0004"]),
    ("ecole", ["ÉCOLE-5"]),  # a SKU folds as a name does
])
def test_a_search_finds_names_stored_the_way_a_catalog_stores_them(typed, found):
    names = {"SKU-0001": "Aero Hoodie&trade;", "SKU-0002": "Crème Brûlée Mug", "SKU-0003": "Straßenlauf Shoe",
             "SKU-0004": "Big   Red&nbsp;&nbsp;Tote", "ÉCOLE-5": "Other"}
    index = ProductIndex.from_rows([row(i, name, sku) for i, (sku, name) in enumerate(names.items(), 1)])
    page = run_query(index, parse_query(index, q=typed))
    assert [index.row_key(r)[0] for r in page.rows] == found
    assert index.display(page.rows[0])["name"] == names[found[0]]  # shown as stored
