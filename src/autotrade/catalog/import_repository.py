"""Queries of bulk import and export: batch look-ups (one query per batch, never per row), set-wise
upserts (``INSERT … ON CONFLICT (natural key) DO UPDATE … WHERE changed RETURNING``, with the SQLite
or PostgreSQL dialect insert), and the streaming reads behind exports."""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, and_, bindparam, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from autotrade.catalog.models import Brand, Category, Fitment, Part, PartNumber
from autotrade.catalog.numbers import sku_code
from autotrade.catalog.repository import among
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant, VinPattern

STREAM = 2000  # rows fetched at a time by exports
UPSERT_ROWS = 2000  # rows per multi-row INSERT statement (SQLite)
UPSERT_PARAMS = 30_000  # … and at most this many parameters (SQLite allows 32,766)


# PostgreSQL types whose binary COPY format psycopg writes from the values the bind processors give
# (bool, int8, int2, int4, text, varchar, timestamptz, uuid). Binary COPY skips formatting every value as
# text (measured: 100,000 fitment-shaped rows 0.47 s as text, 0.08 s binary); a table with another
# type (jsonb: psycopg would encode an already serialised JSON string again) is copied as text.
BINARY_COPY_OIDS = frozenset({16, 20, 21, 23, 25, 1043, 1184, 2950})
# Column type OIDs per staging table (named by its table and columns; built-in types' OIDs are fixed).
_STAGE_OIDS: dict[str, list[int]] = {}


def _column_oids(cur: Any, table: str) -> list[int]:
    """The type OIDs of a (temporary) table's columns, in order."""
    cur.execute(
        "SELECT atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
        " AND NOT attisdropped ORDER BY attnum",
        (table,),
    )
    return [r[0] for r in cur.fetchall()]


