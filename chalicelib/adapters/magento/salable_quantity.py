"""Salable quantities of a page's products in a stock: a bulk check first, one request only where it cannot decide.

Magento's REST reads a salable quantity one product at a time (``get-product-salable-quantity``: quantity +
reservations − the out-of-stock threshold). MSI's bulk ``are-product-salable-for-requested-qty`` (Magento 2.4+)
says, for many SKUs a request, whether each can be sold in a requested quantity. It is asked, for each product,
whether it can be sold in Q = its quantity in the stock (its in-stock source items at the stock's sources, read
already) − its threshold (``min_qty``): where Magento answers yes, quantity + reservations − threshold ≥ Q, so
reservations ≥ 0; and **reservations are never positive** (Magento appends a negative reservation when an order
is placed and a positive one of the same size when it is shipped, cancelled or refunded, so their sum is ≤ 0;
a positive sum is a corrupted reservation table, which this assumes away): the salable quantity is exactly Q.

The answer decides only where nothing else can make it yes: stock managed, backorders off (either is a
sufficient condition of its own), and a whole Q > 0 on a product whose quantities are not decimal. Those
settings come from the product's legacy stock item (``extension_attributes.stock_item``; Magento gives the
effective values, the configuration's where ``use_config_*`` is set). Anything else, a no, or an answer about
a SKU that did not come back asks ``get-product-salable-quantity`` as before. A call that fails (Magento answers
500 for a SKU deleted since its page was read) has its products asked so too. A store without the bulk route
(Magento 2.3, a disabled module), answering it badly, or failing FAILED_CALLS_BEFORE_GIVING_UP calls is read one
product at a time for the rest of the run, logged once.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any
from urllib.parse import quote, urlencode

from ...domain.errors import SourceError
from ...observability import logger
from .client import MagentoClient, NoRouteError
from .mapping import Stock
from .paging import GLOBAL

BULK_PATH = "/V1/inventory/are-product-salable-for-requested-qty/"
SKU_REQUESTS_PER_CALL = 100
# A call's query string stays under this many characters: 8 KB request lines are a common limit (nginx's
# large_client_header_buffers, Apache's LimitRequestLine), and each SKU request spells two bracketed names.
QUERY_BUDGET = 6000
# Calls that may fail (after the client's retries) before the route is given up for the read: one failure is a
# product deleted mid-read, several a store whose route is broken.
FAILED_CALLS_BEFORE_GIVING_UP = 3


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def requested_quantity(product: Mapping[str, Any], level: Stock | None) -> float | None:
    """Q, where a yes for it is the salable quantity; None where the bulk answer cannot decide."""
    item = (product.get("extension_attributes") or {}).get("stock_item")
    if not isinstance(item, dict) or item.get("manage_stock") is not True or item.get("is_qty_decimal") is not False:
        return None
    backorders, min_qty = _number(item.get("backorders")), _number(item.get("min_qty"))
    if backorders != 0 or min_qty is None or level is None or level.quantity is None:
        return None
    wanted = level.quantity - min_qty
    return wanted if wanted > 0 and wanted.is_integer() else None


def _pair(index: int, sku: str, qty: float) -> list[tuple[str, str]]:
    # Q is whole: written as an integer (a float's repr could round a large one, or write it in e-notation).
    return [(f"skuRequests[{index}][sku]", sku), (f"skuRequests[{index}][qty]", str(int(qty)))]


def _calls(wanted: Mapping[str, float], stock_id: int) -> Iterator[list[tuple[str, str]]]:
    """The query of each call: ≤ SKU_REQUESTS_PER_CALL SKU requests and ≤ QUERY_BUDGET characters."""
    params: list[tuple[str, str]] = []
    length = 0
    for sku, qty in wanted.items():
        size = len(urlencode(_pair(len(params) // 2, sku, qty))) + 1
        if params and (len(params) // 2 >= SKU_REQUESTS_PER_CALL or length + size > QUERY_BUDGET):
            yield [*params, ("stockId", str(stock_id))]
            params, length = [], 0
        pair = _pair(len(params) // 2, sku, qty)
        params += pair
        length += len(urlencode(pair)) + 1
    if params:
        yield [*params, ("stockId", str(stock_id))]


class BadAnswer(SourceError):
    """The bulk route answered something other than a list of {sku, salable}."""


class SalableQuantities:
    """One read's salable quantities: the bulk check on ``pool`` (a page's batched requests), the remaining
    one-product requests on ``per_product``; the client caps what is in flight whatever the queues."""

    def __init__(self, client: MagentoClient, pool: Executor, per_product: Executor):
        self._client = client
        self._pool = pool
        self._per_product = per_product
        self._lock = threading.Lock()
        self._bulk = True  # until the store shows it has no usable bulk route
        self._failed_calls = 0
        self.confirmed = 0  # salable quantities the bulk answer gave (benchmarks read it)

    def read(self, products: Sequence[Mapping[str, Any]], levels: Mapping[str, Stock],
             stock_id: int) -> dict[str, float]:
        """The salable quantity of each product (by SKU) in the stock."""
        wanted = {p["sku"]: q for p in products if (q := requested_quantity(p, levels.get(p["sku"]))) is not None}
        amounts = self._confirmed(wanted, stock_id) if wanted else {}
        rest = [p["sku"] for p in products if p["sku"] not in amounts]
        amounts.update(zip(rest, self._per_product.map(lambda sku: self._one(sku, stock_id), rest), strict=True))
        return amounts

    def _confirmed(self, wanted: Mapping[str, float], stock_id: int) -> dict[str, float]:
        """The SKUs Magento says can be sold in their Q, with Q."""
        with self._lock:
            if not self._bulk:
                return {}
        found: dict[str, float] = {}
        for answer in self._pool.map(self._ask, list(_calls(wanted, stock_id))):
            found.update({sku: wanted[sku] for sku in answer if sku in wanted})
        with self._lock:
            self.confirmed += len(found)
        return found

    def _ask(self, params: list[tuple[str, str]]) -> set[str]:
        """The SKUs of one call answered salable; none if the call failed (its products are then read one at a
        time). A store without the route, or answering it with something else than a list of {sku, salable}, is
        not asked again in this read; neither is one whose calls failed FAILED_CALLS_BEFORE_GIVING_UP times."""
        with self._lock:
            if not self._bulk:
                return set()
        try:
            answer = self._client.get(GLOBAL, BULK_PATH, params)
            if not isinstance(answer, list) or not all(
                    isinstance(item, dict) and isinstance(item.get("sku"), str)
                    and isinstance(item.get("salable"), bool) for item in answer):
                raise BadAnswer("not a list of {sku, salable}")
        except (NoRouteError, BadAnswer) as error:
            self._give_up(error)
            return set()
        except SourceError as error:
            # One call's failure (Magento answers 500 for a SKU deleted since its page was read): its products are
            # read one at a time, the next calls still go in bulk until too many have failed.
            with self._lock:
                self._failed_calls += 1
                too_many = self._failed_calls >= FAILED_CALLS_BEFORE_GIVING_UP
            if too_many:
                self._give_up(error)
            return set()
        return {item["sku"] for item in answer if item["salable"] is True and not item.get("errors")}

    def _give_up(self, error: SourceError) -> None:
        with self._lock:
            first, self._bulk = self._bulk, False
        if first:
            logger.warning("Magento's are-product-salable-for-requested-qty is unavailable: salable quantities "
                           "are read one product at a time for the rest of this read",
                           extra={"error": str(error), "error_type": type(error).__name__})

    def _one(self, sku: str, stock_id: int) -> float:
        value = self._client.get(GLOBAL, f"/V1/inventory/get-product-salable-quantity/{quote(sku, safe='')}/"
                                         f"{stock_id}")
        return _number(value) or 0.0
