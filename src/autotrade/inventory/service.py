"""inventory: stock rules — the contract orders use (docs/trading.md "inventory") plus receipts and
adjustments. Quantities change only in SQL (``StockRepository.apply``), each change with its movement
rows; services flush, never commit.

``reserve``/``release``/``ship``/``restock`` run on the buyer's behalf (the rows belong to the
supplier): they are all-or-nothing per call, lock rows in ascending (warehouse_id, part_id) order, and
cost one statement on PostgreSQL whatever the number of lines.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from autotrade.audit.service import record_event
from autotrade.core.errors import ValidationFailed
from autotrade.core.tenancy import current_principal
from autotrade.inventory.errors import (
    BelowReserved,
    InsufficientStock,
    InvalidQuantity,
    PartNotFound,
    ReservationMismatch,
    StockLevelNotFound,
    WarehouseCodeTaken,
    WarehouseInUse,
    WarehouseNotFound,
)
from autotrade.inventory.models import MovementKind, StockLevel, Warehouse
from autotrade.inventory.repository import Actor, Change, Key, StockRepository, WarehouseRepository
from autotrade.inventory.schemas import WarehouseIn, WarehouseUpdate

Reference = uuid.UUID | str | None


@dataclass(frozen=True)
class StockLine:
    """One warehouse's share of an order line."""

    warehouse_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class Availability:
    org_id: uuid.UUID
    warehouse_id: uuid.UUID
    part_id: uuid.UUID
    available: int
    latitude: float | None
    longitude: float | None
    province: str
    city: str
    service_radius_km: int


def actor_of(session: Session) -> Actor:
    """Who is changing stock: the session's principal, else the CLI/job label (``session.info``)."""
    p = current_principal(session)
    if p is not None:
        return Actor(label=p.actor_label[:200], user_id=p.user_id)
    uid = session.info.get("actor_user_id")
    return Actor(
        label=str(session.info.get("actor_label", "system"))[:200],
        user_id=uid if isinstance(uid, uuid.UUID) else None,
    )


def _ref(reference_id: Reference) -> str | None:
    return None if reference_id is None else str(reference_id)


def _check_quantity(q: Any, field: str = "quantity") -> int:
    if isinstance(q, bool) or not isinstance(q, int) or q <= 0:
        raise InvalidQuantity(f"quantity must be a positive whole number, got {q!r}", field=field)
    return q


def _merge(lines: Iterable[StockLine]) -> dict[Key, int]:
    merged: dict[Key, int] = {}
    for line in lines:
        key = (line.warehouse_id, line.part_id)
        merged[key] = merged.get(key, 0) + _check_quantity(line.quantity)
    return merged


def _key_dict(key: Key) -> dict[str, str]:
    return {"part_id": str(key[1]), "warehouse_id": str(key[0])}


# ---- marketplace read --------------------------------------------------------------------------------


def availability(
    session: Session, part_ids: Iterable[uuid.UUID], *, org_ids: Iterable[uuid.UUID] | None = None
) -> list[Availability]:
    """Every active warehouse with available > 0 for these parts (one query; quantities only)."""
    rows = StockRepository(session).availability(
        list(dict.fromkeys(part_ids)), None if org_ids is None else list(org_ids)
    )
    return [
        Availability(
            org_id=r.org_id,
            warehouse_id=r.warehouse_id,
            part_id=r.part_id,
            available=r.available,
            latitude=r.latitude,
            longitude=r.longitude,
            province=r.province,
            city=r.city,
            service_radius_km=r.service_radius_km,
        )
        for r in rows
    ]


# ---- the order contract (on the buyer's behalf) --------------------------------------------------------


def _apply(
    session: Session,
    changes: Sequence[Change],
    *,
    reason: str | None,
    reference_type: str | None,
    reference_id: Reference,
) -> dict[Key, tuple[int, int]] | None:
    """Apply all changes; None when done, else the locked rows' (on_hand, reserved) before."""
    if not changes:
        return None
    applied = StockRepository(session).apply(
        changes,
        actor=actor_of(session),
        reason=reason,
        reference_type=reference_type,
        reference_id=_ref(reference_id),
    )
    return None if applied.ok else applied.before


def reserve(
    session: Session, lines: Sequence[StockLine], *, reference_type: str, reference_id: Reference
) -> None:
    """reserved += q on every line if each has available >= q; else one InsufficientStock listing every
    short line (nothing changes)."""
    merged = _merge(lines)
    changes = [Change(w, p, 0, q, MovementKind.reservation) for (w, p), q in merged.items()]
    before = _apply(session, changes, reason=None, reference_type=reference_type, reference_id=reference_id)
    if before is None:
        return
    errors = []
    for key, q in sorted(merged.items()):
        on_hand, reserved = before.get(key, (0, 0))
        if on_hand - reserved < q:
            errors.append({**_key_dict(key), "requested": q, "available": on_hand - reserved})
    raise InsufficientStock(errors)


