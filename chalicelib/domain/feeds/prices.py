"""The prices feed (Adobe's ProductPriceV2): one item per product, website and customer group — its regular
price, its special price while the special price's window is open, its tier prices and its parents.

Source record keys (the Magento adapter's): sku, product_id, type (Magento's type id), fixed_price (a bundle's
price type: True fixed, False dynamic), website_id, website_code, customer_group_id, customer_group (the group's
name), regular (the website's price, None where Magento has none: 0, as Adobe's exporter sends it), special
({price, price_from, price_to}: the website's special price and its window, Magento's dates; a bundle's is a
percentage of its price) or None, tiers ([{qty, price_type: fixed | discount, price}]: those of this website and
group, all websites and all groups included), parents ([{sku, type}]: the composites of this website holding the
product), timezone (the website's time zone, Magento's ``general/locale/timezone`` of a store view of the website:
the window's dates are local dates there; missing or unknown: UTC) and timezone_fallback (None, or why the window
is judged in UTC), read_at (ISO: when the source was read, the moment the window is judged at), updated_at; and
error.

What a shopper pays changes when a special price's window opens or closes, with no change in Magento: the
document holds the special price only while its window is open at ``read_at``, so the hash changes at each
boundary. The feed is read whole every run (not incremental: windows, and Magento's bulk price API, change
prices without touching ``updated_at``; the bulk reads make that a few requests per thousand prices), so a run
after a window opened or closed sends exactly the items whose window did. Tier prices are listed as Magento keeps
them (a storefront takes the lowest that applies).
"""
from __future__ import annotations

import json
from typing import Any

from ..errors import InvalidRecordError
from ..feed import FeedRow, RowKey, canonical, content_hash
from ..runs import parse_iso
from .definition import Feed, Scopes, SourceRecord
from .pricing import SPECIAL_PRICE, Tier, Window, customer_group_code, price_type, tier_of, time_zone, unit_price
from .values import from_source, invalid, number, text, whole

PRICES = "prices"


def scope_of(website_code: str, group_code: str) -> str:
    return f"{website_code}/{group_code}"


def key_of(record: SourceRecord) -> RowKey:
    sku = record.get("sku")
    shown = sku if isinstance(sku, str) and sku.strip() else f"#{record.get('product_id', '?')}"
    group = record.get("customer_group_id")
    code = customer_group_code(group) if isinstance(group, int) and not isinstance(group, bool) else "?"
    return RowKey(shown, scope_of(str(record.get("website_code") or "?"), code))


def identity_of(key: RowKey) -> tuple[str, ...]:
    """sku, websiteCode, customerGroupCode (the scope is ``<websiteCode>/<customerGroupCode>``; a website code
    has no '/')."""
    website, _, group = key.scope.partition("/")
    return key.id, website, group


def _amount(value: Any, name: str, code: str, required: bool = False, at_most: float | None = None) -> float:
    if value is None and not required:
        return 0.0
    if value is None:
        raise InvalidRecordError(f"{name} is missing", code=invalid(code))
    try:
        amount = number(value, name)
    except InvalidRecordError as error:
        raise InvalidRecordError(str(error), code=invalid(code)) from None
    if amount is None or amount < 0 or (at_most is not None and amount > at_most):
        limit = f" (at most {at_most:g})" if at_most is not None else ""
        raise InvalidRecordError(f"{name} is not a price ≥ 0{limit}: {value!r}", code=invalid(code))
    return amount


def _tiers(values: Any) -> list[Tier]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise InvalidRecordError(f"tier prices are not a list: {values!r}", code=invalid("tier_prices"))
    tiers = []
    for value in values:
        if not isinstance(value, dict):
            raise InvalidRecordError(f"a tier price is not an object: {value!r}", code=invalid("tier_prices"))
        if value.get("qty") is None:
            raise InvalidRecordError(f"a tier price has no quantity: {value!r}", code=invalid("tier_prices"))
        qty = _amount(value.get("qty"), "a tier price's quantity", "tier_prices", required=True)
        if qty <= 0:
            raise InvalidRecordError(f"a tier price's quantity is not above 0: {value!r}", code=invalid("tier_prices"))
        try:
            discount = tier_of(value.get("price_type"))  # type: ignore[arg-type]
        except ValueError as error:
            raise InvalidRecordError(f"a tier price's {error}", code=invalid("tier_prices")) from None
        amount = _amount(value.get("price"), "a tier price", "tier_prices", required=True,
                         at_most=100 if discount else None)
        tiers.append(Tier(qty, amount, discount))
    return sorted(tiers, key=lambda t: (t.qty, t.discount, t.value))


