"""Fresh databases for benchmark scripts: a SQLite file, or a new PostgreSQL database created on the
given server and dropped afterwards."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def _admin(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def fresh_db(url: str | None, tmp: Path, filename: str = "bench.db") -> tuple[str, str | None]:
    """(database URL, PostgreSQL database name or None)."""
    if not url:
        return f"sqlite:///{tmp / filename}", None
    name = f"autotrade_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(_admin(url), isolation_level="AUTOCOMMIT").connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(_admin(url)).set(database=name).render_as_string(hide_password=False), name


def drop(url: str | None, name: str | None) -> None:
    if url and name:
        with create_engine(_admin(url), isolation_level="AUTOCOMMIT").connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