def _reserved_failure(merged: dict[Key, int], before: dict[Key, tuple[int, int]]) -> ReservationMismatch:
    errors = []
    for key, q in sorted(merged.items()):
        reserved = before.get(key, (0, 0))[1]
        if reserved < q:
            errors.append({**_key_dict(key), "requested": q, "reserved": reserved})
    return ReservationMismatch(errors)


def release(
    session: Session, lines: Sequence[StockLine], *, reference_type: str, reference_id: Reference
) -> None:
    """reserved -= q (a cancelled or changed order); more than reserved raises ReservationMismatch."""
    merged = _merge(lines)
    changes = [Change(w, p, 0, -q, MovementKind.release) for (w, p), q in merged.items()]
    before = _apply(session, changes, reason=None, reference_type=reference_type, reference_id=reference_id)
    if before is not None:
        raise _reserved_failure(merged, before)


def ship(
    session: Session, lines: Sequence[StockLine], *, reference_type: str, reference_id: Reference
) -> None:
    """on_hand -= q and reserved -= q (the reserved goods leave the warehouse)."""
    merged = _merge(lines)
    changes = [Change(w, p, -q, -q, MovementKind.shipment) for (w, p), q in merged.items()]
    before = _apply(session, changes, reason=None, reference_type=reference_type, reference_id=reference_id)
    if before is not None:
        raise _reserved_failure(merged, before)


def restock(
    session: Session, lines: Sequence[StockLine], *, reference_type: str, reference_id: Reference
) -> None:
    """on_hand += q (returned goods back on the shelf; the level is created if it is missing)."""
    merged = _merge(lines)
    repo = StockRepository(session)
    repo.ensure_levels(merged)
    changes = [Change(w, p, q, 0, MovementKind.return_) for (w, p), q in merged.items()]
    before = _apply(session, changes, reason=None, reference_type=reference_type, reference_id=reference_id)
    if before is not None:
        missing = [k for k in merged if k not in before]
        raise StockLevelNotFound(
            "no such warehouse for a returned line", errors=[_key_dict(k) for k in sorted(missing)]
        )


# ---- the owner's changes ---------------------------------------------------------------------------------


def _own_warehouse(session: Session, warehouse_id: uuid.UUID) -> Warehouse:
    wh = WarehouseRepository(session).get(warehouse_id)
    if wh is None:
        raise WarehouseNotFound(field="warehouse_id")
    return wh


def _existing_part(session: Session, part_id: uuid.UUID) -> None:
    if not StockRepository(session).parts_by_id([part_id]):
        raise PartNotFound(field="part_id")


def _level(session: Session, key: Key) -> StockLevel:
    level = StockRepository(session).get_level(*key)
    if level is None:  # pragma: no cover - the level was just ensured
        raise StockLevelNotFound()
    return level


def receive(
    session: Session,
    warehouse_id: uuid.UUID,
    part_id: uuid.UUID,
    quantity: int,
    reason: str | None = None,
    reference_type: str | None = None,
    reference_id: Reference = None,
) -> StockLevel:
    """A receipt into one of the caller's warehouses: on_hand += quantity (the level is created when
    missing, by an upsert that is safe under concurrency)."""
    q = _check_quantity(quantity)
    _own_warehouse(session, warehouse_id)
    _existing_part(session, part_id)
    key = (warehouse_id, part_id)
    StockRepository(session).ensure_levels([key])
    before = _apply(
        session,
        [Change(warehouse_id, part_id, q, 0, MovementKind.receipt)],
        reason=reason,
        reference_type=reference_type,
        reference_id=reference_id,
    )
    if before is not None:  # pragma: no cover - a receipt cannot break a constraint
        raise StockLevelNotFound()
    return _level(session, key)


