"""Catalogue queries. Master data is platform-wide: no tenant filter applies to these tables.

The full-text index is dialect-specific (FTS5 on SQLite, tsvector on PostgreSQL; decision 0002):
:class:`SearchIndex` holds both forms of each statement."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    and_,
    any_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    true,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from autotrade.catalog.documents import GRADE_ORDER, RANK_CLASSES, RANK_SHIFT, Doc
from autotrade.catalog.models import Brand, Category, Fitment, NumberKind, Part, PartNumber, SearchTerm
from autotrade.catalog.text import ParsedQuery
from autotrade.catalog.views import BrandView, CategoryView, NumberView, PartView, fields_of
from autotrade.core.repository import Repository
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant

GROUPING_KINDS = ("oe", "brand", "trade", "aftermarket", "replacement")
# The columns a search hit shows, in the order its view is built from.
PART_FIELDS = fields_of(PartView)
BRAND_FIELDS = fields_of(BrandView)
CATEGORY_FIELDS = fields_of(CategoryView)
NUMBER_FIELDS = fields_of(NumberView)


def among(session: Session, column: Any, values: Iterable[Any]) -> Any:
    """``column IN values``. On PostgreSQL written ``column = ANY(:array)``, so the statement's text does
    not depend on how many values there are and psycopg prepares it once it repeats (planning a search
    statement costs about as much as running it)."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    # One expanding parameter, not a bound parameter object per value (ten thousand of them took longer
    # to build and compile than the look-up took).
    return column.in_(bindparam(None, values, type_=column.type, expanding=True))


def among_param(dialect: str, column: Any, name: str) -> Any:
    """``column IN :name`` for a statement built once and run with a list for ``name`` (see :func:`among`)."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


_STATEMENTS: dict[tuple[str, str], Any] = {}


def cached_statement(session: Session, name: str, build: Callable[[str], Any]) -> Any:
    """A search statement built once per dialect and reused: building a select with its joins and window
    functions, and its cache key, cost more than running it (bind parameters carry the values)."""
    dialect = session.get_bind().dialect.name
    stmt = _STATEMENTS.get((dialect, name))
    if stmt is None:
        stmt = _STATEMENTS[(dialect, name)] = build(dialect)
    return stmt


def _numbers_json(dialect: str) -> Any:
    """The numbers of the selected part (:class:`Part` of the enclosing query) as one JSON array of
    :data:`NUMBER_FIELDS` arrays (:func:`~autotrade.catalog.views.number_views_from_json` reads it): a
    search answer carries its parts' numbers without a round trip of its own."""
    fields = [getattr(PartNumber, c) for c in NUMBER_FIELDS]
    as_json = (
        func.json_agg(func.json_build_array(*fields))
        if dialect == "postgresql"
        else func.json_group_array(func.json_array(*fields))
    )
    return select(as_json).where(PartNumber.part_id == Part.id).correlate(Part).scalar_subquery()


# A fitting variant as a search answer names it: id, code, name, model (en, zh), make (en, zh).
VARIANT_NAMES = (
    VehicleVariant.id,
    VehicleVariant.code,
    VehicleVariant.name,
    VehicleModel.name,
    VehicleModel.name_zh,
    VehicleMake.name,
    VehicleMake.name_zh,
)


def _join_variant_names(stmt: Any, variant_id: Any) -> Any:
    """``stmt`` joined to the variant ``variant_id`` names, its generation, model and make (for
    :data:`VARIANT_NAMES`)."""
    return (
        stmt.join(VehicleVariant, VehicleVariant.id == variant_id)
        .join(VehicleGeneration, VehicleGeneration.id == VehicleVariant.generation_id)
        .join(VehicleModel, VehicleModel.id == VehicleGeneration.model_id)
        .join(VehicleMake, VehicleMake.id == VehicleModel.make_id)
    )


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class CategoryRepository(Repository[Category]):
    model = Category
    label = "category"
    not_found_code = "category_not_found"

    def by_code(self, code: str) -> Category | None:
        row: Category | None = self.session.scalar(select(Category).where(Category.code == code))
        return row

    def all(self) -> Sequence[Category]:
        return self.session.scalars(select(Category).order_by(Category.path)).all()


class BrandRepository(Repository[Brand]):
    model = Brand
    label = "brand"
    not_found_code = "brand_not_found"

    def by_code(self, code: str) -> Brand | None:
        row: Brand | None = self.session.scalar(select(Brand).where(Brand.code == code))
        return row

    def by_codes(self, codes: Iterable[str]) -> dict[str, Brand]:
        codes = list(set(codes))
        return (
            {b.code: b for b in self.session.scalars(select(Brand).where(Brand.code.in_(codes)))}
            if codes
            else {}
        )

    def all(self) -> Sequence[Brand]:
        return self.session.scalars(select(Brand).order_by(Brand.code)).all()


