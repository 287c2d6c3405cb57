"""The Magento source against the simulated Magento over real HTTP (strict: every request and answer is
checked against Magento's official REST schema by the simulator)."""
from __future__ import annotations

import socket
import threading
from collections import Counter

import pytest

from chalicelib.adapters.magento import BearerAuth, MagentoCatalogSource, MagentoClient, OAuth1Auth, RetryPolicy
from chalicelib.adapters.magento.client import NoRouteError, NotFoundError
from chalicelib.adapters.magento.inventory import Inventory
from chalicelib.adapters.magento.products import PAGES_AHEAD
from chalicelib.domain.errors import InvalidRecordError, SourceError
from chalicelib.domain.feeds.products import build_row
from chalicelib.ports import ReadPosition
from local_stack.magento.attributes import OPTION_ATTRIBUTES
from local_stack.magento.simulator import MagentoSimulator

PRODUCTS = 90


class Sleeps(list):
    """Records the pauses the retry policy asks for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def source_for(sim: MagentoSimulator, auth=None, page_size: int = 25, budget: float = 60.0, timeout: float = 10.0,
               store_views=(), sleeps: Sleeps | None = None) -> MagentoCatalogSource:
    auth = auth or BearerAuth(sim.integration.access_token)
    retry = RetryPolicy(budget_seconds=budget, sleep=sleeps if sleeps is not None else Sleeps())
    return MagentoCatalogSource(MagentoClient(sim.base_url, auth, timeout, retry), store_views, page_size)


@pytest.fixture(scope="module")
def shared_sim():
    with MagentoSimulator(products=PRODUCTS, integration_as_bearer=True) as sim:
        sim.start()
        yield sim


@pytest.fixture
def sim(shared_sim):
    """The module's simulator, with faults and the request log cleared (tests here do not edit its catalog)."""
    shared_sim.faults.reset()
    shared_sim.clear_requests()
    yield shared_sim
    shared_sim.faults.reset()
    assert not shared_sim.failures, "the simulator found an answer off Magento's schema"


@pytest.fixture
def own_sim():
    """A simulator of a test's own, for tests that edit the catalog."""
    with MagentoSimulator(products=40, integration_as_bearer=True) as sim:
        sim.start()
        yield sim
        assert not sim.failures


def keys(records) -> list[tuple[str, str]]:
    return [(r["store_view_code"], r["sku"]) for r in records]


def expected_keys(sim: MagentoSimulator) -> set[tuple[str, str]]:
    """What Magento shows per active store view: the products of the view's website."""
    websites = {"default": 1, "french": 1, "german": 2}
    return {(view, sku) for sku in sim.skus() for view, website in websites.items()
            if website in sim.product(sku, "all")["extension_attributes"]["website_ids"]}


def test_reads_every_active_store_view_filtered_to_its_website(sim):
    source = source_for(sim)
    assert [v.code for v in source.store_views()] == ["default", "french", "german"]  # "dutch" is inactive
    german = next(v for v in source.store_views() if v.code == "german")
    assert (german.website_code, german.currency) == ("eu", "EUR")
    records = list(source.products(None))
    assert len(keys(records)) == len(set(keys(records))), "no product twice"
    assert set(keys(records)) == expected_keys(sim)
    views = {v.code: v for v in source.store_views()}
    for record in records:
        build_row(record, views)  # the sample of a healthy store has no malformed product


def test_store_view_values_and_labels(sim):
    records = {(r["store_view_code"], r["sku"]): r for r in source_for(sim).products(None)}
    sku = next(s for (view, s) in records if view == "french" and sim.product(s, "french")["name"]
               != sim.product(s, "default")["name"])
    assert records[("french", sku)]["name"] == sim.product(sku, "french")["name"]
    assert records[("default", sku)]["name"] == sim.product(sku, "default")["name"]
    record = records[("default", sku)]
    assert record["status"] in ("Enabled", "Disabled")
    assert record["attribute_set"] in ("Default", "Top", "Bottom", "Gear", "Downloadable")
    # Select and multiselect values are option ids (yes/no attributes hold "1"/"0", and are not looked up here).
    labels = [label for code, values in record["attributes"].items() if code in OPTION_ATTRIBUTES for label in values]
    assert labels and not any(label.isdigit() for label in labels), "option ids become labels"


