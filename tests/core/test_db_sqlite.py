"""SQLite connection settings applied on every pooled connection."""

from __future__ import annotations

from pathlib import Path

from autotrade.core.db import SQLITE_CACHE_MB, Database
from autotrade.core.settings import Settings


def _pragma(db: Database, name: str) -> int:
    with db.engine.connect() as c:
        return int(c.exec_driver_sql(f"PRAGMA {name}").scalar_one())


def test_page_cache_per_connection_follows_the_setting(tmp_path: Path) -> None:
    default = Database(f"sqlite:///{tmp_path / 'a.db'}")
    sized = Database(f"sqlite:///{tmp_path / 'b.db'}", sqlite_cache_mb=512)
    try:
        assert _pragma(default, "cache_size") == -SQLITE_CACHE_MB * 1024
        assert _pragma(sized, "cache_size") == -512 * 1024
        with sized.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    finally:
        default.dispose()
        sized.dispose()


def test_setting_is_read_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AUTOTRADE_SQLITE_CACHE_MB", "256")
    assert Settings().sqlite_cache_mb == 256
