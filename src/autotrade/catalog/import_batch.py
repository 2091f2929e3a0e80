"""What the per-kind loaders of the bulk import share: the batch context (run id, header, time, new
ids, look-ups remembered across the run's batches) and the batch outcome (counts, parts to regroup and
re-index, words for the search vocabulary)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from autotrade.catalog.documents import Doc
from autotrade.catalog.import_repository import ImportRepository
from autotrade.core.db import utcnow

V = TypeVar("V")
_ID_CHUNK = 1024
_MEMO_LIMIT = 200_000  # entries per look-up kept across batches (memory stays bounded)


def uuid7s(n: int) -> list[uuid.UUID]:
    """``n`` time-ordered UUIDv7 ids (the layout of :func:`autotrade.core.db.uuid7`), drawing the
    random bits of all of them with one ``os.urandom`` call."""
    ms = (time.time_ns() // 1_000_000) & ((1 << 48) - 1)
    head = (ms << 80) | (0x7 << 76) | (0b10 << 62)
    rnd = os.urandom(10 * n)
    out = []
    for i in range(0, 10 * n, 10):
        rand = int.from_bytes(rnd[i : i + 10], "big")
        out.append(uuid.UUID(int=head | (((rand >> 62) & 0xFFF) << 64) | (rand & ((1 << 62) - 1))))
    return out


class Memo:
    """Look-ups of reference data (brands, categories, variants) remembered for the run: a parts or
    fitment file names the same few thousand of them in every batch. Only hits are remembered (a code
    unknown in one batch is looked up again in the next)."""

    def __init__(self) -> None:
        self._maps: dict[str, dict[Any, Any]] = {}
        self._once: dict[str, Any] = {}

    def get(
        self, name: str, keys: Iterable[Any], fetch: Callable[[list[Any]], dict[Any, Any]]
    ) -> dict[Any, Any]:
        known = self._maps.setdefault(name, {})
        missing = [k for k in set(keys) if k not in known]
        if missing:
            if len(known) + len(missing) > _MEMO_LIMIT:
                known.clear()
            known.update(fetch(missing))
        return known

    def once(self, name: str, build: Callable[[], V]) -> V:
        """A value built once for the run (e.g. the category chains of search documents)."""
        if name not in self._once:
            self._once[name] = build()
        return self._once[name]


@dataclass
class Ctx:
    session: Session
    repo: ImportRepository
    run_id: uuid.UUID
    header: frozenset[str]
    memo: Memo = field(default_factory=Memo)
    now: datetime = field(default_factory=utcnow)
    _ids: list[uuid.UUID] = field(default_factory=list)

    def new_id(self) -> uuid.UUID:
        if not self._ids:
            self._ids = uuid7s(_ID_CHUNK)
            self._ids.reverse()
        return self._ids.pop()

    def base(self) -> dict[str, Any]:
        return {
            "id": self.new_id(),
            "created_at": self.now,
            "updated_at": self.now,
            "import_run_id": self.run_id,
        }

    def present(self, *pairs: tuple[str, str]) -> list[str]:
        """Database columns to update: those whose file column is in the header (a column the file does
        not have is left as it is)."""
        return [db_col for db_col, file_col in pairs if file_col in self.header]


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    touched_parts: set[uuid.UUID] = field(default_factory=set)
    regroup_parts: set[uuid.UUID] = field(default_factory=set)
    changed_refs: set[uuid.UUID] = field(default_factory=set)  # brands / categories written
    names_written: list[str] = field(default_factory=list)  # English part names, for the vocabulary
    new_docs: list[tuple[str, Doc]] = field(default_factory=list)  # search documents of new parts (id hex)


def count(out: Outcome, proposed: dict[Any, uuid.UUID], returned: list[Any]) -> None:
    """Rows whose returned id is the id we proposed were created; others were updated."""
    created = updated = 0
    mine = set(proposed.values())
    for r in returned:
        if r[0] in mine:
            created += 1
        else:
            updated += 1
    out.created += created
    out.updated += updated
    out.unchanged += len(proposed) - created - updated


def last_wins(rows: list[tuple[Any, V]]) -> dict[Any, V]:
    """Rows keyed by natural key; a key repeated within a batch: the later row wins."""
    out: dict[Any, V] = {}
    for key, values in rows:
        out.pop(key, None)
        out[key] = values
    return out