def expected_parents(sim: MagentoSimulator) -> dict[tuple[str, int], set[tuple[str, str]]]:
    """(child sku, website id) → {(parent type, parent sku)}: from the composites' own answers, as a person
    reading Magento's admin would list them (a parent counts in the websites it shares with the child)."""
    skus_by_id = {sim.product(s, "all")["id"]: s for s in sim.skus()}
    found: dict[tuple[str, int], set[tuple[str, str]]] = {}
    for kind in ("configurable", "bundle", "grouped"):
        for parent in sim.skus(kind):
            answer = sim.product(parent, "all")
            extension = answer["extension_attributes"]
            children = [skus_by_id[i] for i in extension.get("configurable_product_links") or []]
            children += [link["sku"] for option in extension.get("bundle_product_options") or []
                         for link in option["product_links"]]
            children += [link["linked_product_sku"] for link in answer.get("product_links") or []
                         if link["link_type"] == "associated"]
            for child in children:
                for website in set(extension["website_ids"]) & set(
                        sim.product(child, "all")["extension_attributes"]["website_ids"]):
                    found.setdefault((child, website), set()).add((kind, parent))
    return found


def test_variants_and_members_name_their_parents(sim):
    records = list(source_for(sim).products(None))
    parents = expected_parents(sim)
    assert parents, "the simulated catalog has composites"
    website = {"default": 1, "french": 1, "german": 2}
    for record in records:
        wanted = sorted(parents.get((record["sku"], website[record["store_view_code"]]), set()))
        assert record["parents"] == [{"sku": sku, "productType": kind} for kind, sku in wanted], record["sku"]


def test_composites_have_no_quantity_and_are_salable_by_magentos_rules(sim):
    records = {(r["store_view_code"], r["sku"]): r for r in source_for(sim).products(None)}
    stock = {"default": 1, "french": 1, "german": 2}
    composites = [(view, sku) for (view, sku), r in records.items() if r["type"] in ("configurable", "bundle",
                                                                                   "grouped")]
    assert {records[key]["type"] for key in composites} == {"configurable", "bundle", "grouped"}
    client = MagentoClient(sim.base_url, BearerAuth(sim.integration.access_token))

    def salable(skus, view):
        answer = client.get("all", "/V1/inventory/are-products-salable",
                            [*((f"skus[{i}]", s) for i, s in enumerate(skus)), ("stockId", str(stock[view]))])
        return {item["sku"]: item["salable"] for item in answer}

    for view, sku in composites:
        record = records[(view, sku)]
        assert (record["quantity"], record["salable_quantity"]) == (None, None), "no invented quantity"
        assert record["in_stock"] is salable([sku], view)[sku], (view, sku)  # Magento's own answer


def test_a_bundle_with_a_required_option_sold_out_is_not_salable(own_sim):
    bundle = next(s for s in own_sim.skus("bundle")
                  if 1 in own_sim.product(s, "all")["extension_attributes"]["website_ids"])
    options = own_sim.product(bundle, "all")["extension_attributes"]["bundle_product_options"]
    required = next(o for o in options if o["required"])
    source = source_for(own_sim, store_views=("default",))
    assert next(r for r in source.products(None) if r["sku"] == bundle)["in_stock"]
    for link in required["product_links"]:  # every selection of one required option sold out
        for code in ("default", "us_west", "eu_warehouse", "eu_pickup"):
            own_sim.set_quantity(link["sku"], 0, source=code)
    record = next(r for r in source.products(None) if r["sku"] == bundle)
    assert record["in_stock"] is False and record["quantity"] is None


def test_yes_no_attributes_go_out_with_the_store_views_labels(sim):
    records = {(r["store_view_code"], r["sku"]): r for r in source_for(sim).products(None)}
    labels = {view: {o["value"]: o["label"] for o in
                     MagentoClient(sim.base_url, BearerAuth(sim.integration.access_token)).get(
                         view, "/V1/products/attributes/new/options")} for view in ("default", "german")}
    assert labels["default"] != labels["german"], "the simulated store translates Yes/No"
    seen = 0
    for (view, sku), record in records.items():
        if view in labels and "new" in record["attributes"]:
            raw = next(a["value"] for a in sim.product(sku, view)["custom_attributes"] if a["attribute_code"] == "new")
            assert record["attributes"]["new"] == [labels[view][raw]]
            seen += 1
    assert seen


