"""Derived catalogue data, kept in step set-wise after every write (single edits and bulk imports):

* :func:`merge_groups` — interchange groups: parts that share an OE or cross-reference number (same
  normalised number *and* same issuing brand) are one group; :func:`plan_groups` decides the groups of
  parts before the bulk import writes them;
* :func:`index_parts` — the full-text documents of parts (:mod:`autotrade.catalog.documents`);
* :func:`rebuild_vocabulary` — the Latin-script words that mistyped queries are corrected against.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence

from sqlalchemy.orm import Session

from autotrade.catalog.documents import build_doc, category_chains
from autotrade.catalog.repository import (
    BrandRepository,
    CategoryRepository,
    PartRepository,
    SearchIndex,
    VocabularyRepository,
)
from autotrade.catalog.text import latin_words

BATCH = 5000


def components(links: Sequence[tuple[uuid.UUID, str, str]]) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Union-find over groups: a number (with its issuing brand) connects the groups of its parts."""
    parent: dict[uuid.UUID, uuid.UUID] = {}

    def find(g: uuid.UUID) -> uuid.UUID:
        while parent.setdefault(g, g) != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    first_group: dict[tuple[str, str], uuid.UUID] = {}
    for group, number, brand in links:
        other = first_group.setdefault((number, brand), group)
        a, b = find(other), find(group)
        if a != b:
            parent[max(a, b)] = min(a, b)  # deterministic: the smallest id survives
    components: dict[uuid.UUID, set[uuid.UUID]] = {}
    for g in list(parent):
        components.setdefault(find(g), set()).add(g)
    return components


def merge_groups(session: Session, part_ids: Sequence[uuid.UUID]) -> int:
    """Join the groups of these parts with every group they share a grouping number with.
    Returns how many groups were merged away."""
    repo = PartRepository(session)
    merged = 0
    session.flush()
    for start in range(0, len(part_ids), BATCH):
        moves = {
            old: root
            for root, members in components(repo.linked_groups(list(part_ids[start : start + BATCH]))).items()
            for old in members
            if old != root
        }
        repo.regroup(moves)
        merged += len(moves)
    return merged


def plan_groups(
    session: Session, parts: Sequence[tuple[uuid.UUID, Sequence[tuple[str, str]]]], new: set[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """Interchange groups decided before parts are written (the bulk import), instead of merging after.
    ``parts``: (the part's group now — a new part's own id —, the grouping numbers it is written with, as
    (normalised number, issuing brand)); ``new``: the ids not stored yet. Every stored group holding one of
    the numbers and every part sharing one join one group, the smallest id surviving as in
    :func:`merge_groups` (stored groups hold the closure of their own numbers already); stored groups that
    merge away are moved now. Returns group → surviving group for every group that takes part."""
    repo = PartRepository(session)
    links = repo.groups_holding({k for _, numbers in parts for k in numbers if k[1]})
    links += [(group, number, brand) for group, numbers in parts for number, brand in numbers if brand]
    root = {g: r for r, members in components(links).items() for g in members}
    repo.regroup({g: r for g, r in root.items() if g != r and g not in new})
    return root


def index_parts(session: Session, part_ids: Sequence[uuid.UUID]) -> int:
    """(Re)build the full-text documents of these parts. Returns how many were indexed."""
    session.flush()
    categories = CategoryRepository(session).all()
    by_code = category_chains({c.code: (c.id.hex, c.path, c.name_zh, c.name_en) for c in categories})
    chains = {c.id: by_code[c.code] for c in categories}
    parts = PartRepository(session)
    index = SearchIndex(session)
    done = 0
    for start in range(0, len(part_ids), BATCH):
        docs = [
            (
                pid,
                build_doc(
                    name_zh=name_zh,
                    name_en=name_en,
                    brand_id_hex=b_id.hex,
                    brand_name=b_name,
                    brand_name_zh=b_name_zh,
                    brand_code=b_code,
                    position=position,
                    material=material,
                    attributes=attributes,
                    chain=chains[category_id],
                    grade=grade,
                    status=status,
                ),
            )
            for (
                pid,
                name_zh,
                name_en,
                position,
                material,
                attributes,
                category_id,
                b_id,
                b_name,
                b_name_zh,
                b_code,
                grade,
                status,
            ) in parts.document_sources(list(part_ids[start : start + BATCH]))
        ]
        index.replace(docs)
        done += len(docs)
    return done


def _words(*texts: str | None) -> Counter[str]:
    return Counter(w for t in texts for w in latin_words(t or "") if len(w) >= 3 and not w.isdigit())


def add_to_vocabulary(session: Session, *texts: str | None) -> None:
    """Count the words of one edit (a new brand or part) without a full rebuild."""
    VocabularyRepository(session).add(dict(_words(*texts)))


def rebuild_vocabulary(session: Session) -> int:
    """Count the Latin-script words of brand names, category and part English names."""
    vocab = VocabularyRepository(session)
    counts: Counter[str] = Counter()
    for brand in BrandRepository(session).all():
        counts.update(_words(brand.name, brand.code))
    for category in CategoryRepository(session).all():
        counts.update(_words(category.name_en))
    for name in vocab.english_names():
        counts.update(_words(name))
    vocab.replace_all(dict(counts))
    session.flush()
    return len(counts)
