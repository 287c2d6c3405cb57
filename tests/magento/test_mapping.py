"""The Magento product → source record mapping, and searchCriteria, on hand-written Magento JSON."""
from chalicelib.adapters.magento.categories import CategoryTree
from chalicelib.adapters.magento.criteria import Filter, all_of, any_in, search_criteria
from chalicelib.adapters.magento.mapping import (
    Catalog,
    Stock,
    composite_of,
    legacy_stock,
    magento_time,
    manages_stock,
    to_record,
)
from chalicelib.domain.errors import InvalidRecordError
from chalicelib.domain.feed import StoreView
from chalicelib.domain.feeds.composites import BundleOption, Composite
from chalicelib.domain.feeds.products import build_row


def category(cid: int, path: str, url_key: str, anchor: bool = True) -> dict:
    return {"id": cid, "path": path, "level": path.count("/"), "is_active": True, "include_in_menu": True,
            "custom_attributes": [{"attribute_code": "url_key", "value": url_key},
                                  {"attribute_code": "is_anchor", "value": "1" if anchor else "0"}]}


TREE = CategoryTree([category(1, "1", "root-catalog"), category(2, "1/2", "default-category"),
                     category(10, "1/2/10", "men"), category(11, "1/2/10/11", "tops-men")], root_id=2)
CATALOG = Catalog(attribute_sets={4: "Default", 9: "Top"},
                  options={"color": {"49": "Black", "50": "Blue"}, "material": {"31": "Cotton", "35": "Wool"},
                           "eco_collection": {"1": "Oui", "0": "Non"}},
                  categories=TREE, media_url="https://shop.example/media/catalog/product")
VIEWS = {"french": StoreView("french", "main", "base", "EUR")}


def product(**overrides):
    base = {"id": 42, "sku": "MJ01", "name": "Veste", "attribute_set_id": 9, "price": 59.5, "status": 1,
            "visibility": 4, "type_id": "simple", "created_at": "2024-01-02 03:04:05",
            "updated_at": "2026-11-20 10:00:00", "weight": 1.2,
            "extension_attributes": {"website_ids": [1], "category_links": [{"position": 3, "category_id": "11"}]},
            "custom_attributes": [{"attribute_code": "color", "value": "49"},
                                  {"attribute_code": "material", "value": "31,35"},
                                  {"attribute_code": "url_key", "value": "veste-mj01"},
                                  {"attribute_code": "description", "value": "<p>Chaude</p>"}],
            "media_gallery_entries": [{"file": "/m/j/mj01.jpg", "label": "front", "position": 1,
                                       "types": ["image", "thumbnail"], "disabled": False}]}
    base.update(overrides)
    return base


def test_codes_become_names_and_labels():
    record = to_record(product(), "french", CATALOG, Stock(7.0, 5.0, True))
    assert record["status"] == "Enabled" and record["visibility"] == "Catalog, Search"
    assert record["attribute_set"] == "Top"
    assert record["attributes"] == {"color": ["Black"], "material": ["Cotton", "Wool"]}
    assert record["url_key"] == "veste-mj01" and record["description"] == "<p>Chaude</p>"
    assert record["categories"] == [{"categoryId": "10", "categoryPath": "men", "productPosition": 10_003},
                                    {"categoryId": "11", "categoryPath": "men/tops-men", "productPosition": 3}]
    assert record["images"][0]["resource"]["url"] == "https://shop.example/media/catalog/product/m/j/mj01.jpg"
    assert (record["quantity"], record["salable_quantity"], record["in_stock"]) == (7.0, 5.0, True)
    assert record["updated_at"] == "2026-11-20T10:00:00.000Z"
    row = build_row(record, VIEWS)
    assert (row.sku, row.store_view_code, row.product_id, row.salable_quantity) == ("MJ01", "french", 42, 5.0)


def test_unknown_option_ids_and_codes_are_kept_visible_not_dropped():
    record = to_record(product(status=7, custom_attributes=[{"attribute_code": "color", "value": "99"}]),
                       "french", CATALOG, None)
    assert record["status"] == "unknown status 7"
    assert record["attributes"] == {"color": ["99"]}
    assert record["quantity"] is None and record["in_stock"] is False