class PartRepository(Repository[Part]):
    model = Part
    label = "part"
    not_found_code = "part_not_found"

    def fitment_exists(self, part_id: uuid.UUID, variant_id: uuid.UUID) -> bool:
        stmt = select(Fitment.id).where(Fitment.part_id == part_id, Fitment.variant_id == variant_id)
        return self.session.scalar(stmt) is not None

    def by_brand_number(self, brand_id: uuid.UUID, number_norm: str) -> Part | None:
        row: Part | None = self.session.scalar(
            select(Part).where(Part.brand_id == brand_id, Part.brand_number_norm == number_norm)
        )
        return row

    def views_of(self, part_ids: Sequence[uuid.UUID]) -> list[Any]:
        """Plain rows of :data:`PART_FIELDS`, :data:`BRAND_FIELDS` and :data:`CATEGORY_FIELDS` of these
        parts, one query (a page of search hits: ORM entities of the part, brand and category cost more
        than the query)."""
        if not part_ids:
            return []
        stmt = cached_statement(
            self.session,
            "views_of",
            lambda d: (
                select(
                    *(getattr(Part, c) for c in PART_FIELDS),
                    *(getattr(Brand, c) for c in BRAND_FIELDS),
                    *(getattr(Category, c) for c in CATEGORY_FIELDS),
                )
                .join(Brand, Brand.id == Part.brand_id)
                .join(Category, Category.id == Part.category_id)
                .where(among_param(d, Part.id, "ids"))
            ),
        )
        return list(self.session.execute(stmt, {"ids": list(part_ids)}).all())

    def with_names(self, part_ids: Sequence[uuid.UUID]) -> list[tuple[Part, Brand, Category]]:
        """Parts with their brand and category, in one query."""
        if not part_ids:
            return []
        stmt = cached_statement(
            self.session,
            "with_names",
            lambda d: (
                select(Part, Brand, Category)
                .join(Brand, Brand.id == Part.brand_id)
                .join(Category, Category.id == Part.category_id)
                .where(among_param(d, Part.id, "ids"))
            ),
        )
        rows = self.session.execute(stmt, {"ids": list(part_ids)}).all()
        return [(p, b, c) for p, b, c in rows]

    def document_sources(self, part_ids: Sequence[uuid.UUID]) -> list[Any]:
        """Plain rows (no ORM objects) with what a part's search document is built from."""
        if not part_ids:
            return []
        return list(
            self.session.execute(
                select(
                    Part.id,
                    Part.name_zh,
                    Part.name_en,
                    Part.position,
                    Part.material,
                    Part.attributes,
                    Part.category_id,
                    Brand.id,
                    Brand.name,
                    Brand.name_zh,
                    Brand.code,
                    Part.quality_grade,
                    Part.status,
                )
                .join(Brand, Brand.id == Part.brand_id)
                .where(among(self.session, Part.id, part_ids))
            ).all()
        )

    def number_views(self, part_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[NumberView]]:
        """The numbers of these parts as plain views (kind, then number), one query."""
        out: dict[uuid.UUID, list[NumberView]] = {pid: [] for pid in part_ids}
        if part_ids:
            stmt = cached_statement(
                self.session,
                "number_views",
                lambda d: (
                    select(*(getattr(PartNumber, c) for c in NUMBER_FIELDS))
                    .where(among_param(d, PartNumber.part_id, "ids"))
                    .order_by(PartNumber.kind, PartNumber.number_norm)
                ),
            )
            for row in self.session.execute(stmt, {"ids": list(part_ids)}):
                n = NumberView(*row)
                out[n.part_id].append(n)
        return out

    def own_number(self, part: Part) -> PartNumber | None:
        """The part's own ``brand`` number row (the one its brand and brand number make)."""
        row: PartNumber | None = self.session.scalar(
            select(PartNumber).where(
                PartNumber.part_id == part.id,
                PartNumber.kind == NumberKind.brand,
                PartNumber.number_norm == part.brand_number_norm,
            )
        )
        return row

    def number_matches(self, norm: str, limit: int) -> list[Any]:
        """The parts holding the normalised number ``norm`` or a number it was superseded by (one step),
        and the other parts of their interchange groups, with brand and category — one statement.

        Plain rows: holder flag (1/0), then :data:`PART_FIELDS`, :data:`BRAND_FIELDS` and
        :data:`CATEGORY_FIELDS`, then the part's numbers as a JSON array of :data:`NUMBER_FIELDS` arrays
        (:func:`~autotrade.catalog.views.number_views_from_json`; a round trip fewer than asking
        :meth:`number_views` afterwards); every holder, and the others up to ``limit`` parts in all."""
        stmt = cached_statement(self.session, "number_matches", self._number_matches)
        return list(self.session.execute(stmt, {"n": norm, "lim": limit}).all())

    @staticmethod
    def _number_matches(dialect: str) -> Any:
        n: Any = bindparam("n")
        successors = select(PartNumber.successor_norm).where(
            PartNumber.number_norm == n, PartNumber.successor_norm.is_not(None)
        )
        holders = union(
            select(PartNumber.part_id).where(PartNumber.number_norm == n),
            select(PartNumber.part_id).where(PartNumber.number_norm.in_(successors)),
        ).cte("holders")
        member = aliased(Part)
        groups = select(member.group_id).where(member.id.in_(select(holders.c.part_id)))
        held = case((Part.id.in_(select(holders.c.part_id)), 1), else_=0)
        ranked = (
            select(
                Part.id.label("pid"),
                held.label("held"),
                func.row_number().over(order_by=(held.desc(), Part.id)).label("rn"),
            )
            .where(Part.group_id.in_(groups))
            .subquery()
        )
        return (
            select(
                ranked.c.held,
                *(getattr(Part, c) for c in PART_FIELDS),
                *(getattr(Brand, c) for c in BRAND_FIELDS),
                *(getattr(Category, c) for c in CATEGORY_FIELDS),
                _numbers_json(dialect),
            )
            .select_from(ranked)
            .join(Part, Part.id == ranked.c.pid)
            .join(Brand, Brand.id == Part.brand_id)
            .join(Category, Category.id == Part.category_id)
            .where(or_(ranked.c.held == 1, ranked.c.rn <= bindparam("lim")))
        )

    def prefix_matches(self, prefix: str, limit: int) -> list[Any]:
        """The first ``limit`` numbers starting with ``prefix`` (an index range, the same on both
        databases) with their parts, brands, categories and each part's fitment count — one statement.

        Plain rows: :data:`NUMBER_FIELDS`, fitment count, :data:`PART_FIELDS`, :data:`BRAND_FIELDS`,
        :data:`CATEGORY_FIELDS`, then all the part's numbers as JSON (as :meth:`number_matches`), in
        number order."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        stmt = cached_statement(self.session, "prefix_matches", self._prefix_matches)
        return list(self.session.execute(stmt, {"low": prefix, "high": upper, "lim": limit}).all())

    @staticmethod
    def _prefix_matches(dialect: str) -> Any:
        numbers = (
            select(*(getattr(PartNumber, c) for c in NUMBER_FIELDS))
            .where(PartNumber.number_norm >= bindparam("low"), PartNumber.number_norm < bindparam("high"))
            .order_by(PartNumber.number_norm)
            .limit(bindparam("lim"))
            .subquery()
        )
        fitted = select(func.count()).where(Fitment.part_id == Part.id).scalar_subquery()
        return (
            select(
                *(numbers.c[c] for c in NUMBER_FIELDS),
                fitted,
                *(getattr(Part, c) for c in PART_FIELDS),
                *(getattr(Brand, c) for c in BRAND_FIELDS),
                *(getattr(Category, c) for c in CATEGORY_FIELDS),
                _numbers_json(dialect),
            )
            .select_from(numbers)
            .join(Part, Part.id == numbers.c.part_id)
            .join(Brand, Brand.id == Part.brand_id)
            .join(Category, Category.id == Part.category_id)
            .order_by(numbers.c.number_norm)
        )

    def holders_with_groups(self, numbers: Iterable[str]) -> list[tuple[PartNumber, uuid.UUID]]:
        """The number rows with these normalised numbers, each with its part's interchange group."""
        wanted = [n for n in set(numbers) if n]
        if not wanted:
            return []
        stmt = cached_statement(
            self.session,
            "holders_with_groups",
            lambda d: (
                select(PartNumber, Part.group_id)
                .join(Part, Part.id == PartNumber.part_id)
                .where(among_param(d, PartNumber.number_norm, "numbers"))
            ),
        )
        rows = self.session.execute(stmt, {"numbers": wanted}).all()
        return [(n, g) for n, g in rows]

    def groups_with_names(
        self, group_ids: Iterable[uuid.UUID], first: Sequence[uuid.UUID], limit: int
    ) -> list[tuple[Part, Brand, Category]]:
        """Every part of these groups with brand and category (the parts in ``first`` first), one query."""
        groups = list(set(group_ids))
        if not groups:
            return []
        stmt = cached_statement(
            self.session,
            "groups_with_names",
            lambda d: (
                select(Part, Brand, Category)
                .join(Brand, Brand.id == Part.brand_id)
                .join(Category, Category.id == Part.category_id)
                .where(among_param(d, Part.group_id, "groups"))
                .order_by(case((among_param(d, Part.id, "first"), 0), else_=1), Part.id)
                .limit(bindparam("lim"))
            ),
        )
        params = {"groups": groups, "first": list(first) or [uuid.UUID(int=0)], "lim": limit}
        rows = self.session.execute(stmt, params).all()
        return [(p, b, c) for p, b, c in rows]

    def fitment_sample(self, part_ids: Sequence[uuid.UUID], per_part: int) -> list[Any]:
        """Up to ``per_part`` fitting variants per part with names, plus each part's total count."""
        if not part_ids:
            return []
        stmt = cached_statement(self.session, "fitment_sample", self._fitment_sample)
        return list(self.session.execute(stmt, {"ids": list(part_ids), "per_part": per_part}).all())

    @staticmethod
    def _fitment_sample(dialect: str) -> Any:
        if dialect == "postgresql":
            return PartRepository._fitment_sample_lateral()
        ranked = (
            select(
                Fitment.part_id,
                Fitment.variant_id,
                Fitment.position,
                Fitment.year_from,
                Fitment.year_to,
                Fitment.note,
                func.row_number().over(partition_by=Fitment.part_id, order_by=Fitment.variant_id).label("rn"),
                func.count().over(partition_by=Fitment.part_id).label("total"),
            )
            .where(among_param(dialect, Fitment.part_id, "ids"))
            .subquery()
        )
        stmt = select(
            ranked.c.part_id,
            ranked.c.total,
            ranked.c.position,
            ranked.c.year_from,
            ranked.c.year_to,
            ranked.c.note,
            *VARIANT_NAMES,
        )
        return _join_variant_names(stmt, ranked.c.variant_id).where(ranked.c.rn <= bindparam("per_part"))

    @staticmethod
    def _fitment_sample_lateral() -> Any:
        """PostgreSQL: per part its count and its first fitting variants as two lateral index look-ups.
        Its generic plan is as good as any custom one, so the prepared statement is planned once (the
        window form over ``part_id = ANY(:ids)`` was re-planned on every call: 0.9 ms of 1.3 ms)."""
        p = (
            func.unnest(bindparam("ids", type_=ARRAY(Fitment.part_id.type)))
            .table_valued("pid")
            .render_derived(name="p")
        )
        total = (
            select(func.count().label("total"))
            .select_from(Fitment)
            .where(Fitment.part_id == p.c.pid)
            .correlate_except(Fitment)
            .lateral("t")
        )
        first = (
            select(Fitment.variant_id, Fitment.position, Fitment.year_from, Fitment.year_to, Fitment.note)
            .where(Fitment.part_id == p.c.pid)
            .correlate_except(Fitment)
            .order_by(Fitment.variant_id)
            .limit(bindparam("per_part"))
            .lateral("f")
        )
        stmt = (
            select(
                p.c.pid,
                total.c.total,
                first.c.position,
                first.c.year_from,
                first.c.year_to,
                first.c.note,
                *VARIANT_NAMES,
            )
            .select_from(p)
            .join(total, true())
            .join(first, true())
        )
        return _join_variant_names(stmt, first.c.variant_id).order_by(p.c.pid, first.c.variant_id)

    def fitting(
        self, variant_ids: Sequence[uuid.UUID], category_path: str | None, per_category: int
    ) -> list[Any]:
        """The active parts that fit any of the variants, grouped by category: per category its first
        ``per_category`` parts (best grade first, then SKU) and the category's count, in one query.
        Plain rows (a few hundred ORM entities cost more than the query): rank in category, parts in
        category, position, note, year from, year to, then :data:`PART_FIELDS`, :data:`BRAND_FIELDS`
        and :data:`CATEGORY_FIELDS` of the part."""
        filtered = category_path is not None
        stmt = cached_statement(
            self.session, f"fitting:{filtered}", lambda d: self._fitting(d, filtered=filtered)
        )
        params: dict[str, Any] = {"variants": list(variant_ids), "per_category": per_category}
        if filtered:
            params["cpath"], params["cprefix"] = category_path, f"{category_path}/%"
        return list(self.session.execute(stmt, params).all())

    @staticmethod
    def _fitting(dialect: str, *, filtered: bool) -> Any:
        fit = (
            select(
                Fitment.part_id,
                func.min(Fitment.position).label("position"),
                func.min(Fitment.note).label("note"),
                func.min(Fitment.year_from).label("year_from"),
                func.max(Fitment.year_to).label("year_to"),
            )
            .where(among_param(dialect, Fitment.variant_id, "variants"))
            .group_by(Fitment.part_id)
            .subquery()
        )
        grade_order = case(
            *((Part.quality_grade == g, i) for i, g in enumerate(GRADE_ORDER)), else_=len(GRADE_ORDER)
        )
        ranked = (
            select(
                fit,
                Part.category_id,
                func.row_number()
                .over(partition_by=Part.category_id, order_by=(grade_order, Part.sku))
                .label("rn"),
                func.count().over(partition_by=Part.category_id).label("in_category"),
            )
            .join(Part, Part.id == fit.c.part_id)
            .where(Part.status == "active")
        )
        if filtered:
            below = select(Category.id).where(
                (Category.path == bindparam("cpath")) | Category.path.like(bindparam("cprefix"))
            )
            ranked = ranked.where(Part.category_id.in_(below))
        r = ranked.subquery()
        stmt = (
            select(
                r.c.rn,
                r.c.in_category,
                r.c.position,
                r.c.note,
                r.c.year_from,
                r.c.year_to,
                *(getattr(Part, c) for c in PART_FIELDS),
                *(getattr(Brand, c) for c in BRAND_FIELDS),
                *(getattr(Category, c) for c in CATEGORY_FIELDS),
            )
            .join(Part, Part.id == r.c.part_id)
            .join(Brand, Brand.id == Part.brand_id)
            .join(Category, Category.id == Part.category_id)
            .where(r.c.rn <= bindparam("per_category"))
            .order_by(Category.path, r.c.rn)
        )
        return stmt

    # ---- interchange groups ------------------------------------------------------------------------

    def linked_groups(self, part_ids: Sequence[uuid.UUID]) -> list[tuple[uuid.UUID, str, str]]:
        """(group, number, issuing brand), once each, for every interchange group holding a grouping
        number that one of these parts holds (a group of 20 parts sharing a number is one row)."""
        keys = (
            select(PartNumber.number_norm, PartNumber.brand_code)
            .where(
                among(self.session, PartNumber.part_id, part_ids),
                PartNumber.kind.in_(GROUPING_KINDS),
                PartNumber.brand_code != "",
            )
            .distinct()
            .subquery()
        )
        holder = aliased(PartNumber)
        rows = self.session.execute(
            select(Part.group_id, holder.number_norm, holder.brand_code)
            .distinct()
            .select_from(keys)
            .join(
                holder, and_(holder.number_norm == keys.c.number_norm, holder.brand_code == keys.c.brand_code)
            )
            .join(Part, Part.id == holder.part_id)
            .where(holder.kind.in_(GROUPING_KINDS))
        ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def groups_holding(self, keys: Iterable[tuple[str, str]]) -> list[tuple[uuid.UUID, str, str]]:
        """(group, number, issuing brand), once each, of the interchange groups whose parts hold one of
        these (normalised number, issuing brand) pairs as a grouping number (looked up by number: one
        probe of the number index per number)."""
        wanted = set(keys)
        out: list[tuple[uuid.UUID, str, str]] = []
        # A thousand numbers a statement: with tens of thousands PostgreSQL's planner scans the whole
        # table instead of probing the index (measured at 1M parts: 250 ms against 100 ms in chunks).
        for chunk in _chunks(sorted({n for n, _ in wanted}), 1000):
            rows = self.session.execute(
                select(Part.group_id, PartNumber.number_norm, PartNumber.brand_code)
                .distinct()
                .join(Part, Part.id == PartNumber.part_id)
                .where(
                    among(self.session, PartNumber.number_norm, chunk), PartNumber.kind.in_(GROUPING_KINDS)
                )
            )
            out.extend((g, n, b) for g, n, b in rows if (n, b) in wanted)
        return out

    def regroup(self, moves: dict[uuid.UUID, uuid.UUID]) -> None:
        """Move whole groups (old group → surviving group): one statement on PostgreSQL, one executemany
        on SQLite. Group membership is derived from the numbers (which are audited), so this neither
        bumps ``updated_at`` nor writes audit rows of its own."""
        moves = {o: n for o, n in moves.items() if o != n}
        if not moves:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text(
                    "UPDATE parts SET group_id = m.new FROM (SELECT unnest(CAST(:old AS uuid[])) AS old,"
                    " unnest(CAST(:new AS uuid[])) AS new) m WHERE parts.group_id = m.old"
                ),
                {"old": list(moves), "new": list(moves.values())},
            )
            return
        stmt = (
            update(Part.__table__)  # type: ignore[arg-type]
            .where(Part.__table__.c.group_id == bindparam("old"))
            .values(group_id=bindparam("new"), updated_at=Part.__table__.c.updated_at)
        )
        self.session.connection().execute(stmt, [{"old": o, "new": n} for o, n in moves.items() if o != n])


