"""The products routes on the real products service and search index, after a sync on moto (answers held to
the OpenAPI document by the conftest)."""
import json

import pytest

from chalicelib.adapters.sample_catalog import sku_of
from tests.functional.lambdas import export_everything, hourly

PRODUCTS = 12


@pytest.fixture
def client_env():
    return {"SAMPLE_PRODUCTS": str(PRODUCTS)}


@pytest.fixture
def client(client, aws):
    """After a first sync, every row exported."""
    hourly(client)
    export_everything(client, aws["queue_url"])
    return client


def get(client, path, headers):
    response = client.http.get(path, headers=headers)
    return response.status_code, json.loads(response.body)


def test_admins_search_the_synced_products_across_store_views(client, user_pool):
    status, page = get(client, f"/api/products?q={sku_of(3).lower()}", user_pool.admin())
    assert status == 200 and page["total"] >= 1
    assert {item["sku"] for item in page["items"]} == {sku_of(3)}
    assert all(item["export_status"] == "submitted" and item["last_exported_at"] for item in page["items"])
    status, first = get(client, "/api/products?sort=name&order=desc&limit=5", user_pool.admin())
    assert status == 200 and len(first["items"]) == 5 and first["next_cursor"]
    status, second = get(client, f"/api/products?sort=name&order=desc&limit=5&cursor={first['next_cursor']}",
                         user_pool.admin())
    assert status == 200 and not {(i["sku"], i["store_view_code"]) for i in first["items"]} & {
        (i["sku"], i["store_view_code"]) for i in second["items"]}
    status, failed = get(client, "/api/products?status=failed_requires_attention", user_pool.admin())
    assert (status, failed["total"]) == (200, 0)


def test_the_services_refusals_name_the_parameter_and_its_values(client, user_pool):
    status, refused = get(client, "/api/products?status=lost", user_pool.admin())
    assert status == 400
    assert refused["Message"] == ("status must be one of submitted, awaiting_submission, failed_will_retry, "
                                  "failed_requires_attention, deleted, not_exported; got 'lost'")
    status, refused = get(client, "/api/products?limit=500", user_pool.admin())
    assert status == 400 and "limit must be a whole number from 1 to 200" in refused["Message"]


def test_a_products_detail_shows_every_store_view_and_what_differs(client, user_pool):
    status, page = get(client, f"/api/products?q={sku_of(5)}", user_pool.admin())
    product_id = page["items"][0]["product_id"]
    status, detail = get(client, f"/api/products/{product_id}", user_pool.admin())
    assert status == 200
    assert detail["sku"] == sku_of(5) and len(detail["store_views"]) == page["total"]
    view = detail["store_views"][0]
    assert view["document"]["sku"] == sku_of(5) and view["export_status"] == "submitted"
    assert view["source"] == view["document"] and view["differences"] == []  # the source agrees with the feed
    assert detail["source_error"] is None and "cannot say" in detail["destination_error"]  # the S3 hub keeps batches
    assert get(client, "/api/products/999999", user_pool.admin())[0] == 404
