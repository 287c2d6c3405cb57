"""Every feed synced on the local stack as `make run` starts it, and what the simulated ingestion service received
held against what the simulated Magento holds: every product's parents (and a composite's availability without a
quantity of its own, its yes/no attributes by their labels, its categories with their paths), every variant with
its option values, every category of every store view, every attribute of every store view with its store label.

The expected items come from the simulator's own catalog model (a second simulator of the same size, seed and
day: the same catalog, README "The generated catalog"), never from the app's adapter or feed builders; what the
service holds is read back through its public listing (GET /v1/feeds/{feed}/items). A feed is compared by its
function in EXPECTED: a new feed adds one (the test of a feed without one fails and says so)."""
from __future__ import annotations

import base64
import hashlib
import json
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.feeds import FEEDS
from local_stack.magento import layout, stock
from local_stack.magento.attributes import ATTRIBUTES, BOOLEAN_ATTRIBUTES, COLOR, SIZE, YES_NO, Attribute
from local_stack.magento.catalog import BUNDLE, CONFIGURABLE, GROUPED, TYPES, Catalog
from local_stack.magento.categories import ROOT_ID
from local_stack.magento.details import category_ids, details
from local_stack.magento.simulator import MagentoSimulator, ManualClock
from tests.stack_process import LocalStack, running_stack

PRODUCTS, SEED = 300, 42
PAGE = 1000  # the listing's most items per page with documents
ANCHOR_POSITION = 10_000  # an anchor category above a product's own: its position + this (Adobe's index)
LISTED = (2, 3, 4)  # visibility: catalog, search, or both

Identity = tuple[str, ...]
Expected = dict[Identity, dict[str, Any]]  # an item's identity (in the feed's order) → fields its document holds


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    # The schedule fires once, at start, and syncs every feed; nothing edits the store afterwards.
    with running_stack(tmp_path_factory.mktemp("local-feeds"), SAMPLE_PRODUCTS=str(PRODUCTS), SAMPLE_SEED=str(SEED),
                       SYNC_INTERVAL="3600") as handle:
        handle.info["runs"] = _every_feed_synced(handle)
        yield handle


@pytest.fixture(scope="module")
def catalog(stack: LocalStack) -> Catalog:
    """The simulated store's catalog model: the same size, seed and day as the stack's (its summary proves it)."""
    now = datetime.fromisoformat(_magento(stack, "/clock")["now"])
    twin = MagentoSimulator(PRODUCTS, SEED, clock=ManualClock(now.replace(tzinfo=UTC)))
    assert twin.summary() == _magento(stack, "/summary"), "the stack's simulated Magento is another catalog"
    return twin.catalog


def _magento(stack: LocalStack, path: str) -> Any:
    with urllib.request.urlopen(stack.info["magento_url"] + "/__sim" + path, timeout=10) as response:
        return json.loads(response.read())


def _every_feed_synced(stack: LocalStack) -> dict[str, dict[str, Any]]:
    """The first run of each feed (the schedule's, at start), once every one of them ended with success."""
    def status(feed: str) -> dict[str, Any]:
        code, _, body = stack.get(f"/api/sync/status?feed={feed}", stack.token())
        assert code == 200, body
        return json.loads(body)

    def all_succeeded() -> dict[str, dict[str, Any]] | None:
        runs = {feed: status(feed)["last_sync"] for feed in FEEDS}
        failed = {feed: run for feed, run in runs.items() if run and run["status"] == "Failed"}
        assert not failed, failed
        return runs if all(run and run["status"] == "Success" for run in runs.values()) else None
    return stack.wait_for("every feed's first sync to succeed", all_succeeded, timeout=300, every=0.5)


