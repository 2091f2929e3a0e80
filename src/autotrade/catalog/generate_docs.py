"""Search documents for generated parts, built from values the generator already holds.

:class:`DocBuilder` produces exactly the documents :func:`autotrade.catalog.indexing.index_parts` builds
from the stored rows (both call :func:`autotrade.catalog.documents.build_doc`;
``tests/catalog/test_generate.py`` compares them) without reading the parts back. :class:`DocsWriter`
writes them set-wise: into ``part_search_docs`` on SQLite (its triggers feed FTS5) and, on PostgreSQL,
through COPY into a temporary table and one ``INSERT … SELECT`` computing the same weighted ``tsvector``
and index key as :class:`autotrade.catalog.repository.SearchIndex`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from autotrade.catalog.documents import Doc, build_doc, category_chains
from autotrade.catalog.generate_writer import RowWriter
from autotrade.catalog.repository import SearchIndex

DOC_FIELDS = ("title_zh", "title_en", "body_zh", "body_en", "tags", "brand_id_hex", "category_id_hex")


class DocBuilder:
    def __init__(self, categories: dict[str, tuple[str, str, str, str]]) -> None:
        """``categories``: code → (id hex, path, name_zh, name_en) of every category in the database."""
        self.chains = category_chains(categories)

    def doc(
        self,
        name_zh: str,
        name_en: str,
        brand: tuple[str, str, str | None, str],
        code: str,
        position: str | None,
        material: str | None,
        attributes: dict[str, Any],
        grade: str,
        status: str,
    ) -> Doc:
        """``brand`` is (id hex, name, name_zh, code)."""
        return build_doc(
            name_zh=name_zh,
            name_en=name_en,
            brand_id_hex=brand[0],
            brand_name=brand[1],
            brand_name_zh=brand[2],
            brand_code=brand[3],
            position=position,
            material=material,
            attributes=attributes,
            chain=self.chains[code],
            grade=grade,
            status=status,
        )


class DocsWriter:
    def __init__(self, session: Session, writer: RowWriter) -> None:
        self.w = writer
        self.conn = writer.conn
        if writer.pg:
            self.conn.exec_driver_sql(
                "CREATE TEMP TABLE _generated_docs (part_id uuid, cls int, seq bigserial, title_zh text,"
                " title_en text, body_zh text, body_en text, tags text,"
                " brand_id_hex uuid, category_id_hex uuid)"
            )

    def write(self, rows: list[tuple[str, Doc]]) -> None:
        """``rows``: (part id hex, document), in the order they are to rank within a rank class."""
        if not rows:
            return
        if not self.w.pg:
            self.conn.exec_driver_sql(
                SearchIndex.SQLITE_INSERT, [SearchIndex.doc_params(pid, d) for pid, d in rows]
            )
            return
        with (
            self.w.raw().cursor() as cur,
            cur.copy(f"COPY _generated_docs (part_id, cls, {', '.join(DOC_FIELDS)}) FROM STDIN") as cp,
        ):
            for pid, d in rows:
                cp.write_row((pid, d.rank_class, *(getattr(d, f) for f in DOC_FIELDS)))
        tsv = SearchIndex.PG_TSVECTOR.format(**{f: f for f in DOC_FIELDS})
        self.conn.exec_driver_sql(
            "INSERT INTO part_search (part_id, cls, brand_id, category_id, tsv)"  # noqa: S608
            f" SELECT part_id, cls, brand_id_hex, category_id_hex, {tsv} FROM _generated_docs ORDER BY seq"
        )
        self.conn.exec_driver_sql("TRUNCATE _generated_docs")

    def finish(self) -> None:
        if self.w.pg:
            self.conn.exec_driver_sql("DROP TABLE _generated_docs")
