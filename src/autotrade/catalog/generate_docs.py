"""Search documents for generated parts, built from values the generator already holds.

:class:`DocBuilder` produces exactly the documents :func:`autotrade.catalog.indexing.index_parts` builds
from the stored rows (same text functions, same field order; ``tests/catalog/test_generate.py`` compares
them) without reading the parts back. :class:`DocsWriter` writes them set-wise: into
``part_search_docs`` on SQLite (its triggers feed FTS5) and, on PostgreSQL, through COPY into a
temporary table and one ``INSERT … SELECT`` computing the same weighted ``tsvector`` as
:class:`autotrade.catalog.repository.SearchIndex`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from autotrade.catalog.generate_writer import RowWriter
from autotrade.catalog.text import en_document, zh_document


class DocBuilder:
    def __init__(self, categories: dict[str, tuple[str, str, str, str]]) -> None:
        """``categories``: code → (id hex, path, name_zh, name_en) of every category in the database."""
        self.categories = categories
        self.zh = lru_cache(maxsize=200_000)(self._zh)
        self.en_head = lru_cache(maxsize=200_000)(self._en_head)
        self.chain_en = lru_cache(maxsize=1000)(self._chain_en)

    def _chain(self, code: str) -> list[tuple[str, str, str, str]]:
        cats = self.categories
        return [cats[c] for c in cats[code][1].split("/") if c in cats] or [cats[code]]

    def _zh(
        self, name_zh: str, brand_zh: str | None, position: str | None, material: str | None, code: str
    ) -> str:
        return zh_document(name_zh, brand_zh, position, material, *(c[2] for c in self._chain(code)))

    def _en_head(
        self,
        name_en: str,
        name_zh: str,
        brand: str,
        brand_code: str,
        position: str | None,
        material: str | None,
    ) -> str:
        return en_document(name_en, name_zh, brand, brand_code, position, material)

    def _chain_en(self, code: str) -> str:
        return en_document(*(c[3] for c in self._chain(code)))

    def docs(
        self,
        name_zh: str,
        name_en: str,
        brand: tuple[str, str, str | None, str],
        code: str,
        position: str | None,
        material: str | None,
        attributes: dict[str, Any],
    ) -> tuple[str, str]:
        """(zh, en) documents; ``brand`` is (id hex, name, name_zh, code)."""
        zh = self.zh(name_zh, brand[2], position, material, code)
        attrs = en_document(" ".join(str(v) for v in attributes.values()))
        pieces = (
            self.en_head(name_en, name_zh, brand[1], brand[3], position, material),
            attrs,
            self.chain_en(code),
        )
        return zh, " ".join(p for p in pieces if p)


class DocsWriter:
    def __init__(self, session: Session, writer: RowWriter) -> None:
        self.w = writer
        self.conn = writer.conn
        if writer.pg:
            self.conn.exec_driver_sql("CREATE TEMP TABLE _generated_docs (part_id uuid, zh text, en text)")

    def write(self, rows: list[tuple[str, str, str]]) -> None:
        if not rows:
            return
        if not self.w.pg:
            self.conn.exec_driver_sql("INSERT INTO part_search_docs (part_id, zh, en) VALUES (?, ?, ?)", rows)
            return
        with (
            self.w.raw().cursor() as cur,
            cur.copy("COPY _generated_docs (part_id, zh, en) FROM STDIN") as cp,
        ):
            for r in rows:
                cp.write_row(r)
        self.conn.exec_driver_sql(
            "INSERT INTO part_search (part_id, tsv) SELECT part_id,"
            " setweight(to_tsvector('simple', zh), 'A') || setweight(to_tsvector('english', en), 'B')"
            " FROM _generated_docs"
        )
        self.conn.exec_driver_sql("TRUNCATE _generated_docs")

    def finish(self) -> None:
        if self.w.pg:
            self.conn.exec_driver_sql("DROP TABLE _generated_docs")
