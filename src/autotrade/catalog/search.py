"""Catalogue search (decision 0002): by part number, by vehicle, and full text in Chinese and English.

Every hit says why it matched. Queries are set-based: a handful of round trips whatever the catalogue
size (the number search makes two, type-ahead one, the text search three plus the vocabulary check)."""

from __future__ import annotations

import base64
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from autotrade.catalog.documents import (
    GRADE_ORDER,
    RANK_CLASSES,
    RANK_SHIFT,
    brand_tag,
    category_tag,
    grade_classes,
)
from autotrade.catalog.models import Brand, Category, Part
from autotrade.catalog.numbers import normalise_number
from autotrade.catalog.repository import (
    BRAND_FIELDS,
    NUMBER_FIELDS,
    PART_FIELDS,
    BrandRepository,
    CategoryRepository,
    IndexMatch,
    PartRepository,
    SearchIndex,
    VocabularyRepository,
)
from autotrade.catalog.text import ParsedQuery, parse_query
from autotrade.catalog.views import BrandView, CategoryView, NumberView, PartView, number_views_from_json
from autotrade.core.errors import ValidationFailed

FACET_CAP = 1000  # facets count the best this-many matches
TITLE_SCORE = 2.0  # every query term is in the part's name or brand
BODY_SCORE = 1.0  # … or somewhere in its category, position, material or attributes
GROUP_LIMIT = 50  # parts returned per number query (the matches first, then their groups)
PREFIX_LIMIT = 20  # suggestions returned per number-prefix (type-ahead) query
FITMENT_SAMPLE = 10  # fitting variants listed per part (with the total count)
VOCAB_TTL_SECONDS = 60.0
PER_CATEGORY = 20  # parts listed per category by a vehicle search without a category
PER_CATEGORY_FILTERED = 500  # … and with a category (the most that may be asked for)
MIN_NUMBER_PREFIX = 4
NP, NB = len(PART_FIELDS), len(BRAND_FIELDS)  # a plain row's part and brand columns


# ---- results -----------------------------------------------------------------------------------------


@dataclass
class Hit:
    part: Part | PartView
    brand: Brand | BrandView
    category: Category | CategoryView
    why: list[str]
    score: float = 0.0
    relation: str = "match"  # number search: "exact" | "successor" | "interchange" | "prefix"
    numbers: list[NumberView] = field(default_factory=list)
    fitment_total: int = 0
    fitment: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class NumberSearchResult:
    query: str
    normalised: str
    items: list[Hit]


@dataclass
class Facet:
    value: str
    label: str
    count: int


@dataclass
class TextSearchResult:
    query: str
    items: list[Hit]
    facets: dict[str, list[Facet]]
    corrected: dict[str, str]
    matched: int  # number of matches counted (at most FACET_CAP)
    matched_is_exact: bool
    next_cursor: str | None


@dataclass
class CategoryGroup:
    category: Category | CategoryView
    items: list[Hit]
    total: int  # parts of this category that fit (items lists the first of them)


@dataclass
class VehicleSearchResult:
    variant_ids: list[uuid.UUID]
    groups: list[CategoryGroup]
    total: int


# ---- by number ---------------------------------------------------------------------------------------


