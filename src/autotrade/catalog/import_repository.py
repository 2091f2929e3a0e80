"""Queries of bulk import and export: batch look-ups (one query per batch, never per row), set-wise
upserts (``INSERT … ON CONFLICT (natural key) DO UPDATE … WHERE changed RETURNING``, with the SQLite
or PostgreSQL dialect insert), and the streaming reads behind exports."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from psycopg import RawCursor
from sqlalchemy import Row, Table, and_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from autotrade.catalog.models import Brand, Category, Fitment, Part, PartNumber
from autotrade.catalog.repository import among
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant, VinPattern

STREAM = 2000  # rows fetched at a time by exports
UPSERT_ROWS = 2000  # rows per multi-row INSERT statement
UPSERT_PARAMS = 30_000  # … and at most this many parameters (SQLite allows 32,766, PostgreSQL 65,535)


def _each_in(session: Session, columns: Sequence[Any], keys: Iterable[Sequence[Any]]) -> list[Any]:
    """``col1 IN (…) AND col2 IN (…)`` for composite keys; callers drop the cross-product extras.
    A row-value list ``(a, b) IN ((…), …)`` is no index lookup on PostgreSQL (it filters every row);
    per-column lists use the composite unique indexes on both databases. Each list is bound as
    :func:`~autotrade.catalog.repository.among` binds it (one array on PostgreSQL: ten thousand ``IN``
    placeholders made a statement text that took longer to render and parse than the look-up took)."""
    keys = list(keys)
    return [among(session, col, sorted({k[i] for k in keys}, key=str)) for i, col in enumerate(columns)]


class ImportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.pg = session.get_bind().dialect.name == "postgresql"

    # ---- upsert ----------------------------------------------------------------------------------

    def upsert(
        self,
        model: Any,
        rows: Sequence[dict[str, Any]],
        *,
        keys: Sequence[str],
        update: Sequence[str],
        keep_if_null: Sequence[str] = (),
        returning: Sequence[str] = ("id",),
        now: datetime,
    ) -> list[Any]:
        """Insert ``rows``; a row whose natural key exists updates the ``update`` columns — only when
        one of them differs (then ``updated_at`` and ``import_run_id`` move too). Columns in
        ``keep_if_null`` keep their stored value when the new one is NULL. Returns ``returning`` of
        every row inserted or changed; unchanged rows return nothing."""
        if not rows:
            return []
        table: Table = model.__table__
        stmt = (pg_insert if self.pg else sqlite_insert)(table)
        ex = stmt.excluded
        cols = table.c
        if update:
            new = {c: (func.coalesce(ex[c], cols[c]) if c in keep_if_null else ex[c]) for c in update}
            changed = or_(
                *(
                    and_(ex[c].is_not(None), cols[c].is_distinct_from(ex[c]))
                    if c in keep_if_null
                    else cols[c].is_distinct_from(ex[c])
                    for c in update
                )
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys),
                set_={
                    **new,
                    "updated_at": literal(now, cols["updated_at"].type),
                    "import_run_id": ex.import_run_id,
                },
                where=changed,
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
        final = stmt.returning(*(cols[c] for c in returning))
        return list(self.session.execute(final, list(rows)).all())

    def upsert_rows(
        self,
        model: Any,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        keys: Sequence[str],
        update: Sequence[str],
        returning: Sequence[str] = ("id",),
    ) -> list[tuple[Any, ...]]:
        """:meth:`upsert` for the large kinds, as multi-row ``INSERT … VALUES (…), (…) ON CONFLICT``
        statements sent straight to the driver: ``rows`` are tuples in ``columns`` order, converted with
        each column's own bind processor (a value repeated in every row — the run id, the time — once).
        Every row carries ``updated_at`` (the batch time) and ``import_run_id``; a changed row takes
        both. Returns ``returning`` of every row inserted or changed."""
        if not rows:
            return []
        table: Table = model.__table__
        dialect = self.session.get_bind().dialect
        q = dialect.identifier_preparer.quote
        name = q(table.name)
        procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        outs = [table.c[c].type.dialect_impl(dialect).result_processor(dialect, None) for c in returning]
        if update:
            differs = " IS DISTINCT FROM " if self.pg else " IS NOT "
            sets = [*update, "updated_at", "import_run_id"]
            conflict = (
                f"DO UPDATE SET {', '.join(f'{q(c)} = excluded.{q(c)}' for c in sets)}"
                f" WHERE {' OR '.join(f'{name}.{q(c)}{differs}excluded.{q(c)}' for c in update)}"
            )
        else:
            conflict = "DO NOTHING"
        # Only quoted table and column names of the model are formatted in; every value is a parameter.
        head = f"INSERT INTO {name} ({', '.join(q(c) for c in columns)}) VALUES "  # noqa: S608
        tail = (
            f" ON CONFLICT ({', '.join(q(k) for k in keys)}) {conflict}"
            f" RETURNING {', '.join(q(c) for c in returning)}"
        )
        converted = []
        for i, proc in enumerate(procs):
            values = [r[i] for r in rows]
            if proc is not None:
                last_in: Any = object()
                last_out: Any = None
                for j, v in enumerate(values):
                    if v is not last_in:
                        last_in, last_out = v, proc(v)
                    values[j] = last_out
            converted.append(values)
        per = max(1, min(UPSERT_ROWS, UPSERT_PARAMS // len(columns)))
        conn = self.session.connection()
        out: list[tuple[Any, ...]] = []
        width = len(columns)
        for start in range(0, len(rows), per):
            n = min(per, len(rows) - start)
            params = [col[j] for j in range(start, start + n) for col in converted]
            if self.pg:
                # Numbered placeholders through psycopg's raw cursor: a statement with tens of thousands
                # of "%s" would be re-parsed on every call (psycopg caches only short statements).
                groups = (
                    "(" + ", ".join(f"${i * width + c + 1}" for c in range(width)) + ")" for i in range(n)
                )
                with RawCursor(cast(Any, conn.connection.dbapi_connection)) as cur:
                    cur.execute(head + ", ".join(groups) + tail, params)
                    fetched: list[Any] = cur.fetchall()
            else:
                group = "(" + ", ".join(["?"] * width) + ")"
                fetched = list(conn.exec_driver_sql(head + ", ".join([group] * n) + tail, tuple(params)))
            for r in fetched:
                out.append(tuple(v if f is None else f(v) for v, f in zip(r, outs, strict=True)))
        return out

    # ---- look-ups (one query per batch) ------------------------------------------------------------

    def brand_ids(self, codes: Iterable[str]) -> dict[str, uuid.UUID]:
        wanted = list(set(codes))
        if not wanted:
            return {}
        return {
            c: i for c, i in self.session.execute(select(Brand.code, Brand.id).where(Brand.code.in_(wanted)))
        }

    def categories(self, codes: Iterable[str]) -> dict[str, tuple[uuid.UUID, str]]:
        wanted = list(set(codes))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(Category.code, Category.id, Category.path).where(Category.code.in_(wanted))
        )
        return {code: (cid, path) for code, cid, path in rows}

    def variant_ids(self, codes: Iterable[str]) -> dict[str, uuid.UUID]:
        wanted = list(set(codes))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(VehicleVariant.code, VehicleVariant.id).where(VehicleVariant.code.in_(wanted))
        )
        return {c: i for c, i in rows}

    def part_ids(
        self, keys: Iterable[tuple[str, str]], brand_ids: dict[str, uuid.UUID]
    ) -> dict[tuple[str, str], uuid.UUID]:
        """(brand code, normalised brand number) → part id, for the brands in ``brand_ids`` (code → id).
        The look-up uses the parts' unique (brand id, number) index; the rows carry the brand's code, so
        only the part id is parsed per row."""
        wanted = [(b, n) for b, n in set(keys) if b in brand_ids]
        if not wanted:
            return {}
        rows = self.session.execute(
            select(Brand.code, Part.brand_number_norm, Part.id)
            .join(Brand, Brand.id == Part.brand_id)
            .where(
                *_each_in(
                    self.session,
                    (Part.brand_id, Part.brand_number_norm),
                    [(brand_ids[b], n) for b, n in wanted],
                )
            )
        )
        keep = set(wanted)
        return {(b, n): pid for b, n, pid in rows if (b, n) in keep}

    def variant_names(
        self, keys: Iterable[tuple[str, str, str, str]]
    ) -> dict[tuple[str, str, str, str], str]:
        """(make, model, generation, variant name) → the code of the variant that already has that name."""
        wanted = list(set(keys))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(
                VehicleMake.name,
                VehicleModel.name,
                VehicleGeneration.name,
                VehicleVariant.name,
                VehicleVariant.code,
            )
            .join(VehicleModel, VehicleModel.make_id == VehicleMake.id)
            .join(VehicleGeneration, VehicleGeneration.model_id == VehicleModel.id)
            .join(VehicleVariant, VehicleVariant.generation_id == VehicleGeneration.id)
            .where(
                *_each_in(
                    self.session,
                    (VehicleMake.name, VehicleModel.name, VehicleGeneration.name, VehicleVariant.name),
                    wanted,
                )
            )
        )
        keep = set(wanted)
        return {(a, b, c, d): code for a, b, c, d, code in rows if (a, b, c, d) in keep}

    def make_ids(self, names: Sequence[str]) -> dict[str, uuid.UUID]:
        if not names:
            return {}
        rows = self.session.execute(
            select(VehicleMake.name, VehicleMake.id).where(VehicleMake.name.in_(list(names)))
        )
        return {n: i for n, i in rows}

    def vehicle_model_ids(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], uuid.UUID]:
        """(make name, model name) → model id."""
        if not keys:
            return {}
        rows = self.session.execute(
            select(VehicleMake.name, VehicleModel.name, VehicleModel.id)
            .join(VehicleMake, VehicleMake.id == VehicleModel.make_id)
            .where(*_each_in(self.session, (VehicleMake.name, VehicleModel.name), list(keys)))
        )
        keep = set(keys)
        return {(a, b): i for a, b, i in rows if (a, b) in keep}

    def generation_ids(self, keys: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], uuid.UUID]:
        """(make, model, generation name) → generation id."""
        if not keys:
            return {}
        rows = self.session.execute(
            select(VehicleMake.name, VehicleModel.name, VehicleGeneration.name, VehicleGeneration.id)
            .join(VehicleModel, VehicleModel.id == VehicleGeneration.model_id)
            .join(VehicleMake, VehicleMake.id == VehicleModel.make_id)
            .where(
                *_each_in(
                    self.session, (VehicleMake.name, VehicleModel.name, VehicleGeneration.name), list(keys)
                )
            )
        )
        keep = set(keys)
        return {(a, b, c): i for a, b, c, i in rows if (a, b, c) in keep}

    def existing_parts(
        self, keys: Sequence[tuple[uuid.UUID, str]]
    ) -> dict[tuple[uuid.UUID, str], tuple[uuid.UUID, str | None]]:
        """(brand id, normalised brand number) → (part id, English name) of the parts that exist."""
        if not keys:
            return {}
        rows = self.session.execute(
            select(Part.brand_id, Part.brand_number_norm, Part.id, Part.name_en).where(
                *_each_in(self.session, (Part.brand_id, Part.brand_number_norm), list(keys))
            )
        )
        keep = set(keys)
        return {(b, n): (i, name) for b, n, i, name in rows if (b, n) in keep}

    def parts_of(
        self, *, brand_ids: Sequence[uuid.UUID] = (), category_ids: Sequence[uuid.UUID] = ()
    ) -> Iterator[uuid.UUID]:
        """Ids of the parts of these brands or in these categories (streamed)."""
        cond = []
        if brand_ids:
            cond.append(Part.brand_id.in_(list(brand_ids)))
        if category_ids:
            cond.append(Part.category_id.in_(list(category_ids)))
        if not cond:
            return iter(())
        return (r[0] for r in self._stream(select(Part.id).where(or_(*cond))))

    def category_tree(self) -> list[tuple[uuid.UUID, uuid.UUID | None, str, str]]:
        """(id, parent id, code, path) of every category (a small table)."""
        rows = self.session.execute(select(Category.id, Category.parent_id, Category.code, Category.path))
        return [(a, b, c, d) for a, b, c, d in rows]

    # ---- export streams ------------------------------------------------------------------------------

    def _stream(self, stmt: Any) -> Iterator[Row[Any]]:
        yield from self.session.execute(stmt.execution_options(yield_per=STREAM))

    def export_categories(self) -> Iterator[Row[Any]]:
        parent = Category.__table__.alias("parent")
        return self._stream(
            select(Category.code, parent.c.code, Category.name_zh, Category.name_en)
            .outerjoin(parent, parent.c.id == Category.parent_id)
            .order_by(Category.path)
        )

    def export_brands(self) -> Iterator[Row[Any]]:
        return self._stream(
            select(Brand.code, Brand.name, Brand.name_zh, Brand.kind, Brand.country).order_by(Brand.code)
        )

    def export_vehicles(self) -> Iterator[Row[Any]]:
        return self._stream(
            select(
                VehicleVariant.id,
                VehicleMake.name,
                VehicleMake.name_zh,
                VehicleModel.name,
                VehicleModel.name_zh,
                VehicleGeneration.name,
                VehicleGeneration.year_from,
                VehicleGeneration.year_to,
                VehicleVariant.code,
                VehicleVariant.name,
                VehicleVariant.engine_code,
                VehicleVariant.displacement_cc,
                VehicleVariant.fuel_type,
                VehicleVariant.transmission,
                VehicleVariant.body,
                VehicleVariant.power_kw,
                VehicleVariant.year_from,
                VehicleVariant.year_to,
            )
            .join(VehicleGeneration, VehicleGeneration.id == VehicleVariant.generation_id)
            .join(VehicleModel, VehicleModel.id == VehicleGeneration.model_id)
            .join(VehicleMake, VehicleMake.id == VehicleModel.make_id)
            .order_by(VehicleVariant.code)
        )

    def vin_patterns_of(self, variant_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        out: dict[uuid.UUID, list[str]] = {}
        if variant_ids:
            for vid, pattern in self.session.execute(
                select(VinPattern.variant_id, VinPattern.pattern)
                .where(VinPattern.variant_id.in_(list(variant_ids)))
                .order_by(VinPattern.pattern)
            ):
                out.setdefault(vid, []).append(pattern)
        return out

    def export_parts(self) -> Iterator[Row[Any]]:
        return self._stream(
            select(
                Part.id,
                Brand.code,
                Part.brand_number,
                Part.name_zh,
                Part.name_en,
                Category.code,
                Part.quality_grade,
                Part.position,
                Part.material,
                Part.attributes,
                Part.images,
                Part.status,
            )
            .join(Brand, Brand.id == Part.brand_id)
            .join(Category, Category.id == Part.category_id)
            .order_by(Brand.code, Part.brand_number_norm)
        )

    def oe_numbers_of(self, part_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[tuple[str, str]]]:
        out: dict[uuid.UUID, list[tuple[str, str]]] = {}
        if part_ids:
            for pid, brand, number in self.session.execute(
                select(PartNumber.part_id, PartNumber.brand_code, PartNumber.number)
                .where(PartNumber.part_id.in_(list(part_ids)), PartNumber.kind == "oe")
                .order_by(PartNumber.brand_code, PartNumber.number_norm)
            ):
                out.setdefault(pid, []).append((brand, number))
        return out

    def export_numbers(self) -> Iterator[Row[Any]]:
        return self._stream(
            select(
                Brand.code,
                Part.brand_number,
                PartNumber.kind,
                PartNumber.number,
                PartNumber.brand_code,
                PartNumber.source,
                PartNumber.confidence,
                PartNumber.successor_norm,
            )
            .join(Part, Part.id == PartNumber.part_id)
            .join(Brand, Brand.id == Part.brand_id)
            .where(PartNumber.kind != "brand")
            .order_by(
                Brand.code,
                Part.brand_number_norm,
                PartNumber.kind,
                PartNumber.brand_code,
                PartNumber.number_norm,
            )
        )

    def export_fitment(self) -> Iterator[Row[Any]]:
        return self._stream(
            select(
                Brand.code,
                Part.brand_number,
                VehicleVariant.code,
                Fitment.position,
                Fitment.year_from,
                Fitment.year_to,
                Fitment.note,
            )
            .join(Part, Part.id == Fitment.part_id)
            .join(Brand, Brand.id == Part.brand_id)
            .join(VehicleVariant, VehicleVariant.id == Fitment.variant_id)
            .order_by(Brand.code, Part.brand_number_norm, VehicleVariant.code)
        )