def adjust(
    session: Session,
    warehouse_id: uuid.UUID,
    part_id: uuid.UUID,
    *,
    reason: str,
    on_hand: int | None = None,
    delta: int | None = None,
    reference_type: str | None = None,
    reference_id: Reference = None,
) -> StockLevel:
    """Correct on_hand (a stock count): set it (``on_hand``) or change it by ``delta``; an adjustment
    movement records the difference with its reason. On hand never goes below what is reserved."""
    if (on_hand is None) == (delta is None):
        raise ValidationFailed("give either on_hand or delta", field="on_hand", code="on_hand_or_delta")
    if not reason or not reason.strip():
        raise ValidationFailed("an adjustment needs a reason", field="reason", code="required")
    if on_hand is not None and (isinstance(on_hand, bool) or not isinstance(on_hand, int) or on_hand < 0):
        raise InvalidQuantity("on_hand must be a whole number >= 0", field="on_hand")
    _own_warehouse(session, warehouse_id)
    _existing_part(session, part_id)
    key = (warehouse_id, part_id)
    repo = StockRepository(session)
    repo.ensure_levels([key])
    _, _, current_on_hand, reserved = repo.current([key], lock=True)[key]
    change = (on_hand - current_on_hand) if on_hand is not None else int(delta or 0)
    target = current_on_hand + change
    if target < reserved:
        raise BelowReserved(
            f"on hand would be {target}, below the {reserved} reserved",
            field="on_hand" if on_hand is not None else "delta",
            errors=[{**_key_dict(key), "on_hand": target, "reserved": reserved}],
        )
    if change:
        before = _apply(
            session,
            [Change(warehouse_id, part_id, change, 0, MovementKind.adjustment)],
            reason=reason.strip()[:300],
            reference_type=reference_type,
            reference_id=reference_id,
        )
        if before is not None:  # pragma: no cover - the row is locked and was checked
            raise BelowReserved(field="on_hand")
    return _level(session, key)


def transfer(
    session: Session,
    *,
    from_key: Key,
    to_key: Key,
    quantity: int,
    reference_type: str,
    reference_id: Reference,
) -> None:
    """Move stock between two warehouses (possibly of two companies): transfer_out + transfer_in in one
    statement, conditional on the source's availability."""
    q = _check_quantity(quantity)
    StockRepository(session).ensure_levels([to_key])
    changes = [
        Change(*from_key, -q, 0, MovementKind.transfer_out),
        Change(*to_key, q, 0, MovementKind.transfer_in),
    ]
    before = _apply(session, changes, reason=None, reference_type=reference_type, reference_id=reference_id)
    if before is not None:
        on_hand, reserved = before.get(from_key, (0, 0))
        raise InsufficientStock([{**_key_dict(from_key), "requested": q, "available": on_hand - reserved}])


def set_threshold(session: Session, level_id: uuid.UUID, threshold: int | None) -> StockLevel:
    """Set (or clear) the low-stock threshold of one of the caller's levels; audited as an event."""
    if threshold is not None and (isinstance(threshold, bool) or threshold < 0):
        raise InvalidQuantity("the threshold is a whole number >= 0", field="low_stock_threshold")
    level = StockRepository(session).refresh(level_id)
    if level is None:
        raise StockLevelNotFound()
    old = level.low_stock_threshold
    if old != threshold:
        level.low_stock_threshold = threshold
        session.flush()
        record_event(
            session,
            "inventory.threshold",
            entity_type="stock_levels",
            entity_id=level.id,
            org_id=level.org_id,
            after={"low_stock_threshold": threshold, "previous": old},
        )
        session.flush()
    return level


# ---- warehouses ------------------------------------------------------------------------------------------


def _code_free(session: Session, org_id: uuid.UUID, code: str, *, except_id: uuid.UUID | None = None) -> None:
    other = WarehouseRepository(session).by_code(code, org_id=org_id)
    if other is not None and other.id != except_id:
        raise WarehouseCodeTaken(f"warehouse code {code!r} is already used", field="code")


def create_warehouse(session: Session, org_id: uuid.UUID, data: WarehouseIn) -> Warehouse:
    _code_free(session, org_id, data.code)
    wh = Warehouse(org_id=org_id, **data.model_dump())
    return WarehouseRepository(session).add(wh)


def get_warehouse(session: Session, warehouse_id: uuid.UUID) -> Warehouse:
    wh = WarehouseRepository(session).get(warehouse_id)
    if wh is None:
        raise WarehouseNotFound()
    return wh


def update_warehouse(session: Session, warehouse_id: uuid.UUID, data: WarehouseUpdate) -> Warehouse:
    wh = get_warehouse(session, warehouse_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("code", "name", "province", "city", "address", "service_radius_km", "active"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be empty", field=name, code="required")
    if "code" in changes and changes["code"] != wh.code:
        _code_free(session, wh.org_id, changes["code"], except_id=wh.id)
    for name, value in changes.items():
        setattr(wh, name, value)
    session.flush()
    return wh


def delete_warehouse(session: Session, warehouse_id: uuid.UUID) -> None:
    """Only an empty warehouse (no stock levels ever) can be deleted; deactivate the others."""
    wh = get_warehouse(session, warehouse_id)
    if StockRepository(session).warehouse_has_levels(wh.id):
        raise WarehouseInUse("the warehouse has stock history: deactivate it instead", field="warehouse_id")
    session.delete(wh)
    session.flush()