def search_number(
    session: Session, q: str, *, prefix: bool = False, limit: int | None = None
) -> NumberSearchResult:
    """A part number in any formatting → the parts carrying it, parts it was superseded by, and every
    part of their interchange groups, each with its fitment (up to ``limit`` parts, default 50).

    With ``prefix`` (type-ahead): the first ``limit`` (default 20) parts whose numbers start with it,
    each with its numbers and how many variants it fits, but no fitment sample and no group expansion —
    choosing a suggestion runs the full search."""
    norm = normalise_number(q)
    if not norm:
        raise ValidationFailed("enter a part number", field="q", code="empty_query")
    if prefix and len(norm) < MIN_NUMBER_PREFIX:
        raise ValidationFailed(
            f"a number prefix needs at least {MIN_NUMBER_PREFIX} characters",
            field="q",
            code="prefix_too_short",
        )
    repo = PartRepository(session)
    relation: dict[uuid.UUID, str] = {}
    matched: dict[uuid.UUID, list[NumberView]] = {}
    names: list[tuple[PartView, BrandView, CategoryView]] = []
    if prefix:  # type-ahead, one statement: the numbers that start with it, with their parts' numbers
        # and fitment counts; not their whole groups, no fitment sample
        nn = len(NUMBER_FIELDS)
        fit: dict[uuid.UUID, tuple[int, list[dict[str, Any]]]] = {}
        all_numbers: dict[uuid.UUID, list[NumberView]] = {}
        for row in repo.prefix_matches(norm, limit or PREFIX_LIMIT):
            n = NumberView(*row[:nn])
            if n.part_id not in relation:
                relation[n.part_id] = "prefix"
                names.append(_views(row[nn + 1 : -1]))
                fit[n.part_id] = (int(row[nn]), [])
                all_numbers[n.part_id] = number_views_from_json(row[-1])
            matched.setdefault(n.part_id, []).append(n)
        hits = _hits(names, relation, matched, all_numbers, fit)
    else:  # one statement for the holders, their groups and numbers, one for fitment
        held: set[uuid.UUID] = set()
        numbers: dict[uuid.UUID, list[NumberView]] = {}
        for row in repo.number_matches(norm, limit or GROUP_LIMIT):
            names.append(_views(row[1:-1]))
            pid = names[-1][0].id
            numbers[pid] = number_views_from_json(row[-1])
            if row[0]:
                held.add(pid)
        ids = [v[0].id for v in names]
        successors = {n.successor_norm for pid in held for n in numbers[pid] if n.number_norm == norm}
        for pid in ids:
            shown = [n for n in numbers[pid] if n.number_norm == norm]
            relation[pid] = "exact" if shown else "interchange"
            if not shown and pid in held:
                shown = [n for n in numbers[pid] if n.number_norm in successors]
                relation[pid] = "successor"
            if shown:
                matched[pid] = shown
        hits = _hits(names, relation, matched, numbers, _fitment(repo, ids))
    order = {"exact": 0, "prefix": 0, "successor": 1, "interchange": 2}
    hits.sort(key=lambda h: (order[h.relation], h.part.quality_grade != "oe", h.part.sku))
    return NumberSearchResult(query=q, normalised=norm, items=hits)


def hits_for(
    session: Session,
    part_ids: list[uuid.UUID],
    relation: dict[uuid.UUID, str],
    matched: dict[uuid.UUID, list[NumberView]],
) -> list[Hit]:
    """Hits for these parts (their entities) with numbers and fitment: per part the total and the
    first variants."""
    repo = PartRepository(session)
    return _hits(
        repo.with_names(part_ids), relation, matched, repo.number_views(part_ids), _fitment(repo, part_ids)
    )


def _views(values: Any) -> tuple[PartView, BrandView, CategoryView]:
    """A part, its brand and its category from a row's PART_FIELDS, BRAND_FIELDS, CATEGORY_FIELDS."""
    return PartView(*values[:NP]), BrandView(*values[NP : NP + NB]), CategoryView(*values[NP + NB :])


def _hits(
    rows: Sequence[tuple[Part | PartView, Brand | BrandView, Category | CategoryView]],
    relation: dict[uuid.UUID, str],
    matched: dict[uuid.UUID, list[NumberView]],
    numbers: dict[uuid.UUID, list[NumberView]],
    fit: dict[uuid.UUID, tuple[int, list[dict[str, Any]]]],
) -> list[Hit]:
    hits = []
    for part, brand, category in rows:
        rel = relation[part.id]
        shown = matched.get(part.id, [])
        why = [f"{rel}: {n.kind.value} number {n.number} ({n.brand_code or '?'})" for n in shown] or [
            "interchangeable: shares an OE or cross-reference number with a match"
        ]
        total, sample = fit.get(part.id, (0, []))
        hits.append(
            Hit(
                part,
                brand,
                category,
                why,
                relation=rel,
                numbers=numbers.get(part.id, []),
                fitment_total=total,
                fitment=sample,
            )
        )
    return hits


def _fitment(
    repo: PartRepository, part_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, list[dict[str, Any]]]]:
    out: dict[uuid.UUID, tuple[int, list[dict[str, Any]]]] = {}
    for row in repo.fitment_sample(part_ids, FITMENT_SAMPLE):
        part_id, total = row[0], int(row[1])
        entry = out.setdefault(part_id, (total, []))
        entry[1].append(
            {
                "variant_id": row[6],
                "variant_code": row[7],
                "variant": row[8],
                "model": row[9],
                "model_zh": row[10],
                "make": row[11],
                "make_zh": row[12],
                "position": row[2],
                "year_from": row[3],
                "year_to": row[4],
                "note": row[5],
            }
        )
    return out


# ---- full text ---------------------------------------------------------------------------------------

_vocab_cache: dict[str, tuple[float, set[str], list[str]]] = {}


def _vocabulary(session: Session) -> tuple[set[str], list[str]]:
    """The correction vocabulary, cached per database for a minute (it changes only with imports)."""
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    cached = _vocab_cache.get(key)
    if cached is None or now - cached[0] > VOCAB_TTL_SECONDS:
        terms = VocabularyRepository(session).all_terms()
        ordered = [t for t, _ in sorted(terms, key=lambda tf: -tf[1])]
        cached = (now, set(ordered), ordered)
        _vocab_cache[key] = cached
    return cached[1], cached[2]


