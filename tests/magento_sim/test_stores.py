"""Store endpoints: views (with admin and an inactive one), groups, websites, configs, and store codes in URLs."""
from __future__ import annotations


def test_store_views_list_admin_and_an_inactive_view(http):
    views = {v["code"]: v for v in http.ok("/rest/all/V1/store/storeViews")}

    assert views["admin"] == {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0,
                              "is_active": 1}
    active = sorted(code for code, v in views.items() if v["is_active"] and v["id"] != 0)
    assert active == ["default", "french", "german"]
    assert views["dutch"]["is_active"] == 0


def test_websites_and_groups_tie_views_together(http):
    websites = {w["code"]: w for w in http.ok("/rest/all/V1/store/websites")}
    groups = {g["id"]: g for g in http.ok("/rest/all/V1/store/storeGroups")}

    assert websites["base"]["id"] == 1 and websites["eu"]["id"] == 2 and websites["admin"]["id"] == 0
    assert groups[websites["eu"]["default_group_id"]]["code"] == "eu_store"
    assert groups[1]["root_category_id"] == 2


def test_store_configs_carry_currency_locale_and_urls(http):
    configs = {c["code"]: c for c in http.ok("/rest/all/V1/store/storeConfigs")}

    assert "admin" not in configs
    assert configs["default"]["base_currency_code"] == "USD"
    assert configs["german"]["base_currency_code"] == "EUR"
    assert configs["french"]["locale"] == "fr_FR" and configs["french"]["default_display_currency_code"] == "EUR"
    assert configs["german"]["secure_base_media_url"] == "https://magento.test/media/"


def test_store_configs_filtered_by_store_codes(http):
    configs = http.ok("/rest/all/V1/store/storeConfigs", [("storeCodes[]", "german"), ("storeCodes[]", "french")])

    assert sorted(c["code"] for c in configs) == ["french", "german"]


def test_unknown_store_code_matches_no_route_as_in_magento(http):
    # Magento's PathProcessor leaves an unknown store code in the path, which then matches no route.
    answer = http.get("/rest/nowhere/V1/store/websites")

    assert answer.status == 404
    assert answer.json == {"message": "Request does not match any route."}


def test_rest_without_store_code_is_the_default_store(http):
    assert http.ok("/rest/V1/store/websites") == http.ok("/rest/default/V1/store/websites")


def test_unknown_route_is_404_with_magento_message(http):
    answer = http.get("/rest/V1/nothing/here")

    assert answer.status == 404 and answer.json == {"message": "Request does not match any route."}


def test_pages_outside_rest_are_html(http):
    answer = http.get("/catalog/product/view/id/1")

    assert answer.status == 404 and answer.headers["Content-Type"].startswith("text/html")
