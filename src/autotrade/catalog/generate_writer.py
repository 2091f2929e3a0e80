"""Set-wise row writing for the catalogue generator: executemany on SQLite, COPY on PostgreSQL.

Every row gets the same ``created_at``/``updated_at`` and the generating run's ``import_run_id`` (its
``catalog.import`` audit entry stands for the rows). Ids are time-ordered UUIDv7 values: the run's
millisecond and random bits, then a counter, so they are unique, sortable and cheap to make.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from autotrade.catalog.models import Brand, Part
from autotrade.core.db import utcnow

STAMPED = ("created_at", "updated_at", "import_run_id")


class RowWriter:
    def __init__(self, session: Session, run_id: uuid.UUID) -> None:
        self.session = session
        self.conn = session.connection()
        self.pg = self.conn.dialect.name == "postgresql"
        if (
            not self.pg
        ):  # 1 GiB page cache for this connection: the indexes of millions of rows stay in memory
            self.conn.exec_driver_sql("PRAGMA cache_size = -1048576")
        now = utcnow()
        stamp = now.isoformat() if self.pg else now.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        self.consts: tuple[Any, ...] = (stamp, stamp, run_id.hex)
        ms = time.time_ns() // 1_000_000
        rand = int.from_bytes(os.urandom(4), "big")
        # 48-bit ms | version 7 | 12 random bits | variant 10 | 22 random bits | 40-bit counter
        self._base = (ms << 80) | (0x7 << 76) | ((rand & 0xFFF) << 64) | (0b10 << 62) | ((rand >> 12) << 40)
        self._next = 0

    def new_id(self) -> str:
        self._next += 1
        return f"{self._base | self._next:032x}"

    def raw(self) -> Any:
        return self.conn.connection.driver_connection

    def insert(self, table: str, cols: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join((*cols, *STAMPED))
        if self.pg:
            consts = self.consts
            with self.raw().cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r + consts)
            return
        c1, c2, c3 = self.consts
        marks = ", ".join("?" for _ in cols)
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks}, '{c1}', '{c2}', '{c3}')"  # noqa: S608
        self.conn.exec_driver_sql(sql, rows)

    def existing_part_keys(self) -> set[tuple[str, str]]:
        """(brand code, normalised number) of the parts already in the catalogue."""
        rows = self.session.execute(
            select(Brand.code, Part.brand_number_norm).join(Part, Part.brand_id == Brand.id)
        )
        return {(b, n) for b, n in rows}