def forget_vocabulary() -> None:
    _vocab_cache.clear()


def correct(session: Session, parsed: ParsedQuery) -> ParsedQuery:
    """Replace a Latin word that no part uses by the closest vocabulary word (one typo in a brand), and
    match the last word as a prefix only when it is not a known word (someone still typing it)."""
    known, ordered = _vocabulary(session)
    if not ordered:
        return parsed
    words = []
    for w in parsed.words:
        if len(w) < 4 or w.isdigit() or w in known or w.rstrip("s") in known:
            words.append(w)
            continue
        best = process.extractOne(w, ordered, scorer=fuzz.ratio, score_cutoff=75)
        if best is None:
            words.append(w)
        else:
            words.append(best[0])
            parsed.corrected[w] = best[0]
    parsed.words = words
    if words and (
        words[-1] in known or words[-1].rstrip("s") in known or words[-1] in parsed.corrected.values()
    ):
        parsed.prefix_last = False
    return parsed


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("o"):
            raise ValueError(raw)
        return int(raw[1:])
    except ValueError as e:
        raise ValidationFailed("cursor is not valid", field="query.cursor", code="invalid_cursor") from e


def rank_matches(
    index: SearchIndex,
    parsed: ParsedQuery,
    *,
    tags: list[str],
    classes: tuple[int, int],
    cap: int,
) -> list[tuple[IndexMatch, float]]:
    """The best ``cap`` matches (decision 0003): parts whose own name or brand holds every query term
    (score 2) before parts that hold them anywhere else in their document (score 1); within each tier
    the index order — quality grade (OE first), active before discontinued, then the order indexed.
    Each tier reads only the first ``cap`` matches from the index, however many parts match."""
    ranked: dict[Any, tuple[IndexMatch, float]] = {}
    for title_only, score in ((True, TITLE_SCORE), (False, BODY_SCORE)):
        for m in index.first_matches(parsed, title_only=title_only, tags=tags, classes=classes, limit=cap):
            ranked.setdefault(m.part_id, (m, score))
        if len(ranked) >= cap:
            break
    return list(ranked.values())[:cap]


