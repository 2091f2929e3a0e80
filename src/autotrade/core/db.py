"""Database engine, session factory, declarative base and shared column types.

Sessions are created by the boundary (route class, CLI command, job) which commits once.
Services only ``flush()``.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator, Uuid

if TYPE_CHECKING:
    from autotrade.core.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_uuid7_lock = threading.Lock()
_uuid7_last = 0


def uuid7() -> uuid.UUID:
    """Time-ordered UUID (RFC 9562 v7): ids sort by creation, which keyset pagination and the order of
    rows made in one request (an order's allocations, its timeline) rely on. Within one process the
    ids also increase when the clock has not moved (RFC 9562 §6.2, method 3: the last value plus one),
    so rows made in the same millisecond keep the order they were made in."""
    global _uuid7_last
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    with _uuid7_lock:
        if value <= _uuid7_last:
            value = _uuid7_last + 1
        _uuid7_last = value
    return uuid.UUID(int=value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store UTC-aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)


def _same_as_created(context: Any) -> Any:
    return context.get_current_parameters()["created_at"]


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Equal to created_at until the first update, so "was this row ever changed?" is exact.
    updated_at: Mapped[datetime] = mapped_column(default=_same_as_created, onupdate=utcnow)


SQLITE_CACHE_MB = 64  # page cache per connection (Settings.sqlite_cache_mb)
# PostgreSQL pool per process (Settings.db_pool_size / db_max_overflow; docs/deployment.md).
PG_POOL_SIZE = 16
PG_MAX_OVERFLOW = 0


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, cache_mb: int = SQLITE_CACHE_MB) -> None:
    # Take over transaction control from pysqlite so BEGIN/SAVEPOINT behave as on a server database.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA synchronous=NORMAL")
    # SQLite's own page cache, per connection (SQLite's default is 2 MiB). Measured on the 1M-part
    # catalogue (docs/performance.md, 2026-11-28): 1,000 random VIN searches 28.7/57.6 → 17.8/34.5 ms
    # p50/p99 with 2 GiB; the whole benchmark mix showed no difference between 64 MiB and 2 GiB.
    cur.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: concurrent writers queue on busy_timeout instead of
    # failing with "database is locked" when a read transaction tries to upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


_LONG_DIGITS = re.compile(r"\d{19}")
_LONG_DIGITS_B = re.compile(rb"\d{19}")


def json_loads(data: str | bytes) -> Any:
    """JSON columns are decoded by orjson: a vehicle search lists a few hundred parts with two JSON columns
    each, and the standard library's decoder (with its encoding detection on bytes) was a third of that
    search's CPU time (docs/performance.md). orjson reads an integer beyond 64 bits as a float (losing
    digits), so a document with a run of 19 or more digits is left to the standard decoder."""
    long = _LONG_DIGITS.search(data) if isinstance(data, str) else _LONG_DIGITS_B.search(data)
    return json.loads(data) if long else orjson.loads(data)


def make_engine(url: str, *, sqlite_cache_mb: int = SQLITE_CACHE_MB, **kw: Any) -> Engine:
    kw.setdefault("json_deserializer", json_loads)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15}, **kw)
        event.listen(engine, "connect", lambda c, r: _sqlite_pragmas(c, r, sqlite_cache_mb))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if "poolclass" not in kw:
        kw.setdefault("pool_size", PG_POOL_SIZE)
        kw.setdefault("max_overflow", PG_MAX_OVERFLOW)
    kw.setdefault("pool_pre_ping", True)
    return create_engine(url, **kw)


class Database:
    """An engine plus its session factory; one per process (tests make one per test)."""

    def __init__(self, url: str, **engine_kw: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kw)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database the settings name, with their SQLite cache or PostgreSQL pool sizes."""
        if settings.database_url.startswith("sqlite"):
            return cls(settings.database_url, sqlite_cache_mb=settings.sqlite_cache_mb)
        return cls(
            settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
        )

    def session(self) -> Session:
        return self.sessionmaker()

    @property
    def max_sessions(self) -> int:
        """Connections the pool can hand out at once (pool size + overflow); requests holding a
        session are bounded by it (``core.http``)."""
        pool = self.engine.pool
        size = getattr(pool, "size", None)
        overflow = getattr(pool, "_max_overflow", 0)
        if callable(size):
            return max(1, int(size()) + max(0, int(overflow)))
        return 20  # pools without a fixed size (SQLite's NullPool/StaticPool)

    @contextmanager
    def transaction(self, **info: Any) -> Iterator[Session]:
        """A unit of work for CLI commands and jobs: commits once at the end, rolls back on error."""
        session = self.sessionmaker()
        session.info.update(info)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


class Audited:
    """Marker: inserts, updates and deletes of this model are written to the audit log by the
    session hook in ``autotrade.audit.service``. ``__audit_redact__`` names columns whose values
    never appear in the log (secrets, encrypted fields)."""

    __audit_redact__: tuple[str, ...] = ()
    __audit_ignore__: tuple[str, ...] = ("updated_at",)


def str_enum(e: type[StrEnum], name: str, *, length: int = 20) -> Enum:
    """A ``StrEnum`` column stored as its values in a VARCHAR (no database enum type, so adding a member
    needs no migration), checked on the way in."""
    return Enum(
        e,
        name=name,
        native_enum=False,
        validate_strings=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


def json_type() -> Any:
    from sqlalchemy import JSON
    from sqlalchemy.dialects.postgresql import JSONB

    return JSON().with_variant(JSONB(), "postgresql")