def held_items(stack: LocalStack, feed: str) -> dict[Identity, dict[str, Any]]:
    """Every live item the simulated service holds of the feed, read back page by page: identity → document."""
    base = stack.info["ingestion_admin_url"].removesuffix("/__ingest")
    found: dict[Identity, dict[str, Any]] = {}
    cursor: str | None = ""
    while cursor is not None:
        query = {"include": "document", "limit": str(PAGE), **({"cursor": cursor} if cursor else {})}
        request = urllib.request.Request(f"{base}/v1/feeds/{feed}/items?{urllib.parse.urlencode(query)}",
                                         headers={"x-api-key": stack.info["simulated_destination_api_key"]})
        with urllib.request.urlopen(request, timeout=30) as response:
            page = json.loads(response.read())
        for item in page["items"]:
            assert not item["deleted"], item  # nothing left the store: no deletion was sent
            found[tuple(str(item["identity"][name]) for name in page["identity"])] = item["document"]
        cursor = page["nextCursor"]
    return found


# -- what the simulated Magento holds, from its catalog model -------------------------------------------------

def _views() -> list[layout.StoreView]:
    """The store views a storefront shows: the active ones (not the admin's)."""
    return [view for view in layout.STORES if view.id and view.is_active]


def _group(view: layout.StoreView) -> layout.StoreGroup:
    return next(group for group in layout.GROUPS if group.id == view.group_id)


def _website(view: layout.StoreView) -> layout.Website:
    return next(website for website in layout.WEBSITES if website.id == view.website_id)


def _in_website(catalog: Catalog, row: int, website_id: int) -> bool:
    return bool(catalog.websites[row] & layout.WEBSITE_BITS[website_id])


def _parent_links(catalog: Catalog) -> dict[int, list[int]]:
    """member row → the rows of the live composites that hold it (configurable children, bundle selections,
    grouped members)."""
    links: dict[int, list[int]] = {}
    for parent in catalog.live_rows():
        if catalog.type[parent] in (CONFIGURABLE, BUNDLE, GROUPED):
            for member in catalog.members(catalog.entity_id[parent]):
                links.setdefault(member, []).append(parent)
    return links


def _yes_no(catalog: Catalog, row: int, view: layout.StoreView) -> dict[str, list[str]]:
    """The product's yes/no attributes, as labels in the view's language (Yes/Oui/Ja, No/Non/Nein)."""
    codes = {attribute.code for attribute in BOOLEAN_ATTRIBUTES}
    labels = {str(option.id): (getattr(option, view.language) if view.language else "") or option.label
              for option in YES_NO}
    return {code: [labels[value]] for code, value in details(catalog, row).options if code in codes}


def _category_data(catalog: Catalog, row: int, view: layout.StoreView) -> list[dict[str, Any]]:
    """categoryData as Magento's category index gives it: only for an enabled product listed in catalog or search;
    its own categories and every anchor above them (position + 10,000), never the tree's or a store's root, each
    with its URL path in the view (a product in the store's root only has none)."""
    if catalog.status_in(row, view.website_id) != 1 or catalog.visibility[row] not in LISTED:
        return []
    tree = catalog.categories
    own: dict[int, int] = {}
    for position, category_id in enumerate(category_ids(catalog, row)):  # a link's position: its place in the list
        own.setdefault(category_id, position)
    anchors: dict[int, int] = {}
    for category_id, position in own.items():
        for ancestor in tree.path(category_id)[2:-1]:  # every category is an anchor in the simulated store
            anchors[ancestor] = min(anchors.get(ancestor, position + ANCHOR_POSITION), position + ANCHOR_POSITION)
    positions = {**anchors, **own}  # a product's own link wins over an anchor's
    return [{"categoryId": str(category_id), "categoryPath": tree.url_path(tree.by_id[category_id], view),
             "productPosition": position}
            for category_id, position in sorted(positions.items()) if tree.level(category_id) >= 2]