def _keyed(session: Session, columns: Sequence[Any], keys: Iterable[Sequence[Any]]) -> Any:
    """``(columns) IN keys`` for composite keys, as a join to a table with one row per key tuple (the
    condition names the table, so it lands in the statement's FROM list). Exact: per-column ``IN`` lists
    matched every combination of the values, and a row-value ``IN`` is no index look-up on PostgreSQL.
    PostgreSQL: ``unnest`` of one array per column (the statement's text does not depend on how many
    keys there are); SQLite: the rows of one JSON array (``json_each``). Used for the small vehicle
    tables; large tables are looked up by a unique single column (``among``), which both databases
    probe once per key."""
    keys = list(keys)
    names = [f"k{i}" for i in range(len(columns))]
    if session.get_bind().dialect.name == "postgresql":
        arrays = [
            bindparam(None, [k[i] for k in keys], type_=ARRAY(col.type)) for i, col in enumerate(columns)
        ]
        table = func.unnest(*arrays).table_valued(*names).render_derived()
        return and_(*(col == table.c[n] for col, n in zip(columns, names, strict=True)))
    payload = json.dumps([[v.hex if isinstance(v, uuid.UUID) else v for v in k] for k in keys])
    table = func.json_each(bindparam(None, payload)).table_valued("value")
    return and_(*(col == func.json_extract(table.c.value, f"$[{i}]") for i, col in enumerate(columns)))


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
            stmt = stmt.on_conflict_do_nothing(index_elements=keys)
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
        """:meth:`upsert` for the large kinds, sent straight to the driver: on SQLite as multi-row
        ``INSERT … VALUES (…), (…) ON CONFLICT`` statements, on PostgreSQL as COPY into a temporary table
        and one ``INSERT … SELECT … ON CONFLICT``. ``rows`` are tuples in ``columns`` order, converted with
        each column's own bind processor (a value repeated in every row — the run id, the time — once).
        Every row carries ``updated_at`` (the batch time) and ``import_run_id``; a changed row takes
        both. Returns ``returning`` of every row inserted or changed (nothing when ``returning`` is empty)."""
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
        tail = f" ON CONFLICT ({', '.join(q(k) for k in keys)}) {conflict}"
        if returning:
            tail += f" RETURNING {', '.join(q(c) for c in returning)}"
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
        conn = self.session.connection()
        out: list[tuple[Any, ...]] = []
        if self.pg:
            # COPY into a temporary table shaped like the target, then one INSERT … SELECT: no statement
            # text of tens of thousands of placeholders to parse and plan.
            names = ", ".join(q(c) for c in columns)
            # One staging table per table and column list (it outlives the transaction, empty, on the
            # pooled connection; named by its columns, it always has exactly them).
            stage = q(f"_stage_{table.name}_{zlib.crc32(names.encode()):08x}")
            raw: Any = conn.connection.driver_connection
            with raw.cursor() as cur:
                cur.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS"  # noqa: S608
                    f" AS SELECT {names} FROM {name} WITH NO DATA"
                )
                oids = _STAGE_OIDS.get(stage) or _STAGE_OIDS.setdefault(stage, _column_oids(cur, stage))
                binary = all(oid in BINARY_COPY_OIDS for oid in oids)
                fmt = " (FORMAT BINARY)" if binary else ""
                with cur.copy(f"COPY {stage} ({names}) FROM STDIN{fmt}") as cp:
                    if binary:
                        cp.set_types(oids)
                    for row in zip(*converted, strict=True):
                        cp.write_row(row)
                cur.execute(f"INSERT INTO {name} ({names}) SELECT {names} FROM {stage}" + tail)  # noqa: S608
                fetched: list[Any] = cur.fetchall() if returning else []
                cur.execute(f"TRUNCATE {stage}")
            return [tuple(v if f is None else f(v) for v, f in zip(r, outs, strict=True)) for r in fetched]
        per = max(1, min(UPSERT_ROWS, UPSERT_PARAMS // len(columns)))
        width = len(columns)
        group = "(" + ", ".join(["?"] * width) + ")"
        for start in range(0, len(rows), per):
            n = min(per, len(rows) - start)
            params = [col[j] for j in range(start, start + n) for col in converted]
            result = conn.exec_driver_sql(head + ", ".join([group] * n) + tail, tuple(params))
            if not returning:
                continue
            fetched = list(result.all())
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
        Looked up by SKU (brand code + number, one unique column: one index probe per key on both
        databases); the rows carry the brand's code, so only the part id is parsed per row."""
        return {k: row[0] for k, row in self._parts_by_sku(keys, brand_ids, Part.id).items()}

    def part_groups(
        self, keys: Iterable[tuple[str, str]], brand_ids: dict[str, uuid.UUID]
    ) -> dict[tuple[str, str], tuple[uuid.UUID, uuid.UUID]]:
        """:meth:`part_ids` with each part's interchange group: (brand code, normalised brand number) →
        (part id, group id)."""
        found = self._parts_by_sku(keys, brand_ids, Part.id, Part.group_id)
        return {k: (row[0], row[1]) for k, row in found.items()}

    def _parts_by_sku(
        self, keys: Iterable[tuple[str, str]], brand_ids: dict[str, uuid.UUID], *columns: Any
    ) -> dict[tuple[str, str], tuple[Any, ...]]:
        """(brand code, normalised brand number) → ``columns`` of the part, looked up by SKU."""
        wanted = {(b, n) for b, n in keys if b in brand_ids}
        if not wanted:
            return {}
        rows = self.session.execute(
            select(Brand.code, Part.brand_number_norm, *columns)
            .join(Brand, Brand.id == Part.brand_id)
            .where(among(self.session, Part.sku, sorted(sku_code(b, n) for b, n in wanted)))
        )
        return {(r[0], r[1]): tuple(r[2:]) for r in rows if (r[0], r[1]) in wanted}

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
                _keyed(
                    self.session,
                    (VehicleMake.name, VehicleModel.name, VehicleGeneration.name, VehicleVariant.name),
                    wanted,
                )
            )
        )
        return {(a, b, c, d): code for a, b, c, d, code in rows}

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
            .where(_keyed(self.session, (VehicleMake.name, VehicleModel.name), keys))
        )
        return {(a, b): i for a, b, i in rows}

    def generation_ids(self, keys: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], uuid.UUID]:
        """(make, model, generation name) → generation id."""
        if not keys:
            return {}
        rows = self.session.execute(
            select(VehicleMake.name, VehicleModel.name, VehicleGeneration.name, VehicleGeneration.id)
            .join(VehicleModel, VehicleModel.id == VehicleGeneration.model_id)
            .join(VehicleMake, VehicleMake.id == VehicleModel.make_id)
            .where(
                _keyed(
                    self.session, (VehicleMake.name, VehicleModel.name, VehicleGeneration.name), list(keys)
                )
            )
        )
        return {(a, b, c): i for a, b, c, i in rows}

    def existing_parts(
        self, keys: dict[tuple[uuid.UUID, str], str]
    ) -> dict[tuple[uuid.UUID, str], tuple[uuid.UUID, str | None, uuid.UUID]]:
        """(brand id, normalised brand number) → (part id, English name, group) of the parts that exist;
        ``keys`` maps each key to its SKU, by which the parts are looked up (see :meth:`part_ids`)."""
        if not keys:
            return {}
        rows = self.session.execute(
            select(Part.brand_id, Part.brand_number_norm, Part.id, Part.name_en, Part.group_id).where(
                among(self.session, Part.sku, sorted(keys.values()))
            )
        )
        return {(b, n): (i, name, g) for b, n, i, name, g in rows if (b, n) in keys}

    def brand_refs(self, codes: Iterable[str]) -> dict[str, tuple[str, str, str | None, str]]:
        """Brand code → (id hex, name, Chinese name, code): what a part's search document names."""
        wanted = list(set(codes))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(Brand.code, Brand.id, Brand.name, Brand.name_zh).where(Brand.code.in_(wanted))
        )
        return {code: (i.hex, name, name_zh, code) for code, i, name, name_zh in rows}

    def category_refs(self) -> dict[str, tuple[str, str, str, str]]:
        """Category code → (id hex, path, Chinese name, English name) of every category (a small table)."""
        rows = self.session.execute(
            select(Category.code, Category.id, Category.path, Category.name_zh, Category.name_en)
        )
        return {code: (i.hex, path, zh, en) for code, i, path, zh, en in rows}

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
