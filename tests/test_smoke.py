def test_settings_load(settings):
    assert settings.AUTH_USER_MODEL == "accounts.User"