def expected_products(catalog: Catalog) -> Expected:
    """Each product in each store view of its websites: its parents in that website ([{sku, productType}], sorted
    by type then SKU, as Adobe's exporter sorts them); a composite's availability from its members by Magento's
    rules (the simulator's stock index), and no quantity of its own; its yes/no attributes by their labels; its
    categories with their paths."""
    links = _parent_links(catalog)
    expected: Expected = {}
    for row in catalog.live_rows():
        for view in _views():
            if not _in_website(catalog, row, view.website_id):
                continue
            parents = sorted((TYPES[catalog.type[p]], catalog.sku[p]) for p in links.get(row, ())
                             if _in_website(catalog, p, view.website_id))
            fields: dict[str, Any] = {"productId": catalog.entity_id[row], "type": TYPES[catalog.type[row]],
                                      "parents": [{"sku": sku, "productType": kind} for kind, sku in parents],
                                      "categoryData": _category_data(catalog, row, view),
                                      "yesNo": _yes_no(catalog, row, view)}
            if catalog.type[row] in (CONFIGURABLE, BUNDLE, GROUPED):
                fields["inventory"] = {"qty": None}  # salable quantities: the inventoryStockStatus feed
                fields["inStock"] = stock.is_salable(catalog, row, layout.STOCK_OF_WEBSITE_ID[view.website_id])
            expected[(catalog.sku[row], view.code)] = fields
    return expected


def _option_value(attribute: Attribute, option_id: int) -> dict[str, Any]:
    label = next(option.label for option in attribute.options if option.id == option_id)  # the admin's label
    uid = base64.b64encode(f"configurable/{attribute.id}/{option_id}".encode()).decode()
    return {"attributeCode": attribute.code, "uid": uid, "label": label, "valueIndex": str(option_id)}


def expected_variants(catalog: Catalog) -> Expected:
    """One variant per live configurable and live child: the child's color and size (the configurable's options,
    in their positions), the ids and SKUs of both; Adobe's id is md5 of configurable/<parent>/<child>."""
    expected: Expected = {}
    for parent in catalog.live_rows():
        if catalog.type[parent] != CONFIGURABLE:
            continue
        parent_sku, parent_id = catalog.sku[parent], catalog.entity_id[parent]
        for child in catalog.children(parent_id):
            color, size = catalog.variant[catalog.entity_id[child]]
            variant_id = hashlib.md5(f"configurable/{parent_sku}/{catalog.sku[child]}".encode()).hexdigest()
            expected[(variant_id,)] = {
                "parentSku": parent_sku, "parentId": str(parent_id), "productSku": catalog.sku[child],
                "productId": str(catalog.entity_id[child]),
                "optionValues": [_option_value(COLOR, color), _option_value(SIZE, size)]}
    return expected


def expected_categories(catalog: Catalog) -> Expected:
    """Every category under each store view's root (the root included), as that view shows it: path, level, parent,
    active children, URL key and path, is-active and include-in-menu."""
    tree = catalog.categories
    expected: Expected = {}
    for view in _views():
        root = _group(view).root_category_id
        for category in tree:
            path = tree.path(category.id)
            if category.id == ROOT_ID or path[1] != root:
                continue
            expected[(str(category.id), view.code)] = {
                "storeCode": _group(view).code, "websiteCode": _website(view).code,
                "name": tree.value(category, "name", view), "path": "/".join(map(str, path)),
                "level": len(path) - 1, "parentId": str(category.parent_id), "position": category.position,
                "children": [str(child.id) for child in tree.children(category.id, active_in=view)],
                "urlKey": tree.value(category, "url_key", view), "urlPath": tree.url_path(category, view),
                "isActive": int(tree.value(category, "is_active", view)),
                "includeInMenu": int(tree.value(category, "include_in_menu", view))}
    return expected


def expected_attributes(catalog: Catalog) -> Expected:
    """Every product attribute in every store view, labelled with the view's store label (else its default)."""
    expected: Expected = {}
    for view in _views():
        for attribute in ATTRIBUTES:
            label = (getattr(attribute, view.language) if view.language else "") or attribute.label
            expected[(attribute.code, view.code)] = {
                "id": str(attribute.id), "storeCode": _group(view).code, "websiteCode": _website(view).code,
                "label": label, "frontendInput": attribute.input, "dataType": attribute.backend,
                "global": attribute.scope != "store", "required": attribute.required,
                "systemAttribute": not attribute.user_defined,
                "boolean": attribute.input == "boolean" and attribute.backend == "int"}
    return expected