def search_text(
    session: Session,
    q: str,
    *,
    brand: str | None = None,
    category: str | None = None,
    grade: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> TextSearchResult:
    """Full text over names, categories, brands and attributes, Chinese and English, ranked, with
    facets (brand, category, quality grade) over the best matches and the reason for each hit."""
    if not 1 <= limit <= 100:
        raise ValidationFailed("limit must be between 1 and 100", field="query.limit", code="invalid_limit")
    parsed = parse_query(q)
    if parsed.empty:
        raise ValidationFailed("enter words to search for", field="q", code="empty_query")
    parsed = correct(session, parsed)
    tags: list[str] = []
    if brand:
        b = BrandRepository(session).by_code(brand.upper())
        if b is None:
            raise ValidationFailed(f"unknown brand {brand!r}", field="brand", code="brand_not_found")
        tags.append(brand_tag(b.id.hex))
    if category:
        c = CategoryRepository(session).by_code(category)
        if c is None:
            raise ValidationFailed(
                f"unknown category {category!r}", field="category", code="category_not_found"
            )
        tags.append(category_tag(c.id.hex))
    classes = (0, RANK_CLASSES)
    if grade:
        if grade not in GRADE_ORDER:
            raise ValidationFailed(
                f"quality grade must be one of {', '.join(GRADE_ORDER)}", field="grade", code="invalid_grade"
            )
        classes = grade_classes(grade)
    offset = _offset(cursor)
    cap = max(FACET_CAP, offset + limit + 1)
    ranked = rank_matches(SearchIndex(session), parsed, tags=tags, classes=classes, cap=cap)
    page = [(SearchIndex.as_uuid(m.part_id), score) for m, score in ranked[offset : offset + limit]]
    facets = _facets(session, [m for m, _ in ranked[:FACET_CAP]])
    views = [_views(row) for row in PartRepository(session).views_of([pid for pid, _ in page])]
    by_id = {v[0].id: v for v in views}
    items = [
        Hit(*by_id[pid], why=_why(parsed, *by_id[pid]), score=score) for pid, score in page if pid in by_id
    ]
    more = len(ranked) > offset + limit
    return TextSearchResult(
        query=q,
        items=items,
        facets=facets,
        corrected=parsed.corrected,
        matched=min(len(ranked), FACET_CAP),
        matched_is_exact=len(ranked) < cap,
        next_cursor=_cursor(offset + limit) if more else None,
    )


def _facets(session: Session, matches: list[IndexMatch]) -> dict[str, list[Facet]]:
    """Brand, category and grade counts of the matches, from the index rows themselves; labels for the
    20 most frequent brands and categories in two small queries."""
    brands = Counter(m.brand_id for m in matches).most_common(20)
    cats = Counter(m.category_id for m in matches).most_common(20)
    grades = Counter(GRADE_ORDER[min((m.key >> RANK_SHIFT) // 2, len(GRADE_ORDER) - 1)] for m in matches)
    as_uuid = SearchIndex.as_uuid
    brand_of = BrandRepository(session).by_ids(as_uuid(b) for b, _ in brands)
    cat_of = CategoryRepository(session).by_ids(as_uuid(c) for c, _ in cats)
    return {
        "brand": [
            Facet(b.code, b.name, n) for key, n in brands if (b := brand_of.get(as_uuid(key))) is not None
        ],
        "category": [
            Facet(c.code, f"{c.name_zh} / {c.name_en}", n)
            for key, n in cats
            if (c := cat_of.get(as_uuid(key))) is not None
        ],
        "quality_grade": [Facet(g, g, n) for g, n in grades.most_common()],
    }


def _why(
    parsed: ParsedQuery, part: Part | PartView, brand: Brand | BrandView, category: Category | CategoryView
) -> list[str]:
    reasons = []
    for phrase in parsed.zh_phrases:
        text = phrase[0] if len(phrase) == 1 else phrase[0] + "".join(t[1] for t in phrase[1:])
        for label, value in (
            ("name", part.name_zh),
            ("brand", brand.name_zh),
            ("category", category.name_zh),
        ):
            if value and text in value:
                reasons.append(f"{label}: {value} ∋ {text}")
                break
        else:
            reasons.append(f"category tree or attributes contain {text}")
    for w in parsed.words:
        stem = w[: max(4, len(w) - 2)]
        for label, value in (
            ("name", part.name_en),
            ("brand", f"{brand.name} {brand.code}"),
            ("category", category.name_en),
            ("attributes", " ".join(str(v) for v in (part.attributes or {}).values())),
            ("material", part.material),
            ("position", part.position),
        ):
            if value and stem in value.lower():
                reasons.append(f"{label}: {value} ∋ {w}")
                break
        else:
            reasons.append(f"related word: {w}")
    for typo, fixed in parsed.corrected.items():
        reasons.append(f"corrected {typo} → {fixed}")
    return reasons


# ---- by vehicle --------------------------------------------------------------------------------------


def search_variants(
    session: Session,
    variant_ids: list[uuid.UUID],
    *,
    category: str | None = None,
    per_category: int | None = None,
) -> VehicleSearchResult:
    """The parts that fit any of these variants (+ optional category subtree), grouped by category:
    each group lists its first ``per_category`` parts (best grade first) and says how many fit in all.
    The parts, brands and categories of the answer are views built from one query's plain rows.
    Without a category the default is :data:`PER_CATEGORY`; with one, :data:`PER_CATEGORY_FILTERED`."""
    category_path = None
    if category:
        c = CategoryRepository(session).by_code(category)
        if c is None:
            raise ValidationFailed(
                f"unknown category {category!r}", field="category", code="category_not_found"
            )
        category_path = c.path
    if per_category is None:
        per_category = PER_CATEGORY_FILTERED if category else PER_CATEGORY
    if not 1 <= per_category <= PER_CATEGORY_FILTERED:
        raise ValidationFailed(
            f"per_category must be between 1 and {PER_CATEGORY_FILTERED}",
            field="query.per_category",
            code="invalid_limit",
        )
    groups: dict[uuid.UUID, CategoryGroup] = {}
    brands: dict[uuid.UUID, BrandView] = {}
    rows = PartRepository(session).fitting(variant_ids, category_path, per_category) if variant_ids else []
    for row in rows:
        _rn, in_category, position, note, year_from, year_to = row[:6]
        part = PartView(*row[6 : 6 + NP])
        b_values = row[6 + NP : 6 + NP + NB]
        brand = brands.get(b_values[0]) or brands.setdefault(b_values[0], BrandView(*b_values))
        c_values = row[6 + NP + NB :]
        group = groups.get(c_values[0])
        if group is None:
            cat = CategoryView(*c_values)
            group = groups.setdefault(c_values[0], CategoryGroup(cat, [], int(in_category)))
        years = f", {year_from or ''}–{year_to or ''}" if (year_from or year_to) else ""
        why = [f"fits the vehicle{f' ({position})' if position else ''}{f': {note}' if note else ''}{years}"]
        group.items.append(Hit(part, brand, group.category, why, relation="fitment"))
    ordered = sorted(groups.values(), key=lambda g: g.category.path)
    return VehicleSearchResult(variant_ids=variant_ids, groups=ordered, total=sum(g.total for g in ordered))
