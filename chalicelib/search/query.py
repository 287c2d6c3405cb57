"""Product search queries: the parameters checked, the matching rows counted and the page in its order.

The total is counted on the facet columns (C speed) or the search's hits; the page is the sort order walked
from the cursor over a mask of the matching places (``bytes.find`` jumps between them), so a page costs about
its own rows whatever the matches' number or place. Keyset pagination on (value, sku, store view): rows
added or changed between two pages shift nothing.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from itertools import islice
from typing import Any

import orjson

from ..domain.batches import ITEM_STATUSES, NOT_EXPORTED
from ..domain.errors import InvalidQueryError
from ..domain.vocabulary import PRODUCT_SORTS, PRODUCT_TYPES, SORT_ORDERS, VISIBILITIES
from .index import ProductIndex
from .orders import Key
from .rows import clean
from .text import fold

SORTS, ORDERS = PRODUCT_SORTS, SORT_ORDERS
STATUS_FILTERS = {status: status for status in ITEM_STATUSES}
MAX_LIMIT = 200
MAX_Q = 200
MAX_CURSOR = 1000
_CURSOR_VERSION = 1
# A cursor carries a checksum, so that an edited or made-up one is refused rather than misread. It is not signed:
# the checksum's key is no secret (a cursor only says where a page ends and grants nothing), so a constant is enough.
_CURSOR_KEY = b"catalog-sync/products/cursor/v1"


@dataclass(frozen=True)
class ProductQuery:
    q: str | None = None  # folded (text.fold)
    status: str | None = None
    store_view: str | None = None
    type: str | None = None
    visibility: str | None = None
    sort: str = "sku"
    descending: bool = False
    limit: int = 50
    after: Key | None = None

    @property
    def fingerprint(self) -> str:
        """What a cursor must belong to: the filters and the order, not the position."""
        shape = [self.q, self.status, self.store_view, self.type, self.visibility, self.sort, self.descending]
        return hashlib.blake2b(orjson.dumps(shape), digest_size=6).hexdigest()


@dataclass(frozen=True)
class Page:
    rows: list[int]
    total: int
    next_cursor: str | None


def _choice(name: str, value: Any, valid: dict[str, str], shown: list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.strip().casefold() not in valid:
        raise InvalidQueryError(f"{name} must be one of {', '.join(shown)}; got {value!r}")
    return valid[value.strip().casefold()]


def _limit(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_LIMIT:
        raise InvalidQueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}; got {value!r}")
    return value


def _q(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidQueryError(f"q must be text (part of a product id, SKU or name); got {value!r}")
    text = value.strip()
    if len(text) > MAX_Q:
        raise InvalidQueryError(f"q must be at most {MAX_Q} characters; got {len(text)}")
    if clean(text) != text:
        raise InvalidQueryError("q must not contain control characters")
    return fold(text) or None


def parse_query(index: ProductIndex, q: Any = None, status: Any = None, store_view: Any = None, type: Any = None,
                visibility: Any = None, sort: Any = "sku", order: Any = "asc", cursor: Any = None,
                limit: Any = 50) -> ProductQuery:
    """Check and normalise the parameters of a search; raise InvalidQueryError naming the first bad one."""
    statuses = {**STATUS_FILTERS, "not exported": NOT_EXPORTED}
    views = sorted(index.vocabulary["view"])
    types = sorted(set(PRODUCT_TYPES) | set(index.vocabulary["type"]))
    visibilities = list(VISIBILITIES) + sorted(set(index.vocabulary["visibility"]) - set(VISIBILITIES))
    query = ProductQuery(
        q=_q(q),
        status=_choice("status", status, statuses, list(STATUS_FILTERS)),
        store_view=_choice("store_view", store_view, {view.casefold(): view for view in views},
                           views or ["(no store views are indexed yet)"]),
        type=_choice("type", type, {name.casefold(): name for name in types}, types),
        visibility=_choice("visibility", visibility, {name.casefold(): name for name in visibilities}, visibilities),
        sort=_choice("sort", sort, {name: name for name in SORTS}, list(SORTS)) or "sku",
        descending=_choice("order", order, {name: name for name in ORDERS}, list(ORDERS)) == "desc",
        limit=_limit(limit),
    )
    if cursor is None or cursor == "":
        return query
    return ProductQuery(**{**query.__dict__, "after": decode_cursor(cursor, query)})


def encode_cursor(key: Key, query: ProductQuery) -> str:
    payload = orjson.dumps([_CURSOR_VERSION, query.fingerprint, *key])
    mac = hmac.new(_CURSOR_KEY, payload, hashlib.blake2b).digest()[:12]
    return base64.urlsafe_b64encode(payload + mac).rstrip(b"=").decode()


def decode_cursor(cursor: Any, query: ProductQuery) -> Key:
    bad = InvalidQueryError("cursor is not valid: pass the next_cursor of the previous page unchanged, with the "
                            "same q, status, store_view, type, visibility, sort and order (or no cursor to start over)")
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except ValueError:
        raise bad from None
    payload, mac = raw[:-12], raw[-12:]
    if len(raw) <= 12 or not hmac.compare_digest(mac, hmac.new(_CURSOR_KEY, payload, hashlib.blake2b).digest()[:12]):
        raise bad
    try:
        version, fingerprint, *key = orjson.loads(payload)
    except (ValueError, TypeError):
        raise bad from None
    numeric = query.sort in ("last_modified", "last_exported")
    if (version != _CURSOR_VERSION or fingerprint != query.fingerprint or len(key) != 3
            or not isinstance(key[0], int if numeric else str) or not all(isinstance(k, str) for k in key[1:])):
        raise bad
    return tuple(key)


def run_query(index: ProductIndex, query: ProductQuery) -> Page:
    codes = {facet: index.code(facet, value) for facet, value in
             (("status", query.status), ("view", query.store_view), ("type", query.type),
              ("visibility", query.visibility)) if value is not None}
    hits = index.search(query.q, codes) if query.q is not None else None
    total = index.count(codes, hits)
    walk = index.orders[query.sort].walk(query.after, query.descending, index.order_mask(query.sort, codes, hits),
                                         index.accepts(codes, hits))
    rows = list(islice(walk, query.limit + 1))  # one more: is there a next page?
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    cursor = encode_cursor(index.sort_key(query.sort, rows[-1]), query) if more else None
    return Page(rows, total, cursor)
