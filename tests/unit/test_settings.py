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


def test_sign_in_settings():
    settings = load({"COGNITO_USER_POOL_ID": "eu-west-1_AbC123", "COGNITO_CLIENT_IDS": "dash, machine,",
                     "DASHBOARD_ORIGIN": "https://sync.example.com/"})
    assert settings.cognito_client_ids == ("dash", "machine")
    assert settings.cognito_issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    assert settings.jwks_url == settings.cognito_issuer + "/.well-known/jwks.json"
    assert settings.dashboard_origin == "https://sync.example.com" and settings.sign_in_missing is None
    assert settings.force_sync_scope == "catalog-sync/sync"
    local = load({"COGNITO_USER_POOL_ID": "us-east-1_x1", "COGNITO_JWKS_URL": "http://127.0.0.1:5000/k.json"})
    assert local.jwks_url == "http://127.0.0.1:5000/k.json"
    assert local.sign_in_missing == "sign-in is not configured (set COGNITO_CLIENT_IDS)"
    assert load({}).sign_in_missing == "sign-in is not configured (set COGNITO_USER_POOL_ID and COGNITO_CLIENT_IDS)"


@pytest.mark.parametrize("env, message", [
    ({"COGNITO_USER_POOL_ID": "mypool"},
     "COGNITO_USER_POOL_ID must be a user pool id like us-east-1_AbC123; got 'mypool'"),
    ({"DASHBOARD_ORIGIN": "https://sync.example.com/app"},
     "DASHBOARD_ORIGIN must be an origin like https://sync.example.com (scheme and host, no path); "
     "got 'https://sync.example.com/app'"),
    ({"COGNITO_JWKS_URL": "keys.json"}, "COGNITO_JWKS_URL must start with http:// or https://; got 'keys.json'"),
    ({"COOLDOWN_SECONDS": "-1"}, "COOLDOWN_SECONDS must be at least 0, got -1"),
])
def test_bad_sign_in_values_are_refused(env, message):
    with pytest.raises(SettingsError) as error:
        load(env)
    assert str(error.value) == message