def test_a_malformed_product_becomes_a_failed_row_with_the_reason():
    record = to_record(product(custom_attributes="oops"), "french", CATALOG, None)
    assert record["sku"] == "MJ01" and "malformed Magento product" in record["error"]
    try:
        build_row(record, VIEWS)
    except InvalidRecordError as error:
        assert "custom_attributes is not a list" in str(error)
    else:
        raise AssertionError("a malformed product must not become a row")


def test_a_price_magento_sent_as_text_fails_its_row():
    record = to_record(product(price="12,50"), "french", CATALOG, None)
    try:
        build_row(record, VIEWS)
    except InvalidRecordError as error:
        assert "price is not a number" in str(error)
    else:
        raise AssertionError("a non-numeric price must fail the row")


def test_yes_no_attributes_go_out_with_their_labels():
    record = to_record(product(custom_attributes=[{"attribute_code": "eco_collection", "value": "1"}]), "french",
                       CATALOG, None)
    assert record["attributes"] == {"eco_collection": ["Oui"]}


def test_each_composite_type_names_its_members():
    configurable = product(sku="C", type_id="configurable",
                           extension_attributes={"configurable_product_links": [5, "6", 7]})
    bundle = product(sku="B", type_id="bundle", extension_attributes={"bundle_product_options": [
        {"option_id": 1, "required": True, "product_links": [{"sku": "B-1"}, {"sku": "B-2"}]},
        {"option_id": 2, "required": False, "product_links": [{"sku": "B-3"}]}]})
    grouped = product(sku="G", type_id="grouped", product_links=[
        {"link_type": "associated", "linked_product_sku": "G-1"}, {"link_type": "related", "linked_product_sku": "X"}])
    assert composite_of(configurable, {5: "C-5", 6: "C-6"}) == Composite("C", "configurable", ("C-5", "C-6"))
    assert composite_of(bundle, {}) == Composite("B", "bundle", options=(
        BundleOption(True, ("B-1", "B-2")), BundleOption(False, ("B-3",))))
    assert composite_of(grouped, {}) == Composite("G", "grouped", ("G-1",))


def test_manage_stock_is_read_from_the_stock_item():
    assert manages_stock(product())
    assert not manages_stock(product(extension_attributes={"stock_item": {"manage_stock": False}}))


def test_legacy_stock_item():
    assert legacy_stock(product()) is None
    stock = legacy_stock(product(extension_attributes={"stock_item": {"qty": 3, "is_in_stock": True}}))
    assert stock == Stock(3.0, None, True)


def test_magento_time():
    assert magento_time("2019-08-30 07:14:51") == "2019-08-30T07:14:51.000Z"
    assert magento_time(None) is None and magento_time("2019") is None


def test_search_criteria_spelled_as_the_schema():
    pairs = search_criteria(all_of(Filter("updated_at", "2026-01-01 00:00:00", "gteq"), None,
                                   any_in("sku", ["A", "B"])),
                            sort=[("entity_id", "ASC")], page_size=200, current_page=1)
    assert pairs == [
        ("searchCriteria[filterGroups][0][filters][0][field]", "updated_at"),
        ("searchCriteria[filterGroups][0][filters][0][value]", "2026-01-01 00:00:00"),
        ("searchCriteria[filterGroups][0][filters][0][conditionType]", "gteq"),
        ("searchCriteria[filterGroups][1][filters][0][field]", "sku"),
        ("searchCriteria[filterGroups][1][filters][0][value]", "A,B"),
        ("searchCriteria[filterGroups][1][filters][0][conditionType]", "in"),
        ("searchCriteria[sortOrders][0][field]", "entity_id"),
        ("searchCriteria[sortOrders][0][direction]", "ASC"),
        ("searchCriteria[pageSize]", "200"),
        ("searchCriteria[currentPage]", "1"),
    ]
