"""inventory: queries.

Stock quantities change here only, in SQL, each change with its movement rows:

* :meth:`StockRepository.apply` — the one write path of quantities. On PostgreSQL it is **one
  statement** whatever the number of lines: lock the rows in ascending ``(warehouse_id, part_id)``
  order (``SELECT … ORDER BY … FOR UPDATE``: no deadlocks between concurrent multi-line checkouts),
  check every line, update them all only if every line passes, and insert the movements (one
  multi-row INSERT), all in data-modifying CTEs. On SQLite the transaction already holds the database's
  write lock (``BEGIN IMMEDIATE``), so it reads the rows, checks them, and runs the conditional
  UPDATEs and one multi-row INSERT.
* The condition of every change is the row's CHECK constraints after the change
  (``on_hand + Δon_hand >= reserved + Δreserved`` and ``reserved + Δreserved >= 0``): for a reservation
  that reads "available >= q", for a release or shipment "reserved >= q".

Cross-tenant ("on the buyer's behalf") statements say ``all_tenants``: :meth:`StockRepository.apply`,
:meth:`StockRepository.ensure_levels`, :meth:`StockRepository.availability` (a marketplace read of
available quantities by warehouse, never costs) and :meth:`StockRepository.current`. The service checks
who may call them for what.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    Table,
    Uuid,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from autotrade.catalog.models import Part
from autotrade.core.db import UTCDateTime, utcnow, uuid7
from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.inventory.models import MovementKind, StockLevel, StockMovement, StockUpload, Warehouse

Key = tuple[uuid.UUID, uuid.UUID]  # (warehouse_id, part_id)


@dataclass(frozen=True, slots=True)
class Change:
    """One stock level's change within one call (keys are distinct within a call)."""

    warehouse_id: uuid.UUID
    part_id: uuid.UUID
    on_hand_delta: int
    reserved_delta: int
    kind: MovementKind


@dataclass(frozen=True, slots=True)
class Actor:
    label: str
    user_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class Applied:
    """The outcome of :meth:`StockRepository.apply`: ``ok`` when every change was made; ``before``
    holds each existing row's (on_hand, reserved) as it was when locked (missing rows are absent)."""

    ok: bool
    before: dict[Key, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class AvailabilityRow:
    org_id: uuid.UUID
    warehouse_id: uuid.UUID
    part_id: uuid.UUID
    available: int
    latitude: float | None
    longitude: float | None
    province: str
    city: str
    service_radius_km: int


_PG_APPLY = text(
    """
WITH v AS (
    SELECT * FROM unnest(
        CAST(:w AS uuid[]), CAST(:p AS uuid[]), CAST(:dh AS integer[]), CAST(:dr AS integer[]),
        CAST(:k AS varchar[]), CAST(:m AS uuid[])
    ) AS v(warehouse_id, part_id, dh, dr, kind, mid)
),
locked AS MATERIALIZED (
    SELECT s.id, s.org_id, s.warehouse_id, s.part_id, s.on_hand, s.reserved, v.dh, v.dr, v.kind, v.mid
    FROM stock_levels s JOIN v ON s.warehouse_id = v.warehouse_id AND s.part_id = v.part_id
    ORDER BY s.warehouse_id, s.part_id
    FOR UPDATE OF s
),
ok AS (
    SELECT count(*) = CAST(:n AS bigint) AS all_ok FROM locked
    WHERE on_hand + dh >= reserved + dr AND reserved + dr >= 0
),
upd AS (
    UPDATE stock_levels s
    SET on_hand = s.on_hand + l.dh, reserved = s.reserved + l.dr, updated_at = CAST(:now AS timestamptz)
    FROM locked l, ok
    WHERE ok.all_ok AND s.id = l.id
    RETURNING l.mid, l.org_id, l.id, l.warehouse_id, l.part_id, l.kind, l.dh, l.dr
),
ins AS (
    INSERT INTO stock_movements (
        id, org_id, stock_level_id, warehouse_id, part_id, kind, on_hand_delta, reserved_delta,
        reason, reference_type, reference_id, actor_label, actor_user_id, created_at
    )
    SELECT mid, org_id, id, warehouse_id, part_id, kind, dh, dr,
           CAST(:reason AS varchar), CAST(:rtype AS varchar), CAST(:rid AS varchar),
           CAST(:actor AS varchar), CAST(:actor_uid AS uuid), CAST(:now AS timestamptz)
    FROM upd
)
SELECT l.warehouse_id, l.part_id, l.on_hand, l.reserved, ok.all_ok FROM locked l CROSS JOIN ok
"""
).execution_options(**ALL_TENANTS)

_levels: Table = StockLevel.__table__  # type: ignore[assignment]
_movements: Table = StockMovement.__table__  # type: ignore[assignment]
_warehouses: Table = Warehouse.__table__  # type: ignore[assignment]


def _sqlite_update() -> Any:
    dh: Any = bindparam("b_dh")
    dr: Any = bindparam("b_dr")
    return (
        update(_levels)
        .where(
            _levels.c.id == bindparam("b_id"),
            _levels.c.on_hand + dh >= _levels.c.reserved + dr,
            _levels.c.reserved + dr >= 0,
        )
        .values(
            on_hand=_levels.c.on_hand + dh, reserved=_levels.c.reserved + dr, updated_at=bindparam("b_now")
        )
        .execution_options(**ALL_TENANTS)
    )


_SQLITE_UPDATE = _sqlite_update()


def _ensure_statement(dialect: str) -> Any:
    """INSERT a zero stock level for (warehouse, part) unless it exists: safe under concurrency on both
    backends (the unique key decides; a concurrent insert makes ours do nothing)."""
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_levels)
    src = select(
        bindparam("b_id", type_=Uuid()),
        _warehouses.c.org_id,
        _warehouses.c.id,
        bindparam("b_part", type_=Uuid()),
        literal(0),
        literal(0),
        bindparam("b_now", type_=UTCDateTime()),
        bindparam("b_now", type_=UTCDateTime()),
    ).where(_warehouses.c.id == bindparam("b_wid", type_=Uuid()))
    cols = ["id", "org_id", "warehouse_id", "part_id", "on_hand", "reserved", "created_at", "updated_at"]
    return (
        ins.from_select(cols, src)
        .on_conflict_do_nothing(index_elements=["warehouse_id", "part_id"])
        .execution_options(**ALL_TENANTS)
    )