def test_source_items_are_read_in_batches_never_per_sku(sim):
    list(source_for(sim, page_size=50).products(None))
    reads = [r for r in sim.requests if r.path.endswith("/V1/inventory/source-items")]
    assert reads, "MSI source items are read"
    for read in reads:
        query = read.query
        field = next(k for k, v in query.items() if v == "sku" and k.endswith("[field]"))
        assert query[field.replace("[field]", "[conditionType]")] == "in"
    per_sku = [r for r in sim.requests if "/V1/stockItems/" in r.path]
    assert not per_sku


@pytest.mark.parametrize("version", ["2.3", "2.4"])
def test_paging_is_right_on_both_versions(version):
    with MagentoSimulator(products=50, version=version, integration_as_bearer=True) as sim:
        sim.start()
        records = list(source_for(sim, page_size=7).products(None))
        assert len(records) == len(set(keys(records)))
        assert set(keys(records)) == expected_keys(sim)


def test_no_duplicates_or_misses_while_the_catalog_changes():
    # Pages of 5, 8 records taken: the read has listed at most PAGES_AHEAD pages beyond them, so with three times
    # that many products the product added below comes after every page listed so far (with the 40 products of
    # `own_sim` the read could have listed the whole catalog already, and the product added was then rightly missed).
    with MagentoSimulator(products=(PAGES_AHEAD + 2) * 5 * 3, integration_as_bearer=True) as own_sim:
        own_sim.start()
        source = source_for(own_sim, page_size=5, store_views=("default",))
        before = set(own_sim.skus())
        reader = source.products(None)
        first = [next(reader) for _ in range(8)]
        gone = own_sim.skus()[2]  # already read: deleting it must not shift the pages after it
        own_sim.delete_product(gone)
        added = own_sim.add_product("Arrived Mid-Read", price=12.0)
        rest = list(reader)
        seen = [r["sku"] for r in first + rest]
        assert len(seen) == len(set(seen))
        present_throughout = {s for s in before if s != gone and
                              1 in own_sim.product(s, "all")["extension_attributes"]["website_ids"]}
        assert present_throughout <= set(seen)
        assert added in seen  # created after the read listed its pages so far, with the highest id: read too
        assert not own_sim.failures


def test_partial_reads_use_updated_at_and_stock_changes_do_not_bump_it(own_sim):
    source = source_for(own_sim, store_views=("default",))
    skus = own_sim.skus()
    since = max(own_sim.updated_at(s) for s in skus)
    watermark = f"{since[:10]}T{since[11:19]}.000Z"
    own_sim.set_quantity(skus[0], 999)
    assert [r["sku"] for r in source.products(watermark)
            if r["updated_at"] > watermark] == []  # a stock change alone is invisible to updated_at
    own_sim.set_price(skus[1], 77.5)
    changed = [r for r in source.products(watermark) if r["sku"] == skus[1]]
    assert changed and changed[0]["price"] == 77.5
    reads = [r.query for r in own_sim.requests if r.path.endswith("/V1/products") and "updated_at" in r.query.values()]
    assert reads and all("gteq" in query.values() for query in reads)


def test_products_by_key(sim):
    skus = sim.skus()
    wanted_id = sim.product(skus[5], "all")["id"]
    records = list(source_for(sim).products_by_key([skus[0], "NO-SUCH-SKU"], [wanted_id]))
    assert {r["sku"] for r in records} == {skus[0], skus[5]}
    assert list(source_for(sim).products_by_key([], [])) == []


def test_a_run_reads_with_its_own_thread_count(sim):
    source = source_for(sim)
    tuned = source.with_concurrency(2)  # a resync's --thread-count: the client's concurrency for that run
    assert tuned is not source and tuned.client.concurrency == 2 and source.client.concurrency != 2
    assert sorted(keys(tuned.products(None))) == sorted(keys(source.products(None)))
    assert 1 <= tuned.client.most_in_flight <= 2


