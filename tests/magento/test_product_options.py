"""The products feed's optionsV2 through the real Magento adapter, against the simulated Magento over real HTTP
(strict: requests and answers checked against Magento's schema): every configurable's, bundle's and grouped
product's options as the simulator's model holds them, read from the products' own answers (no request of their
own); a malformed option is a failed row with its reason."""
from __future__ import annotations

import json

import pytest

from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feeds import FEEDS
from local_stack.magento import layout
from local_stack.magento.simulator import MagentoSimulator
from tests.expected_options import expected_options
from tests.magento.test_source import source_for

PRODUCTS = 200  # the first size of the default seed with a fixed-price bundle with a percent price
COMPOSITES = ("configurable", "bundle", "grouped")


@pytest.fixture
def sim():
    with MagentoSimulator(products=PRODUCTS, integration_as_bearer=True) as own:
        own.start()
        yield own
        assert not own.failures, "the simulator found a request or an answer off Magento's schema"


def _documents(sim: MagentoSimulator) -> dict[tuple[str, str], dict]:
    source = source_for(sim)
    views = {view.code: view for view in source.store_views()}
    documents = {}
    for record in source.read("products", None):
        row = FEEDS["products"].build(record, views)
        documents[(row.id, row.scope)] = json.loads(row.document)
    return documents


def test_every_composites_options_as_magento_holds_them_at_no_request_of_their_own(sim):
    documents = _documents(sim)

    catalog = sim.catalog
    compared = {kind: 0 for kind in COMPOSITES}
    for (sku, view), document in documents.items():
        row = catalog.row_of_sku(sku)
        assert row is not None
        assert document["optionsV2"] == expected_options(catalog, row, layout.STORE_BY_CODE[view]), (sku, view)
        if document["type"] in COMPOSITES:
            compared[document["type"]] += 1
    assert all(compared.values()), compared
    asked = {request.path.split("/V1/", 1)[1].split("/")[0] for request in sim.requests}
    assert not asked & {"bundle-products", "configurable-products"}, asked
    assert not [r.path for r in sim.requests if "/links" in r.path]


def test_the_options_have_every_shape_to_compare(sim):
    """Not vacuous: required and optional bundle options, quantities above 1 and changeable ones, fixed and
    percent prices, dynamic bundles without prices, grouped members with qty 0 and above 1, translated labels."""
    documents = _documents(sim)
    options = [(document, option) for document in documents.values() for option in document["optionsV2"]]
    bundle = [o for _, o in options if o["type"] == "bundle"]
    values = [v for o in bundle for v in o["values"]]
    assert {o["required"] for o in bundle} == {True, False}
    assert {v["qtyMutability"] for v in values} == {True, False} and any(v["qty"] > 1 for v in values)
    assert {v.get("priceType") for v in values} == {None, "fixed", "percent"}
    assert {v["qty"] for o in options if o[1]["type"] == "grouped" for v in o[1]["values"]} >= {0, 2}
    labels = {(d["storeViewCode"], o["label"]) for d, o in options if o["type"] == "configurable"}
    assert {("default", "Color"), ("french", "Couleur")} <= labels


def test_a_bundle_option_emptied_of_its_selections_arrives_with_none(sim):
    bundle = sim.skus("bundle")[0]
    option_id = sim.catalog.bundles[sim.product(bundle, "all")["id"]].options[-1].option_id
    sim.set_bundle_option(bundle, option_id, selections=[], required=False)

    options = _documents(sim)[(bundle, "default")]["optionsV2"]

    assert [(o["id"], o["required"], o["values"]) for o in options if o["id"] == str(option_id)] == [
        (str(option_id), False, [])]


def test_a_bundle_magento_answers_with_a_malformed_selection_is_refused_with_its_reason(sim):
    bundle = sim.skus("bundle")[0]
    sim.malform_product(bundle, "bad_selection_qty")
    source = source_for(sim)
    views = {view.code: view for view in source.store_views()}
    [record] = [r for r in source.read_by_ids("products", [bundle]) if r["store_view_code"] == "default"]

    with pytest.raises(InvalidRecordError) as refused:
        FEEDS["products"].build(record, views)

    assert refused.value.code == "invalid_record.bundle_options"
    assert "is not a number" in str(refused.value) and str(refused.value).startswith("qty of a selection")