def _special(record: SourceRecord, bundle: bool) -> tuple[float, Window] | None:
    special = record.get("special")
    if special is None:
        return None
    if not isinstance(special, dict):
        raise InvalidRecordError(f"special is not an object: {special!r}", code=invalid("special_price"))
    price = _amount(special.get("price"), "the special price", "special_price", required=True,
                    at_most=100 if bundle else None)
    try:
        window = Window.of(special.get("price_from"), special.get("price_to"), time_zone(record.get("timezone"))[0])
    except (TypeError, ValueError):
        raise InvalidRecordError(f"the special price's dates are not Magento dates: {special.get('price_from')!r} – "
                                 f"{special.get('price_to')!r}", code=invalid("special_price")) from None
    return price, window


def _parents(values: Any) -> list[dict[str, str]]:
    if not isinstance(values, list):
        return []
    found = {(price_type(p.get("type")), p["sku"]) for p in values
             if isinstance(p, dict) and isinstance(p.get("sku"), str)}
    return [{"type": kind, "sku": sku} for kind, sku in sorted(found)]


def build_row(record: SourceRecord, scopes: Scopes) -> FeedRow:
    from_source(record)
    sku = text(record.get("sku"), "sku", required=True) or ""
    product_id = whole(record.get("product_id"), "product_id", required=True)
    website_code = text(record.get("website_code"), "website_code", required=True) or ""
    group_id = whole(record.get("customer_group_id"), "customer_group_id", required=True) or 0
    read_at = parse_iso(text(record.get("read_at"), "read_at", required=True) or "")
    kind = record.get("type")
    bundle = kind == "bundle"
    regular = _amount(record.get("regular"), "the regular price", "regular")
    special = _special(record, bundle)
    tiers = _tiers(record.get("tiers"))
    open_special = special[0] if special is not None and special[1].is_open(read_at) else None
    discounts = []
    if open_special is not None:
        discounts.append({"code": SPECIAL_PRICE, ("percentage" if bundle else "price"): open_special})
    group_code = customer_group_code(group_id)
    document = {
        "sku": sku,
        "productId": product_id,
        "websiteId": whole(record.get("website_id"), "website_id"),
        "websiteCode": website_code,
        "customerGroupCode": group_code,
        "type": price_type(kind, record.get("fixed_price") if bundle else None),
        "parents": _parents(record.get("parents")),
        "regular": regular,
        "discounts": discounts,
        "tierPrices": [{"qty": tier.qty, ("percentage" if tier.discount else "price"): tier.value} for tier in tiers],
        "deleted": False,
    }
    body = canonical(document)
    return FeedRow(id=sku, scope=scope_of(website_code, group_code), product_id=product_id,
                   name=str(record.get("customer_group") or group_id), type=kind if isinstance(kind, str) else None,
                   price=unit_price(regular, open_special, bundle, tiers),
                   last_modified=record.get("updated_at"), document=body.decode(), hash=content_hash(body))


def deletion_payload(row: FeedRow, scopes: Scopes) -> dict[str, Any]:
    """Adobe's minimal payload of a price item that left the source (the product left the website, or the catalog;
    modifiedAt is added when it is sent)."""
    _, website, group = identity_of(row.key)
    try:
        last = json.loads(row.document) if row.document else {}
    except ValueError:
        last = {}
    website_id = last.get("websiteId") if isinstance(last, dict) else None
    return {"sku": row.id, "websiteCode": website, "customerGroupCode": group, "productId": row.product_id,
            "websiteId": website_id, "deleted": True}


def invalid_columns(record: SourceRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if isinstance(record.get("customer_group"), str):
        fields["name"] = record["customer_group"]
    if isinstance(record.get("type"), str):
        fields["type"] = record["type"]
    product_id = record.get("product_id")
    if isinstance(product_id, int) and not isinstance(product_id, bool):
        fields["product_id"] = product_id
    return fields


FEED = Feed(name=PRICES, record="ProductPriceV2", identity=("sku", "websiteCode", "customerGroupCode"),
            batch_size=500, incremental=False, build=build_row, key_of=key_of, deletion=deletion_payload,
            columns_of_invalid=invalid_columns, identity_of=identity_of)