EXPECTED: dict[str, Callable[[Catalog], Expected]] = {
    "products": expected_products,
    "productAttributes": expected_attributes,
    "categories": expected_categories,
    "variants": expected_variants,
}
# Feeds compared with the simulated Magento in a module of their own (prices per website and customer group with
# their date windows, stock per stock).
COMPARED_IN = {"prices": "tests/e2e/test_local_prices_stock.py",
               "inventoryStockStatus": "tests/e2e/test_local_prices_stock.py"}


# -- the comparison ---------------------------------------------------------------------------------------------

def _field(document: dict[str, Any], name: str) -> Any:
    """A document's field; ``yesNo``: its yes/no attributes' values (a products document lists attributes)."""
    if name != "yesNo":
        return document.get(name)
    codes = {attribute.code for attribute in BOOLEAN_ATTRIBUTES}
    return {entry["attributeCode"]: entry["value"] for entry in document.get("attributes") or []
            if entry["attributeCode"] in codes}


def _differences(expected: Expected, held: dict[Identity, dict[str, Any]]) -> list[str]:
    found = []
    for identity, fields in sorted(expected.items()):
        document = held.get(identity)
        if document is None:
            continue
        wrong = {name: (_field(document, name), value) for name, value in fields.items()
                 if _field(document, name) != value}
        if wrong:
            found.append(f"{identity}: " + "; ".join(f"{name} is {got!r}, Magento holds {want!r}"
                                                     for name, (got, want) in wrong.items()))
    return found


def test_every_feed_is_compared_with_the_simulated_magento() -> None:
    assert not set(EXPECTED) & set(COMPARED_IN)
    uncompared = set(FEEDS) - set(EXPECTED) - set(COMPARED_IN)
    assert not uncompared, f"no comparison with the simulated Magento for {sorted(uncompared)}: add one to EXPECTED"


@pytest.mark.parametrize("feed", list(EXPECTED))
def test_the_service_holds_what_magento_holds(stack: LocalStack, catalog: Catalog, feed: str) -> None:
    run = stack.info["runs"][feed]
    assert (run["trigger"], run["mode"], run["rows_failed"]) == ("schedule", "full", 0), run
    expected = EXPECTED[feed](catalog)
    held = held_items(stack, feed)
    assert expected, f"the simulated Magento holds no {feed} items"
    missing, extra = sorted(set(expected) - set(held)), sorted(set(held) - set(expected))
    assert not missing and not extra, (f"{len(missing)} missing, e.g. {missing[:5]}; "
                                       f"{len(extra)} the store does not hold, e.g. {extra[:5]}")
    differences = _differences(expected, held)
    assert not differences, f"{len(differences)} items differ, e.g.\n" + "\n".join(differences[:10])
    assert run["rows_exported"] == len(expected)


def test_the_catalog_has_every_kind_of_link_to_compare(catalog: Catalog) -> None:
    """The comparison is not vacuous: the store has configurables, bundles and grouped products with members in
    both websites, yes/no attributes, categories several levels deep and inactive ones."""
    products = expected_products(catalog)
    kinds = {parent["productType"] for fields in products.values() for parent in fields["parents"]}
    assert kinds == {"configurable", "bundle", "grouped"}
    assert {view for (_, view), fields in products.items() if fields["parents"]} == {v.code for v in _views()}
    assert {"Oui", "Non", "Ja", "Nein", "Yes", "No"} == {label for fields in products.values()
                                                        for values in fields["yesNo"].values() for label in values}
    in_root = [(sku, view) for (sku, view), fields in products.items() if fields["categoryData"]
               and 2 in category_ids(catalog, catalog.row_of_sku(sku) or 0)]
    assert in_root, "a listed product in the store's root category"
    assert all(entry["categoryPath"] for fields in products.values() for entry in fields["categoryData"])
    assert any(entry["productPosition"] >= ANCHOR_POSITION for fields in products.values()
               for entry in fields["categoryData"])
    categories = expected_categories(catalog)
    assert max(fields["level"] for fields in categories.values()) == 4
    assert {fields["isActive"] for fields in categories.values()} == {0, 1}
    assert any(fields["frontendInput"] == "boolean" for fields in expected_attributes(catalog).values())
    assert len(expected_variants(catalog)) >= 20