_ENSURE: dict[str, Any] = {}


class StockRepository(Repository[StockLevel]):
    model = StockLevel
    label = "stock level"
    not_found_code = "stock_level_not_found"

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # ---- the write path (on the buyer's behalf: all tenants) ------------------------------------------

    def apply(
        self,
        changes: Sequence[Change],
        *,
        actor: Actor,
        reason: str | None,
        reference_type: str | None,
        reference_id: str | None,
    ) -> Applied:
        """Apply every change or none (see the module docstring). Keys must be distinct."""
        ordered = sorted(changes, key=lambda c: (c.warehouse_id, c.part_id))
        now = utcnow()
        if self.dialect == "postgresql":
            return self._apply_pg(ordered, actor, reason, reference_type, reference_id, now)
        return self._apply_generic(ordered, actor, reason, reference_type, reference_id, now)

    def _apply_pg(
        self,
        changes: Sequence[Change],
        actor: Actor,
        reason: str | None,
        reference_type: str | None,
        reference_id: str | None,
        now: datetime,
    ) -> Applied:
        rows = self.session.execute(
            _PG_APPLY,
            {
                "w": [c.warehouse_id for c in changes],
                "p": [c.part_id for c in changes],
                "dh": [c.on_hand_delta for c in changes],
                "dr": [c.reserved_delta for c in changes],
                "k": [c.kind.value for c in changes],
                "m": sorted(uuid7() for _ in changes),
                "n": len(changes),
                "now": now,
                "reason": reason,
                "rtype": reference_type,
                "rid": reference_id,
                "actor": actor.label,
                "actor_uid": actor.user_id,
            },
        ).all()
        before = {(r[0], r[1]): (r[2], r[3]) for r in rows}
        return Applied(ok=bool(rows) and bool(rows[0][4]) and len(rows) == len(changes), before=before)

    def _apply_generic(
        self,
        changes: Sequence[Change],
        actor: Actor,
        reason: str | None,
        reference_type: str | None,
        reference_id: str | None,
        now: datetime,
    ) -> Applied:
        found = self.current([(c.warehouse_id, c.part_id) for c in changes])
        before = {k: (v[2], v[3]) for k, v in found.items()}
        for c in changes:
            row = found.get((c.warehouse_id, c.part_id))
            if row is None:
                return Applied(ok=False, before=before)
            on_hand, reserved = row[2], row[3]
            if not (
                on_hand + c.on_hand_delta >= reserved + c.reserved_delta and reserved + c.reserved_delta >= 0
            ):
                return Applied(ok=False, before=before)
        result = self.session.execute(
            _SQLITE_UPDATE,
            [
                {
                    "b_id": found[(c.warehouse_id, c.part_id)][0],
                    "b_dh": c.on_hand_delta,
                    "b_dr": c.reserved_delta,
                    "b_now": now,
                }
                for c in changes
            ],
        )
        if result.rowcount != len(changes):  # type: ignore[attr-defined]
            raise RuntimeError("stock levels changed under the write lock")  # pragma: no cover
        ids = sorted(uuid7() for _ in changes)
        self.session.execute(
            insert(_movements)
            .values(
                [
                    {
                        "id": mid,
                        "org_id": found[(c.warehouse_id, c.part_id)][1],
                        "stock_level_id": found[(c.warehouse_id, c.part_id)][0],
                        "warehouse_id": c.warehouse_id,
                        "part_id": c.part_id,
                        "kind": c.kind,
                        "on_hand_delta": c.on_hand_delta,
                        "reserved_delta": c.reserved_delta,
                        "reason": reason,
                        "reference_type": reference_type,
                        "reference_id": reference_id,
                        "actor_label": actor.label,
                        "actor_user_id": actor.user_id,
                        "created_at": now,
                    }
                    for mid, c in zip(ids, changes, strict=True)
                ]
            )
            .execution_options(**ALL_TENANTS)
        )
        return Applied(ok=True, before=before)

    def current(self, keys: Sequence[Key], *, lock: bool = False) -> dict[Key, tuple[Any, ...]]:
        """(id, org_id, on_hand, reserved) of the existing levels among ``keys`` (all tenants), locked
        in key order on PostgreSQL when ``lock``."""
        if not keys:
            return {}
        stmt = (
            select(
                _levels.c.id,
                _levels.c.org_id,
                _levels.c.on_hand,
                _levels.c.reserved,
                _levels.c.warehouse_id,
                _levels.c.part_id,
            )
            .where(tuple_(_levels.c.warehouse_id, _levels.c.part_id).in_(list(keys)))
            .order_by(_levels.c.warehouse_id, _levels.c.part_id)
            .execution_options(**ALL_TENANTS)
        )
        if lock and self.dialect == "postgresql":
            stmt = stmt.with_for_update()
        return {(r[4], r[5]): (r[0], r[1], r[2], r[3]) for r in self.session.execute(stmt)}

    def ensure_levels(self, keys: Iterable[Key]) -> None:
        """Create missing zero levels for (warehouse, part) pairs, in the warehouse owner's name."""
        params = [{"b_id": uuid7(), "b_wid": w, "b_part": p, "b_now": utcnow()} for w, p in sorted(set(keys))]
        if not params:
            return
        stmt = _ENSURE.get(self.dialect)
        if stmt is None:
            stmt = _ENSURE[self.dialect] = _ensure_statement(self.dialect)
        self.session.execute(stmt, params)

    def warehouse_has_levels(self, warehouse_id: uuid.UUID) -> bool:
        stmt = select(_levels.c.id).where(_levels.c.warehouse_id == warehouse_id).limit(1)
        return self.session.scalar(stmt.execution_options(**ALL_TENANTS)) is not None

    # ---- marketplace read -----------------------------------------------------------------------------

    def availability(
        self, part_ids: Sequence[uuid.UUID], org_ids: Sequence[uuid.UUID] | None
    ) -> list[AvailabilityRow]:
        """Marketplace read (all tenants): every active warehouse with available > 0 for these parts.
        Quantities and places only — no costs, no other columns."""
        if not part_ids:
            return []
        available = (_levels.c.on_hand - _levels.c.reserved).label("available")
        stmt = (
            select(
                _warehouses.c.org_id,
                _warehouses.c.id,
                _levels.c.part_id,
                available,
                _warehouses.c.latitude,
                _warehouses.c.longitude,
                _warehouses.c.province,
                _warehouses.c.city,
                _warehouses.c.service_radius_km,
            )
            .join_from(_levels, _warehouses, _warehouses.c.id == _levels.c.warehouse_id)
            .where(
                _levels.c.part_id.in_(list(part_ids)),
                _warehouses.c.active.is_(True),
                _levels.c.on_hand - _levels.c.reserved > 0,
            )
            .order_by(_levels.c.part_id, _warehouses.c.org_id, _warehouses.c.id)
            .execution_options(**ALL_TENANTS)
        )
        if org_ids is not None:
            stmt = stmt.where(_warehouses.c.org_id.in_(list(org_ids)))
        return [AvailabilityRow(*r) for r in self.session.execute(stmt)]

    # ---- the owner's reads (tenant-filtered ORM) -------------------------------------------------------

    def get_level(self, warehouse_id: uuid.UUID, part_id: uuid.UUID) -> StockLevel | None:
        row: StockLevel | None = self.session.scalar(
            select(StockLevel)
            .where(StockLevel.warehouse_id == warehouse_id, StockLevel.part_id == part_id)
            .execution_options(populate_existing=True)
        )
        return row

    def refresh(self, level_id: uuid.UUID) -> StockLevel | None:
        row: StockLevel | None = self.session.scalar(
            select(StockLevel).where(StockLevel.id == level_id).execution_options(populate_existing=True)
        )
        return row

    def listing(
        self,
        *,
        warehouse_id: uuid.UUID | None = None,
        part_id: uuid.UUID | None = None,
        low_only: bool = False,
    ) -> Select[Any]:
        """The caller's stock levels (tenant-filtered), for keyset pagination."""
        stmt = select(StockLevel)
        if warehouse_id is not None:
            stmt = stmt.where(StockLevel.warehouse_id == warehouse_id)
        if part_id is not None:
            stmt = stmt.where(StockLevel.part_id == part_id)
        if low_only:
            stmt = stmt.where(
                StockLevel.low_stock_threshold.is_not(None),
                StockLevel.on_hand - StockLevel.reserved <= StockLevel.low_stock_threshold,
            )
        return stmt

    def movements(self, level_id: uuid.UUID) -> Select[Any]:
        """Movements of one of the caller's levels (tenant-filtered), for keyset pagination."""
        return select(StockMovement).where(StockMovement.stock_level_id == level_id)

    def parts_by_id(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
        """(sku, name_zh) of parts (platform master data)."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = self.session.execute(select(Part.id, Part.sku, Part.name_zh).where(Part.id.in_(wanted)))
        return {r[0]: (r[1], r[2]) for r in rows}

    def parts_by_sku(self, skus: Iterable[str]) -> dict[str, uuid.UUID]:
        wanted = list(set(skus))
        if not wanted:
            return {}
        return {
            r[0]: r[1] for r in self.session.execute(select(Part.sku, Part.id).where(Part.sku.in_(wanted)))
        }

    def count_levels(self) -> int:
        stmt = select(func.count()).select_from(_levels).execution_options(**ALL_TENANTS)
        return int(self.session.scalar(stmt) or 0)

    # ---- verification -------------------------------------------------------------------------------------

    def mismatches(self) -> list[tuple[Any, ...]]:
        """Every level whose quantities differ from the sums of its movements (one set-based query;
        all tenants: the check is an operator's)."""
        sums = (
            select(
                _movements.c.stock_level_id,
                func.sum(_movements.c.on_hand_delta).label("on_hand"),
                func.sum(_movements.c.reserved_delta).label("reserved"),
            )
            .group_by(_movements.c.stock_level_id)
            .subquery()
        )
        moved_on_hand = func.coalesce(sums.c.on_hand, 0)
        moved_reserved = func.coalesce(sums.c.reserved, 0)
        stmt = (
            select(
                _levels.c.id,
                _levels.c.org_id,
                _levels.c.warehouse_id,
                _levels.c.part_id,
                _levels.c.on_hand,
                moved_on_hand,
                _levels.c.reserved,
                moved_reserved,
            )
            .join_from(_levels, sums, sums.c.stock_level_id == _levels.c.id, isouter=True)
            .where(or_(_levels.c.on_hand != moved_on_hand, _levels.c.reserved != moved_reserved))
            .order_by(_levels.c.id)
            .execution_options(**ALL_TENANTS)
        )
        return [tuple(r) for r in self.session.execute(stmt)]


class WarehouseRepository(Repository[Warehouse]):
    model = Warehouse
    label = "warehouse"
    not_found_code = "warehouse_not_found"

    def by_code(self, code: str, *, org_id: uuid.UUID) -> Warehouse | None:
        row: Warehouse | None = self.session.scalar(
            select(Warehouse).where(Warehouse.code == code, Warehouse.org_id == org_id)
        )
        return row

    def by_codes(self, codes: Iterable[str]) -> dict[str, list[Warehouse]]:
        """The caller's warehouses with these codes (a code is unique per company; a company and its
        branches may share one)."""
        wanted = list(set(codes))
        out: dict[str, list[Warehouse]] = {}
        if wanted:
            for w in self.session.scalars(select(Warehouse).where(Warehouse.code.in_(wanted))):
                out.setdefault(w.code, []).append(w)
        return out

    def listing(self, *, active: bool | None = None) -> Select[Any]:
        stmt = select(Warehouse)
        if active is not None:
            stmt = stmt.where(Warehouse.active.is_(active))
        return stmt

    def get_any_tenant_many(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Warehouse]:
        """Warehouses by id across companies (alliance transfers name another member's warehouse)."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        stmt = select(Warehouse).where(Warehouse.id.in_(wanted)).execution_options(**ALL_TENANTS)
        return {w.id: w for w in self.session.scalars(stmt)}


class UploadRepository(Repository[StockUpload]):
    model = StockUpload
    label = "stock upload"
    not_found_code = "upload_not_found"
