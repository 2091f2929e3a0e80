import pytest

from autotrade.core.db import Database
from autotrade.core.settings import InsecureSettingsError, Settings

STRONG = {
    "secret_key": "s" * 48,
    "field_keys": "prod1:" + "cHJvZC1maWVsZC1rZXktMzItYnl0ZXMtZm9yLWFlcyE=",
    "field_key_active": "prod1",
    "blind_index_key": "b" * 48,
    "gateway_secret": "g" * 48,
}


def test_default_sqlite_url_under_var():
    assert Settings().database_url.endswith("var/autotrade.db")


def test_postgres_urls_use_psycopg3():
    assert Settings(database_url="postgres://u@h/d").database_url == "postgresql+psycopg://u@h/d"


@pytest.mark.parametrize("missing", ["secret_key", "field_keys", "blind_index_key", "gateway_secret"])
def test_production_refuses_each_default_secret(missing):
    values = dict(STRONG)
    values.pop(missing)
    if missing == "field_keys":
        values.pop("field_key_active")
    s = Settings(env="production", **values)
    with pytest.raises(InsecureSettingsError) as e:
        s.check_production()
    assert f"AUTOTRADE_{missing.upper()}" in str(e.value)


def test_production_accepts_strong_secrets_and_dev_accepts_defaults():
    Settings(env="production", **STRONG).check_production()
    Settings(env="development").check_production()


def test_create_app_refuses_production_defaults():
    from autotrade.app import create_app

    with pytest.raises(InsecureSettingsError):
        create_app(Settings(env="production"))


def test_postgresql_pool_comes_from_the_settings_and_bounds_the_sessions_in_flight():
    # Building the engine does not connect: no server needed.
    settings = Settings(
        database_url="postgresql+psycopg://u@127.0.0.1:1/none", db_pool_size=7, db_max_overflow=2
    )
    db = Database.from_settings(settings)
    try:
        assert db.engine.pool.size() == 7  # type: ignore[attr-defined]
        assert db.max_sessions == 9
    finally:
        db.engine.dispose()
    default = Database.from_settings(Settings(database_url="postgresql+psycopg://u@127.0.0.1:1/none"))
    try:
        assert default.max_sessions == 16  # overflow 0 by default: no connection opened and closed per burst
    finally:
        default.engine.dispose()
