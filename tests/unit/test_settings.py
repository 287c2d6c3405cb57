import pytest

from chalicelib.settings import Settings, SettingsError, load


def test_defaults_need_no_environment():
    settings = load({})
    assert settings == Settings()
    assert settings.export_disabled_reason == "no SaaS destination configured"


def test_values_are_read_and_checked():
    settings = load({"DESTINATION": "s3-hub", "HUB_BUCKET": "hub", "BATCH_MAX_ROWS": "100",
                     "FEED_ROWS_TABLE": "rows"})
    assert (settings.destination, settings.batch_max_rows, settings.feed_rows_table) == ("s3-hub", 100, "rows")
    assert settings.export_disabled_reason is None


def test_hub_without_bucket_disables_export_with_the_reason():
    assert "HUB_BUCKET" in load({"DESTINATION": "s3-hub"}).export_disabled_reason


@pytest.mark.parametrize("env, message", [
    ({"DESTINATION": "ftp"}, "DESTINATION must be one of http, s3-hub, none; got 'ftp'"),
    ({"BATCH_MAX_ROWS": "many"}, "BATCH_MAX_ROWS must be a whole number, got 'many'"),
    ({"BATCH_MAX_ROWS": "0"}, "BATCH_MAX_ROWS must be at least 1, got 0"),
    ({"MAGENTO_PAGE_SIZE": "500"}, "MAGENTO_PAGE_SIZE is at most 300 (Magento's limit); got 500"),
    ({"MAGENTO_BASE_URL": "shop.example.com"},
     "MAGENTO_BASE_URL must start with http:// or https://; got 'shop.example.com'"),
    ({"MAGENTO_AUTH": "basic"}, "MAGENTO_AUTH must be one of token, oauth1; got 'basic'"),
])
def test_bad_values_are_refused_with_a_clear_message(env, message):
    with pytest.raises(SettingsError) as error:
        load(env)
    assert str(error.value) == message


def test_magento_settings():
    settings = load({"SOURCE": "magento", "MAGENTO_BASE_URL": "https://shop.example.com/rest/",
                     "MAGENTO_STORE_VIEWS": "default, french,", "MAGENTO_AUTH": "oauth1"})
    assert settings.magento_base_url == "https://shop.example.com"  # a pasted /rest suffix is tolerated
    assert settings.magento_store_views == ("default", "french")
    assert (settings.magento_page_size, settings.magento_auth) == (200, "oauth1")
    assert settings.reconcile_interval_seconds == 86_400 and settings.source_overlap_seconds == 600
