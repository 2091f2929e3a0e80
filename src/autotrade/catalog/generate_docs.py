"""Search documents for generated parts, built from values the generator already holds.

:class:`DocBuilder` produces exactly the documents :func:`autotrade.catalog.indexing.index_parts` builds
from the stored rows (both call :func:`autotrade.catalog.documents.build_doc`;
``tests/catalog/test_generate.py`` compares them) without reading the parts back;
:meth:`autotrade.catalog.repository.SearchIndex.add` writes them set-wise.
"""

from __future__ import annotations

from typing import Any

from autotrade.catalog.documents import Doc, build_doc, category_chains


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