def test_a_resumable_read_yields_positions_and_resumes_from_any_of_them(sim):
    source = source_for(sim)  # pages of 25: several pages per stock
    whole = list(source.read_resumable("products", None))
    positions = [n for n, item in enumerate(whole) if isinstance(item, ReadPosition)]
    records = [item for item in whole if not isinstance(item, ReadPosition)]
    assert sorted(keys(records)) == sorted(expected_keys(sim)) and len(positions) > 3
    assert len({whole[n].value.split(":")[0] for n in positions}) == 2, "two stocks (websites): positions in each"
    for n in (positions[0], positions[len(positions) // 2], positions[-2]):
        rest = [item for item in source.read_resumable("products", whole[n].value)
                if not isinstance(item, ReadPosition)]
        before = [item for item in whole[:n] if not isinstance(item, ReadPosition)]
        assert keys(before) + keys(rest) == keys(records), f"resumed from {whole[n].value}"
    assert keys(r for r in source.read_resumable("products", "not a position")
                if not isinstance(r, ReadPosition)) == keys(records), "an unknown position reads from the start"
    assert not any(isinstance(r, ReadPosition) for r in source.read_resumable("categories", None)), "read whole"


def test_the_count_of_the_products_feed_is_its_rows(sim):
    source = source_for(sim)
    assert source.count("products") == len(expected_keys(sim))
    assert source.count("categories") is None
    sim.faults.fail(5, status=503)
    assert source_for(sim, budget=0.0).count("products") is None, "a store that cannot say: no count, no failure"


def test_oauth1_signed_requests(sim):
    sim.integration_as_bearer = False
    try:
        i = sim.integration
        auth = OAuth1Auth(i.consumer_key, i.consumer_secret, i.access_token, i.access_token_secret)
        assert [v.code for v in source_for(sim, auth=auth).store_views()] == ["default", "french", "german"]
        assert any(r.headers.get("Authorization", "").startswith("OAuth") for r in sim.requests)
        wrong = OAuth1Auth(i.consumer_key, "not-the-secret", i.access_token, i.access_token_secret)
        with pytest.raises(SourceError, match="Magento returned 401 for /rest/all/V1/store/storeViews: check the "
                                              "integration's consumer key"):
            source_for(sim, auth=wrong).store_views()
    finally:
        sim.integration_as_bearer = True


def test_an_integration_token_as_bearer_on_a_2_4_4_store_says_what_to_do(sim):
    sim.integration_as_bearer = False
    try:
        with pytest.raises(SourceError) as error:
            source_for(sim).store_views()
        assert "Magento returned 401 for /rest/all/V1/store/storeViews" in str(error.value)
        assert "MAGENTO_AUTH=oauth1" in str(error.value)
        assert sim.integration.access_token not in str(error.value)
    finally:
        sim.integration_as_bearer = True


def test_admin_token_and_its_expiry(sim):
    token = sim.admin_token()
    assert source_for(sim, auth=BearerAuth(token)).store_views()
    lifetime = sim.admin_token_lifetime
    sim.admin_token_lifetime = 0
    try:
        expired = sim.admin_token()
        with pytest.raises(SourceError, match=r"401 .*admin tokens expire after 4 hours"):
            source_for(sim, auth=BearerAuth(expired)).store_views()
    finally:
        sim.admin_token_lifetime = lifetime


def test_429_is_retried_after_retry_after(sim):
    sleeps = Sleeps()
    sim.faults.throttle(2, retry_after=3)
    assert source_for(sim, sleeps=sleeps).store_views()
    assert len(sleeps) == 2 and min(sleeps) >= 3


def test_a_429_slows_down_every_thread_not_just_the_one_told(sim):
    sleeps = Sleeps()
    client = MagentoClient(sim.base_url, BearerAuth(sim.integration.access_token), concurrency=4,
                           retry=RetryPolicy(sleep=sleeps))
    sim.faults.throttle(1, retry_after=30)
    client.get("all", "/V1/store/storeViews")  # told to wait 30 s (the pause is recorded, not slept)
    other = threading.Thread(target=client.get, args=("all", "/V1/store/websites"))
    other.start()
    other.join()
    assert len(sleeps) == 2 and sleeps[0] >= 30 and sleeps[1] > 25, "the other thread waits out the same pause"
    client.get("all", "/V1/store/storeGroups")
    assert len(sleeps) == 2, "the thread that waited does not wait twice"


def test_not_found_and_no_route_are_typed(sim):
    client = MagentoClient(sim.base_url, BearerAuth(sim.integration.access_token))
    with pytest.raises(NotFoundError) as missing:
        client.get("all", "/V1/products/NO-SUCH-SKU")
    assert not isinstance(missing.value, NoRouteError)
    with pytest.raises(NoRouteError):
        client.get("belgian", "/V1/store/storeViews")


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_with_backoff(sim, status):
    sleeps = Sleeps()
    sim.faults.fail(3, status=status)
    assert source_for(sim, sleeps=sleeps).store_views()
    assert len(sleeps) == 3


def test_dropped_connections_are_retried(sim):
    sleeps = Sleeps()
    sim.faults.drop(2)
    assert source_for(sim, sleeps=sleeps).store_views()
    assert len(sleeps) == 2


def test_timeouts_are_retried(own_sim):
    """On a simulator of its own: the requests it gave up on are still being answered when the test ends, and on the
    module's simulator they would take faults queued by the next test."""
    sleeps = Sleeps()
    own_sim.faults.latency = 0.6
    own_sim.faults.path_contains = "storeViews"
    with pytest.raises(SourceError, match=r"Magento did not answer /rest/all/V1/store/storeViews in time .*gave up"):
        source_for(own_sim, timeout=0.2, budget=1.0, sleeps=sleeps).store_views()
    assert sleeps, "a timeout is retried before the run gives up"


def test_a_persistent_failure_fails_the_run_with_what_failed(sim):
    sim.faults.fail(1000, status=503)
    with pytest.raises(SourceError) as error:
        source_for(sim, budget=5.0).store_views()
    assert str(error.value).startswith("Magento returned 503 for /rest/all/V1/store/storeViews (gave up after")


def test_an_html_page_instead_of_json(sim):
    sim.faults.html(1, status=200)
    with pytest.raises(SourceError, match=r"HTTP 200 and a non-JSON body .*text/html.*check MAGENTO_BASE_URL"):
        source_for(sim).store_views()


def test_a_wrong_store_view_code(sim):
    with pytest.raises(SourceError, match="Magento has no active store view 'belgian'; its active store views are "
                                          "default, french, german"):
        source_for(sim, store_views=("belgian",)).store_views()
    # Magento takes an unknown store code for part of the path: no route. The message names both suspects.
    client = MagentoClient(sim.base_url, BearerAuth(sim.integration.access_token))
    with pytest.raises(SourceError, match="404 for /rest/belgian/V1/store/storeViews: no such REST route; check "
                                          "that the store view 'belgian' exists and MAGENTO_BASE_URL"):
        client.get("belgian", "/V1/store/storeViews")


def test_a_wrong_base_url():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = MagentoClient(f"http://127.0.0.1:{port}", BearerAuth("x"), 2, RetryPolicy(1.0, sleep=Sleeps()))
    with pytest.raises(SourceError, match=f"cannot reach Magento at http://127.0.0.1:{port} .*check MAGENTO_BASE_URL"):
        MagentoCatalogSource(client).store_views()


def test_a_base_url_that_is_not_the_store(sim):
    client = MagentoClient(sim.base_url + "/shop", BearerAuth(sim.integration.access_token))
    with pytest.raises(SourceError, match="check MAGENTO_BASE_URL"):
        MagentoCatalogSource(client).store_views()


def test_a_malformed_product_becomes_a_failed_row_not_a_failed_read(own_sim):
    broken = own_sim.skus()[3]
    own_sim.malform_product(broken, "bad_price")
    source = source_for(own_sim, store_views=("default",))
    views = {v.code: v for v in source.store_views()}
    price = own_sim.product(broken)["price"]
    assert isinstance(price, str)  # e.g. "36,00", as a misbehaving extension writes it
    outcomes = Counter()
    for record in source.products(None):
        try:
            build_row(record, views)
            outcomes["ok"] += 1
        except InvalidRecordError as error:
            outcomes[(record.get("sku"), str(error))] += 1
    assert outcomes[(broken, f"price is not a number: {price!r}")] == 1
    assert outcomes["ok"] >= 20 and sum(outcomes.values()) - outcomes["ok"] == 1  # the others are fine


def test_the_page_size_is_what_was_configured(sim):
    list(source_for(sim, page_size=300, store_views=("default",)).products(None))
    sizes = {r.query.get("searchCriteria[pageSize]") for r in sim.requests
             if r.path == "/rest/default/V1/products"}  # (children's SKUs are looked up in the global scope)
    assert sizes == {"300"}


def test_without_msi_the_legacy_stock_items_are_used():
    with MagentoSimulator(products=30, integration_as_bearer=True, msi=False) as sim:
        sim.start()
        records = list(source_for(sim, store_views=("default",)).products(None))
        simple = [r for r in records if r["type"] == "simple"]
        assert simple and all(r["quantity"] is not None for r in simple)
        assert not any("/V1/stockItems/" in r.path for r in sim.requests), "list responses carry stock_item"
        sim.faults.list_stock_item = False  # …unless the list leaves it out: then one request per product
        again = {r["sku"]: r for r in source_for(sim, store_views=("default",)).products(None)}
        assert {r["sku"]: r["quantity"] for r in simple} == {sku: again[sku]["quantity"] for sku in again
                                                             if again[sku]["type"] == "simple"}
        assert any("/V1/stockItems/" in r.path for r in sim.requests)
        assert not sim.failures


def test_websites_that_share_a_stock_read_it_once(sim, monkeypatch):
    # The simulated store gives each website its own stock; a store whose websites share one is read as one.
    monkeypatch.setattr(Inventory, "stock_id", lambda self, website_code: 1)
    records = list(source_for(sim).products(None))
    assert len(keys(records)) == len(set(keys(records))) and set(keys(records)) == expected_keys(sim)
    assert not any("/get-product-salable-quantity/" in r.path for r in sim.requests), \
        "the products feed asks no salable quantity: the inventoryStockStatus feed's read does"
    products_requests = list(sim.requests)
    sim.clear_requests()
    stock = list(source_for(sim).read("inventoryStockStatus", None))
    assert {r["stock_id"] for r in stock} == {1} and len({r["sku"] for r in stock}) == len(stock)
    salable = Counter(r.path for r in sim.requests if "/get-product-salable-quantity/" in r.path)
    assert salable and max(salable.values()) == 1, "each product's salable quantity once for the shared stock"
    leader = [r.query for r in products_requests if r.path == "/rest/default/V1/products"
              and "website_id" in r.query.values()]
    assert all("1,2" in query.values() for query in leader), "the first view pages through both websites"



def test_salable_quantity_is_asked_only_where_it_can_be_more_than_nothing(own_sim):
    simple = [s for s in own_sim.skus("simple")
              if 1 in own_sim.product(s, "all")["extension_attributes"]["website_ids"]]
    unmanaged, sold_out = simple[0], simple[1]
    own_sim.set_manage_stock(unmanaged, False)
    for code in ("default", "us_west"):
        own_sim.set_quantity(sold_out, 0, source=code)
    own_sim.clear_requests()
    source = source_for(own_sim, store_views=("default",))
    records = {r["sku"]: r for r in source.read("inventoryStockStatus", None)}
    asked = {r.path.split("/")[-2] for r in own_sim.requests if "/get-product-salable-quantity/" in r.path}
    assert unmanaged not in asked and sold_out not in asked
    assert not asked & set(own_sim.skus("configurable") + own_sim.skus("bundle") + own_sim.skus("grouped"))
    assert (records[unmanaged]["salable_quantity"], records[unmanaged]["is_salable"]) == (None, True)
    assert records[unmanaged]["manage_stock"] is False
    assert (records[sold_out]["salable_quantity"], records[sold_out]["is_salable"]) == (0.0, False)

