"""Requisition lists (采购清单): a company's named, saved lists of parts and quantities that a shop
reorders from in one call. Reordering resolves every line again now — prices and stock change week to
week — and reports each line like a quick order; the resolved ones go to the caller's cart.

Lists belong to the caller's org (company or branch); names are unique per org. A line may name a
preferred offer: tried first on reorder, the best other offer when it cannot deliver.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.cart import service as carts
from autotrade.cart.errors import (
    CartEmpty,
    ListFull,
    ListNameTaken,
    RequisitionLineNotFound,
    RequisitionListNotFound,
    UnknownPart,
)
from autotrade.cart.models import LineSource, RequisitionLine, RequisitionList
from autotrade.cart.repository import CartRepository, RequisitionRepository
from autotrade.cart.resolution import Resolver, Result, Wanted
from autotrade.cart.schemas import (
    RequisitionLineIn,
    RequisitionLinePatch,
    RequisitionListIn,
    RequisitionListPatch,
    SaveCartIn,
)
from autotrade.core.tenancy import Principal

MAX_LIST_LINES = 500


def get(session: Session, list_id: uuid.UUID) -> RequisitionList:
    found = RequisitionRepository(session).get(list_id)
    if found is None:
        raise RequisitionListNotFound(f"no requisition list {list_id}")
    return found


def _name_free(session: Session, org_id: uuid.UUID, name: str, *, except_id: uuid.UUID | None = None) -> None:
    found = RequisitionRepository(session).by_name(org_id, name)
    if found is not None and found.id != except_id:
        raise ListNameTaken(f"a requisition list named {name!r} exists", field="name")


def _parts_of(session: Session, p: Principal, lines: Sequence[RequisitionLineIn]) -> list[uuid.UUID]:
    """The part each input line names: a part id, a SKU, or a number (a number several parts carry:
    the part that quick order would choose now)."""
    carts.check_refs(session, [(f"lines[{i}].", ln.part_id, ln.offer_id) for i, ln in enumerate(lines)])
    wanted = [
        carts.wanted_for(ln, line=i, quantity=ln.quantity, offer_id=None, mode="best")
        for i, ln in enumerate(lines)
    ]
    results = Resolver(session, p).resolve(wanted)
    out = []
    for i, r in enumerate(results):
        if r.part is None:
            raise UnknownPart(
                f"no part carries the number {lines[i].number!r}", field=f"lines[{i}]", code="unknown_number"
            )
        offer_id = lines[i].offer_id
        if offer_id is not None:
            carts.check_refs(session, [(f"lines[{i}].", r.part.id, offer_id)])
        out.append(r.part.id)
    return out


def _add_lines(
    session: Session, lst: RequisitionList, items: Sequence[tuple[uuid.UUID, int, uuid.UUID | None]]
) -> None:
    existing = {ln.part_id: ln for ln in RequisitionRepository(session).lines([lst.id])[lst.id]}
    for part_id, quantity, offer_id in items:
        line = existing.get(part_id)
        if line is None:
            line = RequisitionLine(
                org_id=lst.org_id,
                list_id=lst.id,
                position=max((ln.position for ln in existing.values()), default=0) + 1,
                part_id=part_id,
                quantity=quantity,
                offer_id=offer_id,
            )
            session.add(line)
            existing[part_id] = line
        else:
            line.quantity += quantity
            if offer_id is not None:
                line.offer_id = offer_id
        label(line, "requisition.add_line")
    if len(existing) > MAX_LIST_LINES:
        raise ListFull(f"a requisition list holds at most {MAX_LIST_LINES} lines", field="lines")
    session.flush()


def create(session: Session, p: Principal, data: RequisitionListIn) -> RequisitionList:
    _name_free(session, p.org_id, data.name)
    parts = _parts_of(session, p, data.lines)
    lst = RequisitionList(org_id=p.org_id, name=data.name, note=data.note, created_by_id=p.user_id)
    session.add(lst)
    session.flush()
    _add_lines(
        session, lst, [(pid, ln.quantity, ln.offer_id) for pid, ln in zip(parts, data.lines, strict=True)]
    )
    return lst


def update(session: Session, p: Principal, list_id: uuid.UUID, data: RequisitionListPatch) -> RequisitionList:
    lst = get(session, list_id)
    if data.name is not None and data.name != lst.name:
        _name_free(session, lst.org_id, data.name, except_id=lst.id)
        lst.name = data.name
    if "note" in data.model_fields_set:
        lst.note = data.note
    label(lst, "requisition.update")
    session.flush()
    return lst


def delete(session: Session, list_id: uuid.UUID) -> None:
    lst = get(session, list_id)
    for ln in RequisitionRepository(session).lines([lst.id])[lst.id]:
        session.delete(ln)
    label(lst, "requisition.delete")
    session.delete(lst)
    session.flush()


def add_line(session: Session, p: Principal, list_id: uuid.UUID, data: RequisitionLineIn) -> RequisitionLine:
    lst = get(session, list_id)
    (part_id,) = _parts_of(session, p, [data])
    _add_lines(session, lst, [(part_id, data.quantity, data.offer_id)])
    line = next(ln for ln in RequisitionRepository(session).lines([lst.id])[lst.id] if ln.part_id == part_id)
    return line


def _line(session: Session, list_id: uuid.UUID, line_id: uuid.UUID) -> RequisitionLine:
    get(session, list_id)
    line = RequisitionRepository(session).line(list_id, line_id)
    if line is None:
        raise RequisitionLineNotFound(f"no line {line_id} in this requisition list")
    return line


def update_line(
    session: Session, list_id: uuid.UUID, line_id: uuid.UUID, data: RequisitionLinePatch
) -> RequisitionLine:
    line = _line(session, list_id, line_id)
    if "offer_id" in data.model_fields_set:
        carts.check_refs(session, [("", line.part_id, data.offer_id)])
        line.offer_id = data.offer_id
    if data.quantity is not None:
        line.quantity = data.quantity
    label(line, "requisition.update_line")
    session.flush()
    return line


def delete_line(session: Session, list_id: uuid.UUID, line_id: uuid.UUID) -> None:
    line = _line(session, list_id, line_id)
    label(line, "requisition.remove_line")
    session.delete(line)
    session.flush()


def save_cart(session: Session, p: Principal, data: SaveCartIn) -> RequisitionList:
    """The caller's cart as a new list (each line's chosen offer becomes the preferred one)."""
    cart = carts.find_cart(session, p)
    lines = CartRepository(session).lines(cart.id) if cart else []
    if not lines:
        raise CartEmpty("the cart is empty: nothing to save")
    _name_free(session, p.org_id, data.name)
    lst = RequisitionList(org_id=p.org_id, name=data.name, note=data.note, created_by_id=p.user_id)
    session.add(lst)
    session.flush()
    _add_lines(session, lst, [(ln.part_id, ln.quantity, ln.offer_id) for ln in lines])
    return lst


def reorder(
    session: Session, p: Principal, list_id: uuid.UUID, *, dry_run: bool
) -> tuple[list[tuple[RequisitionLine, Result]], dict[int, uuid.UUID]]:
    """Resolve every line of the list now (the preferred offer first) and, unless ``dry_run``, add the
    resolved ones to the caller's cart. Lines are numbered 1… in list order."""
    lst = get(session, list_id)
    lines = RequisitionRepository(session).lines([lst.id])[lst.id]
    if not lines:
        raise CartEmpty("this requisition list has no lines", code="requisition_list_empty")
    wanted = [
        Wanted(
            line=i,
            raw=str(ln.part_id),
            part_id=ln.part_id,
            quantity=ln.quantity,
            offer_id=ln.offer_id,
            offer_mode="prefer" if ln.offer_id else "best",
        )
        for i, ln in enumerate(lines, start=1)
    ]
    results = Resolver(session, p).resolve(wanted)
    for r in results:
        if r.part is not None:
            r.input = r.part.sku
    added = {} if dry_run else carts.add_results(session, p, results, LineSource.requisition)
    return list(zip(lines, results, strict=True)), added
