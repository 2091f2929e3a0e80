"""The search document of a part (decision 0003), built the same way by every writer: single edits and
imports (:func:`autotrade.catalog.indexing.index_parts` from stored rows, :class:`DocBuilder` from values
the generator or the importer holds). Pure functions, no database.

A document has three fields and a rank class:

* ``title`` — the part's own names and its brand (Chinese as bigrams + characters, Latin as words);
* ``body`` — position, material, attribute values and the category with its ancestors;
* ``tags`` — tokens for the filters: the brand (``zb<id>``) and the category and each ancestor
  (``zc<id>``), so a brand or category-subtree filter is one more term of the text query;
* ``rank_class`` — the static order of matches: quality grade first (OE, OEM, aftermarket,
  remanufactured, dismantled), active before discontinued within a grade. On SQLite the FTS5 rowid of a
  document is ``rank_class << RANK_SHIFT | sequence``, so the index is sorted by it; on PostgreSQL each
  class has its own partial GIN index, read in class order. Either way the best matches are the first
  ones the index yields (no scoring pass over every match).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autotrade.catalog.text import en_document, zh_document

GRADE_ORDER = ("oe", "oem", "aftermarket", "remanufactured", "dismantled")
RANK_SHIFT = 40  # 2^40 documents per rank class
RANK_CLASSES = (len(GRADE_ORDER) + 1) * 2  # active / discontinued per grade, and for an unknown grade


def rank_class(grade: Any, status: Any) -> int:
    """0, 1 for an active / discontinued OE part, 2, 3 for OEM, … (unknown grades last)."""
    g = getattr(grade, "value", grade)
    s = getattr(status, "value", status)
    index = GRADE_ORDER.index(g) if g in GRADE_ORDER else len(GRADE_ORDER)
    return index * 2 + (0 if s == "active" else 1)


def grade_classes(grade: str) -> tuple[int, int]:
    """The rank classes [low, high) of this quality grade (active and discontinued)."""
    low = rank_class(grade, "active")
    return low, low + 2


def brand_tag(brand_id_hex: str) -> str:
    return f"zb{brand_id_hex}"


def category_tag(category_id_hex: str) -> str:
    return f"zc{category_id_hex}"


@dataclass(frozen=True)
class Doc:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    tags: str
    rank_class: int
    brand_id_hex: str  # stored beside the document: facets are counted from the index rows
    category_id_hex: str

    @property
    def title(self) -> str:
        return f"{self.title_zh} {self.title_en}".strip()

    @property
    def body(self) -> str:
        return f"{self.body_zh} {self.body_en}".strip()


@dataclass(frozen=True)
class ChainLink:
    """A category or one of its ancestors, as the document needs it."""

    id_hex: str
    name_zh: str
    name_en: str


def category_chains(categories: Mapping[str, tuple[str, str, str, str]]) -> dict[str, tuple[ChainLink, ...]]:
    """Per category code, the category's ancestors from the root and itself (so "前刹车片" is also found
    as 制动系统). ``categories``: code → (id hex, path, name_zh, name_en) of every category."""

    def chain(code: str) -> tuple[ChainLink, ...]:
        path = [categories[c] for c in categories[code][1].split("/") if c in categories]
        return tuple(ChainLink(c[0], c[2], c[3]) for c in path or [categories[code]])

    return {code: chain(code) for code in categories}


def attribute_text(attributes: Mapping[str, Any] | None) -> str:
    return " ".join(str(v) for v in (attributes or {}).values())


def build_doc(
    *,
    name_zh: str,
    name_en: str | None,
    brand_id_hex: str,
    brand_name: str,
    brand_name_zh: str | None,
    brand_code: str,
    position: str | None,
    material: str | None,
    attributes: Mapping[str, Any] | None,
    chain: Sequence[ChainLink],
    grade: Any,
    status: Any,
    shared: tuple[str, str] | None = None,
) -> Doc:
    """``chain``: the part's category's ancestors from the root, ending with the category itself.
    ``shared``: the parts of the body that only position, material and category decide
    (:func:`shared_parts`; :class:`DocBuilder` remembers them), built here when not given."""
    body_zh, body_chain_en = shared or shared_parts(position, material, chain)
    return Doc(
        title_zh=zh_document(name_zh, brand_name_zh),
        # Latin words inside Chinese names ("博世 Bosch 刹车片") count as title words too.
        title_en=en_document(name_en, name_zh, brand_name, brand_code),
        body_zh=body_zh,
        body_en=" ".join(
            p for p in (en_document(position, material, attribute_text(attributes)), body_chain_en) if p
        ),
        tags=tags_of(brand_id_hex, chain),
        rank_class=rank_class(grade, status),
        brand_id_hex=brand_id_hex,
        category_id_hex=chain[-1].id_hex,
    )


def shared_parts(position: str | None, material: str | None, chain: Sequence[ChainLink]) -> tuple[str, str]:
    """(Chinese body, English category chain) of a document: the same for every part of a category with
    the same position and material."""
    return chain_zh(position, material, chain), chain_en(chain)


def chain_zh(position: str | None, material: str | None, chain: Iterable[ChainLink]) -> str:
    return zh_document(position, material, *(c.name_zh for c in chain), singles=False)


def chain_en(chain: Iterable[ChainLink]) -> str:
    return en_document(*(c.name_en for c in chain))


def tags_of(brand_id_hex: str, chain: Iterable[ChainLink]) -> str:
    return " ".join([brand_tag(brand_id_hex), *(category_tag(c.id_hex) for c in chain)])


def jsonb_key_order(keys: list[str]) -> list[str]:
    """The order PostgreSQL's jsonb gives an object's keys back in (shorter first, then bytewise)."""
    return sorted(keys, key=lambda k: (len(k.encode()), k.encode()))


class DocBuilder:
    """Documents of parts whose values the caller holds (the generator, the importer's new parts),
    without reading the parts back: the same :func:`build_doc` as
    :func:`autotrade.catalog.indexing.index_parts` (tests hold the two equal)."""

    def __init__(self, categories: dict[str, tuple[str, str, str, str]]) -> None:
        """``categories``: code → (id hex, path, name_zh, name_en) of every category in the database."""
        self.chains = category_chains(categories)
        # (position, material, category code) → :func:`shared_parts`: a file names few combinations.
        self._shared: dict[tuple[str | None, str | None, str], tuple[str, str]] = {}

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
        key = (position, material, code)
        shared = self._shared.get(key)
        if shared is None:
            if len(self._shared) >= 100_000:  # bounded, whatever the file
                self._shared.clear()
            shared = self._shared[key] = shared_parts(position, material, self.chains[code])
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
            shared=shared,
        )
