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
    ({"DESTINATION": "ftp"}, "DESTINATION must be one of s3-hub, none; got 'ftp'"),
    ({"BATCH_MAX_ROWS": "many"}, "BATCH_MAX_ROWS must be a whole number, got 'many'"),
    ({"BATCH_MAX_ROWS": "0"}, "BATCH_MAX_ROWS must be at least 1, got 0"),
])
def test_bad_values_are_refused_with_a_clear_message(env, message):
    with pytest.raises(SettingsError) as error:
        load(env)
    assert str(error.value) == message