class IndexMatch(NamedTuple):
    """A full-text match as the index holds it. Ids stay text (hex on SQLite, the canonical form on
    PostgreSQL): a search counts facets over a thousand matches and converts only the page's ids
    (:meth:`SearchIndex.as_uuid`) — a thousand rows of three UUID objects cost more than the statement's
    round trip, and hashing them for the facet counts as much again."""

    part_id: str
    brand_id: str
    category_id: str
    key: int  # rank class << 40 (| sequence, on SQLite)


class SearchIndex:
    """The full-text index (decisions 0002, 0003): replace documents, and find the first matches in the
    index's own order (the document's rank class, then the order stored)."""

    # The weighted tsvector of a document on PostgreSQL: title A, body B, filter tags D.
    PG_TSVECTOR = (
        "setweight(to_tsvector('simple', {title_zh}), 'A')"
        " || setweight(to_tsvector('english', {title_en}), 'A')"
        " || setweight(to_tsvector('simple', {body_zh}), 'B')"
        " || setweight(to_tsvector('english', {body_en}), 'B')"
        " || setweight(to_tsvector('simple', {tags}), 'D')"
    )
    # SQLite: the next free key of the document's rank class.
    SQLITE_RANK = (
        "(SELECT coalesce(max(rowid), {cls} << 40) + 1 FROM part_search_docs"
        " WHERE rowid > {cls} << 40 AND rowid < ({cls} + 1) << 40)"
    )

    SQLITE_INSERT = (
        "INSERT INTO part_search_docs (rowid, part_id, brand_id, category_id, title, body, tags)"  # noqa: S608
        f" VALUES ({SQLITE_RANK.format(cls=':cls')}, :id, :brand, :category, :title, :body, :tags)"
    )

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pg = session.get_bind().dialect.name == "postgresql"

    @staticmethod
    def doc_params(key: Any, d: Doc) -> dict[str, Any]:
        """The bind parameters of one document (both databases' statements use a subset)."""
        return {
            "id": key,
            "cls": d.rank_class,
            "title_zh": d.title_zh,
            "title_en": d.title_en,
            "body_zh": d.body_zh,
            "body_en": d.body_en,
            "title": d.title,
            "body": d.body,
            "tags": d.tags,
            "brand": d.brand_id_hex,
            "category": d.category_id_hex,
        }

    # The document fields in the temporary table of :meth:`add` (ids as hex; PostgreSQL reads them as uuid).
    DOC_FIELDS = ("title_zh", "title_en", "body_zh", "body_en", "tags", "brand_id_hex", "category_id_hex")

    def add(self, docs: Sequence[tuple[str, Doc]]) -> None:
        """Insert the documents of parts that have none yet (new parts: the importer and the generator).
        ``docs``: (part id as 32 hex digits, document), in the order they rank within a rank class. On
        PostgreSQL the documents go through COPY into a temporary table and one ``INSERT … SELECT``
        computes the weighted tsvectors (no statement per document)."""
        if not docs:
            return
        conn = self.session.connection()
        if not self.pg:
            conn.exec_driver_sql(self.SQLITE_INSERT, [self.doc_params(pid, d) for pid, d in docs])
            return
        fields = ", ".join(self.DOC_FIELDS)
        conn.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS _new_docs (part_id uuid, cls int, seq bigserial, title_zh text,"
            " title_en text, body_zh text, body_en text, tags text, brand_id_hex uuid, category_id_hex uuid)"
            " ON COMMIT DELETE ROWS"
        )
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY _new_docs (part_id, cls, {fields}) FROM STDIN") as cp:
            for pid, d in docs:
                cp.write_row((pid, d.rank_class, *(getattr(d, f) for f in self.DOC_FIELDS)))
        tsv = self.PG_TSVECTOR.format(**{f: f for f in self.DOC_FIELDS})
        conn.exec_driver_sql(
            "INSERT INTO part_search (part_id, cls, brand_id, category_id, tsv)"  # noqa: S608
            f" SELECT part_id, cls, brand_id_hex, category_id_hex, {tsv} FROM _new_docs ORDER BY seq"
        )
        conn.exec_driver_sql("TRUNCATE _new_docs")

    def replace(self, docs: Sequence[tuple[uuid.UUID, Doc]]) -> None:
        if not docs:
            return
        rows = [self.doc_params(pid if self.pg else pid.hex, d) for pid, d in docs]
        keys = [r["id"] for r in rows]
        if self.pg:
            self.session.execute(text("DELETE FROM part_search WHERE part_id = ANY(:ids)"), {"ids": keys})
            cols = {c: f":{c}" for c in ("title_zh", "title_en", "body_zh", "body_en", "tags")}
            self.session.execute(
                text(
                    "INSERT INTO part_search (part_id, cls, brand_id, category_id, tsv)"  # noqa: S608
                    " VALUES (:id, :cls, CAST(:brand AS uuid), CAST(:category AS uuid),"
                    f" {self.PG_TSVECTOR.format(**cols)})"
                ),
                rows,
            )
            return
        self.session.execute(
            text("DELETE FROM part_search_docs WHERE part_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": keys},
        )
        self.session.execute(text(self.SQLITE_INSERT), rows)

    @staticmethod
    def _pg_match(
        q: ParsedQuery, weights: str, tags: Sequence[str], params: dict[str, Any], name: str
    ) -> str:
        """The tsquery of ``q`` restricted to lexemes of these weights (A title, B body), AND the tags.
        Only fixed fragments are formatted into the SQL; every value is a bind parameter."""
        queries = []
        if q.zh_phrases:
            params[f"{name}zh"] = " & ".join(
                "(" + " <-> ".join(f"'{t}':{weights}" for t in ph) + ")" for ph in q.zh_phrases
            )
            queries.append(f"to_tsquery('simple', :{name}zh)")
        if q.words:
            params[f"{name}en"] = " & ".join(
                f"'{word}':*{weights}" if i == len(q.words) - 1 and q.prefix_last else f"'{word}':{weights}"
                for i, word in enumerate(q.words)
            )
            queries.append(f"to_tsquery('english', :{name}en)")
        if tags:
            params[f"{name}tags"] = " & ".join(f"'{t}':D" for t in tags)
            queries.append(f"to_tsquery('simple', :{name}tags)")
        return " && ".join(queries)

    def first_matches(
        self,
        q: ParsedQuery,
        *,
        title_only: bool,
        tags: Sequence[str] = (),
        classes: tuple[int, int] = (0, RANK_CLASSES),
        limit: int,
    ) -> list[IndexMatch]:
        """The first ``limit`` parts in index order (rank class, then as stored) matching every phrase and
        word of ``q`` — in the title only, or anywhere — carrying every tag, within the rank classes
        [low, high). The index yields matches in that order, so this stops after ``limit`` matches
        however many there are. Ids stay text (:class:`IndexMatch`; :meth:`as_uuid` converts one)."""
        params: dict[str, Any] = {"cap": limit}
        low, high = classes
        if self.pg:
            match = self._pg_match(q, "A" if title_only else "AB", tags, params, "m")
            # One branch per rank class, each on its own partial GIN index; the Append runs them in
            # order and the outer LIMIT stops it as soon as enough rows came back. A sequential scan
            # would read whole classes, so it is switched off for this transaction (a search request).
            per_class = " UNION ALL ".join(
                "(SELECT part_id::text, brand_id::text, category_id::text,"  # noqa: S608
                f" {cls}::bigint << {RANK_SHIFT} AS key"
                f" FROM part_search WHERE cls = {cls} AND tsv @@ ({match}) LIMIT :cap)"
                for cls in range(low, high)
            )
            self.session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
            sql = f"SELECT * FROM ({per_class}) m LIMIT :cap"  # noqa: S608
            return list(map(IndexMatch._make, self.session.execute(text(sql), params).all()))
        cols = "title" if title_only else "{title body}"
        terms = [f'{cols} : "{" ".join(ph)}"' for ph in q.zh_phrases]
        terms += [
            f'{cols} : "{word}"*' if i == len(q.words) - 1 and q.prefix_last else f'{cols} : "{word}"'
            for i, word in enumerate(q.words)
        ]
        terms += [f'tags : "{t}"' for t in tags]
        params["m"] = " AND ".join(terms)
        params["lo"], params["hi"] = low << RANK_SHIFT, high << RANK_SHIFT
        sql = (
            "SELECT d.part_id, d.brand_id, d.category_id, d.rowid FROM (SELECT rowid FROM part_search"
            " WHERE part_search MATCH :m AND rowid >= :lo AND rowid < :hi ORDER BY rowid LIMIT :cap) r"
            " JOIN part_search_docs d ON d.rowid = r.rowid ORDER BY r.rowid"
        )
        return list(map(IndexMatch._make, self.session.execute(text(sql), params).all()))

    @staticmethod
    def as_uuid(key: str | uuid.UUID) -> uuid.UUID:
        """A part, brand or category id as the index returned it (text: hex on SQLite, canonical on
        PostgreSQL)."""
        return key if isinstance(key, uuid.UUID) else uuid.UUID(hex=key)


class VocabularyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all_terms(self) -> list[tuple[str, int]]:
        return [(t, f) for t, f in self.session.execute(select(SearchTerm.term, SearchTerm.freq))]

    def replace_all(self, counts: dict[str, int]) -> None:
        self.session.execute(delete(SearchTerm))
        rows = [{"term": t, "freq": f} for t, f in counts.items()]
        for chunk in _chunks(rows, 5000):
            self.session.execute(insert(SearchTerm), list(chunk))

    def add(self, counts: dict[str, int]) -> None:
        """Count more uses of these words (insert new ones)."""
        if not counts:
            return
        dialect = self.session.get_bind().dialect.name
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        ins: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(SearchTerm)
        stmt = ins.on_conflict_do_update(
            index_elements=["term"], set_={"freq": SearchTerm.freq + ins.excluded.freq}
        )
        self.session.execute(stmt, [{"term": t, "freq": f} for t, f in sorted(counts.items())])

    def english_names(self, batch: int = 10_000) -> Iterator[str]:
        for (name,) in self.session.execute(
            select(Part.name_en).where(Part.name_en.is_not(None)).execution_options(yield_per=batch)
        ):
            if name:
                yield name


class MasterDataRepository:
    """Queries of the platform's master-data pages: counts, the parts list, one part's numbers and
    fitment, and splitting an interchange group after a number is removed."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def counts(self) -> dict[str, int]:
        """Rows of each master-data table, in one statement."""
        from autotrade.vehicles.models import VinPattern

        tables: dict[str, Any] = {
            "makes": VehicleMake,
            "models": VehicleModel,
            "generations": VehicleGeneration,
            "variants": VehicleVariant,
            "vin_patterns": VinPattern,
            "categories": Category,
            "brands": Brand,
            "parts": Part,
            "numbers": PartNumber,
            "fitments": Fitment,
        }
        stmt = select(
            *(select(func.count()).select_from(m).scalar_subquery().label(k) for k, m in tables.items())
        )
        row = self.session.execute(stmt).one()
        return {k: int(v or 0) for k, v in row._mapping.items()}

    def parts_page(
        self, cursor: str | None, limit: int
    ) -> tuple[list[tuple[Part, Brand, Category]], str | None]:
        """Every part, newest first, one page (two queries: the page's ids, then names)."""
        from autotrade.core.pagination import paginate

        rows, nxt = paginate(self.session, select(Part), Part.id, cursor=cursor, limit=limit)
        named = {p.id: (p, b, c) for p, b, c in PartRepository(self.session).with_names([r.id for r in rows])}
        return [named[r.id] for r in rows if r.id in named], nxt

    def number_of(self, part_id: uuid.UUID, number_id: uuid.UUID) -> PartNumber | None:
        row: PartNumber | None = self.session.scalar(
            select(PartNumber).where(PartNumber.id == number_id, PartNumber.part_id == part_id)
        )
        return row

    def fitment_of(self, part_id: uuid.UUID, fitment_id: uuid.UUID) -> Fitment | None:
        row: Fitment | None = self.session.scalar(
            select(Fitment).where(Fitment.id == fitment_id, Fitment.part_id == part_id)
        )
        return row

    def fitments(self, part_id: uuid.UUID, limit: int) -> tuple[list[Any], int]:
        """The part's fitment rows with the variant's make, model and generation (first ``limit``, by
        make, model and variant), and how many there are."""
        total = int(
            self.session.scalar(select(func.count()).select_from(Fitment).where(Fitment.part_id == part_id))
            or 0
        )
        rows = self.session.execute(
            select(
                Fitment,
                VehicleVariant.code,
                VehicleVariant.name,
                VehicleGeneration.name,
                VehicleModel.name,
                VehicleModel.name_zh,
                VehicleMake.name,
                VehicleMake.name_zh,
            )
            .join(VehicleVariant, VehicleVariant.id == Fitment.variant_id)
            .join(VehicleGeneration, VehicleGeneration.id == VehicleVariant.generation_id)
            .join(VehicleModel, VehicleModel.id == VehicleGeneration.model_id)
            .join(VehicleMake, VehicleMake.id == VehicleModel.make_id)
            .where(Fitment.part_id == part_id)
            .order_by(VehicleMake.name, VehicleModel.name, VehicleVariant.name)
            .limit(limit)
        ).all()
        return list(rows), total

    def ungroup(self, group_id: uuid.UUID) -> list[uuid.UUID]:
        """Put every part of a group back in a group of its own (the caller merges them again from
        their numbers). Derived data: ``updated_at`` is kept and no audit row is written, as in
        :meth:`PartRepository.regroup`."""
        members = list(self.session.scalars(select(Part.id).where(Part.group_id == group_id)))
        if members:
            self.session.flush()
            table = Part.__table__
            self.session.connection().execute(
                update(table)  # type: ignore[arg-type]
                .where(table.c.group_id == group_id)
                .values(group_id=table.c.id, updated_at=table.c.updated_at)
            )
            self.session.expire_all()
        return members
