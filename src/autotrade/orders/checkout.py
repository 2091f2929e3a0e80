"""Checkout: lines of any suppliers → one order per supplier, priced, allocated, reserved; all or nothing.

The hot path of the platform (bench/orders.py, bench/checkout_profile.py). Its statements, whatever the
number of lines: one ``quote_many`` (a fixed few queries), one ``availability`` query, one multi-row
INSERT per table (orders, lines, allocations, timeline, outbox) plus one for their audit entries — plain
INSERTs of complete rows through ``audit.insert_rows``, not the ORM unit of work, which cost more than
the rest of the checkout — and one ``reserve`` call (conditional UPDATEs in a fixed lock order, then its
movement rows). The inserts come *before* the reservation so the stock rows stay locked only for the
reservation itself and the commit. Stock is never read and written back from Python: a shortage between
the availability read and the reservation is caught by the reservation's conditional UPDATE, and the
whole transaction rolls back.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from autotrade.audit.service import insert_rows
from autotrade.core.db import utcnow, uuid7
from autotrade.core.errors import ValidationFailed
from autotrade.core.settings import get_settings
from autotrade.core.tenancy import Principal
from autotrade.events import service as events
from autotrade.events.models import OutboxEvent
from autotrade.inventory import service as inventory
from autotrade.inventory.errors import InsufficientStock
from autotrade.orders.allocation import Need, Place, Stock, allocate
from autotrade.orders.errors import DuplicateLine, EmptyCheckout, OwnOffer, TooManyLines
from autotrade.orders.models import Order, OrderAllocation, OrderEvent, OrderLine, OrderStatus, Party
from autotrade.orders.schemas import MAX_LINES, ShipTo
from autotrade.orders.states import Actor, event_values
from autotrade.orgs.repository import OrgRepository
from autotrade.pricing.service import Quote, QuoteRequest, quote_many

CHINA_TIME = timezone(timedelta(hours=8))  # order numbers carry the date as users see it
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True, slots=True)
class CheckoutLine:
    offer_id: uuid.UUID
    quantity: int


@dataclass
class PlacedOrder:
    order: Order
    lines: list[OrderLine] = field(default_factory=list)
    allocations: list[OrderAllocation] = field(default_factory=list)


@dataclass
class CheckoutResult:
    checkout_id: uuid.UUID
    orders: list[PlacedOrder]

    @property
    def net_fen(self) -> int:
        return sum(p.order.net_fen for p in self.orders)

    @property
    def vat_fen(self) -> int:
        return sum(p.order.vat_fen for p in self.orders)

    @property
    def gross_fen(self) -> int:
        return sum(p.order.gross_fen for p in self.orders)


def order_number(now: datetime) -> str:
    """``SO20261128-0H5K2M9XQ4TA``: the date (China time), then 12 Crockford base-32 characters made
    of the millisecond of the day (27 bits) and 33 random bits. No counter row to contend on; two
    orders collide only if they fall in the same millisecond *and* draw the same 33 bits (the unique
    index would then refuse the second, which answers 409 and changes nothing)."""
    local = now.astimezone(CHINA_TIME)
    ms = (local.hour * 3600 + local.minute * 60 + local.second) * 1000 + local.microsecond // 1000
    value = (ms << 33) | secrets.randbits(33)
    chars = "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in range(11, -1, -1))
    return f"SO{local:%Y%m%d}-{chars}"


def _check_lines(lines: Sequence[CheckoutLine]) -> None:
    if not lines:
        raise EmptyCheckout(field="lines")
    if len(lines) > MAX_LINES:
        raise TooManyLines(f"at most {MAX_LINES} lines per checkout, got {len(lines)}", field="lines")
    seen: dict[uuid.UUID, int] = {}
    for i, line in enumerate(lines):
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int) or line.quantity < 1:
            raise ValidationFailed(
                "quantity must be a whole number of at least 1",
                field=f"lines[{i}].quantity",
                code="invalid_quantity",
            )
        if line.offer_id in seen:
            raise DuplicateLine(
                f"line {i} repeats the offer of line {seen[line.offer_id]}; add the quantities instead",
                field=f"lines[{i}].offer_id",
            )
        seen[line.offer_id] = i


def located(session: Session, buyer_org_id: uuid.UUID, ship_to: ShipTo) -> ShipTo:
    """``ship_to`` with the buying company's coordinates when it ships to the company's own city and
    gives none of its own: coordinates make allocation pick the nearest warehouse, not just one in the
    same city."""
    if ship_to.latitude is not None and ship_to.longitude is not None:
        return ship_to
    org = OrgRepository(session).get(buyer_org_id)
    if org is None or org.latitude is None or org.longitude is None:
        return ship_to
    if (org.province, org.city) != (ship_to.province, ship_to.city):
        return ship_to
    return ship_to.model_copy(update={"latitude": org.latitude, "longitude": org.longitude})


def _channel(principal: Principal) -> str:
    return "api" if principal.api_key_id is not None else "web"


def checkout(
    session: Session,
    principal: Principal,
    lines: Sequence[CheckoutLine],
    ship_to: ShipTo,
    *,
    note: str | None = None,
    payment_timeout_minutes: int | None = None,
    now: datetime | None = None,
) -> CheckoutResult:
    """Place one order per supplier for the buyer ``principal.org_id``, or raise and change nothing.

    Errors (problem+json, ``field`` names the line): ``empty_checkout``, ``too_many_lines`` (> 200),
    ``invalid_quantity``, ``duplicate_line``, ``own_offer``, the pricing errors (``offer_not_found``,
    ``offer_inactive``, ``below_moq``, ``not_pack_multiple``) and ``insufficient_stock`` (409, every
    short line in ``errors``)."""
    _check_lines(lines)
    ship_to = located(session, principal.org_id, ship_to)
    now = now or utcnow()
    timeout = payment_timeout_minutes or get_settings().order_payment_timeout_minutes
    quotes = quote_many(
        session,
        buyer_org_id=principal.org_id,
        requests=[QuoteRequest(x.offer_id, x.quantity) for x in lines],
        channel=_channel(principal),
        at=now,
    )
    own = {principal.org_id, principal.root_company_id, *principal.scope}
    for i, q in enumerate(quotes):
        if q.supplier_org_id in own:
            raise OwnOffer(f"line {i}: the offer is your own company's", field=f"lines[{i}].offer_id")

    stock = inventory.availability(
        session, [q.part_id for q in quotes], org_ids={q.supplier_org_id for q in quotes}
    )
    place = Place(ship_to.province, ship_to.city, ship_to.latitude, ship_to.longitude)
    by_supplier: dict[uuid.UUID, list[int]] = {}
    for i, q in enumerate(quotes):
        by_supplier.setdefault(q.supplier_org_id, []).append(i)
    stock_of: dict[uuid.UUID, list[Stock]] = {}
    for a in stock:
        stock_of.setdefault(a.org_id, []).append(
            Stock(a.warehouse_id, a.part_id, a.available, a.province, a.city, a.latitude, a.longitude)
        )
    allocated: dict[int, list[tuple[uuid.UUID, int]]] = {}
    shortages = []
    for supplier, indexes in by_supplier.items():
        needs = [Need(i, quotes[i].part_id, quotes[i].quantity) for i in indexes]
        got, short = allocate(needs, stock_of.get(supplier, ()), place)
        allocated.update(got)
        shortages.extend(short)
    if shortages:
        errors = [
            {
                "index": s.key,
                "field": f"lines[{s.key}].quantity",
                "offer_id": str(quotes[s.key].offer_id),
                "part_id": str(s.part_id),
                "requested": s.requested,
                "available": s.available,
            }
            for s in sorted(shortages, key=lambda s: s.key)
        ]
        raise InsufficientStock(errors, detail=f"not enough stock for {len(errors)} line(s)")

    checkout_id = uuid7()
    actor = Actor(frozenset({Party.buyer}), principal.actor_label, principal.user_id)
    result = CheckoutResult(checkout_id, [])
    orders: list[dict[str, Any]] = []
    lines_rows: list[dict[str, Any]] = []
    allocation_rows: list[dict[str, Any]] = []
    timeline: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    for supplier, indexes in by_supplier.items():
        order, order_lines, allocations = _order(
            principal,
            supplier,
            [(i, quotes[i]) for i in indexes],
            allocated,
            ship_to,
            note,
            checkout_id,
            now,
            timeout,
        )
        orders.append(order)
        lines_rows.extend(order_lines)
        allocation_rows.extend(allocations)
        timeline.append(
            event_values(
                order["id"],
                "order",
                order["id"],
                "place",
                None,
                OrderStatus.pending_payment.value,
                Party.buyer,
                actor,
                at=now,
            )
        )
        outbox.extend(
            events.outbox_rows(
                "order.created",
                org_ids=(order["org_id"], order["supplier_org_id"]),
                subject_type="order",
                subject_id=order["id"],
                payload={
                    "order_id": order["id"],
                    "number": order["number"],
                    "checkout_id": checkout_id,
                    "status": order["status"],
                    "buyer_org_id": order["org_id"],
                    "supplier_org_id": order["supplier_org_id"],
                    "currency": order["currency"],
                    "gross_fen": order["gross_fen"],
                },
            )
        )
        result.orders.append(
            PlacedOrder(
                Order(**order),
                [OrderLine(**x) for x in order_lines],
                [OrderAllocation(**x) for x in allocations],
            )
        )
    # Plain multi-row INSERTs (no unit of work: the rows are new and complete), audited like a flush.
    insert_rows(
        session,
        (Order, orders),
        (OrderLine, lines_rows),
        (OrderAllocation, allocation_rows),
        (OrderEvent, timeline),
        (OutboxEvent, outbox),
    )
    inventory.reserve(
        session,
        [inventory.StockLine(a["warehouse_id"], a["part_id"], a["quantity"]) for a in allocation_rows],
        reference_type="checkout",
        reference_id=checkout_id,
    )
    return result


def _order(
    principal: Principal,
    supplier: uuid.UUID,
    quoted: list[tuple[int, Quote]],
    allocated: dict[int, list[tuple[uuid.UUID, int]]],
    ship_to: ShipTo,
    note: str | None,
    checkout_id: uuid.UUID,
    now: datetime,
    timeout_minutes: int,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """One supplier's order, its lines and their allocations, as column values."""
    currencies = {q.currency for _, q in quoted}
    if len(currencies) > 1:  # one supplier prices in one currency; refuse rather than add CNY to USD
        raise ValidationFailed(
            "one supplier's offers must share a currency",
            field=f"lines[{quoted[0][0]}].offer_id",
            code="mixed_currency",
        )
    order_id = uuid7()
    order = {
        "id": order_id,
        "org_id": principal.org_id,
        "supplier_org_id": supplier,
        "number": order_number(now),
        "checkout_id": checkout_id,
        "placed_by_id": principal.user_id,
        "status": OrderStatus.pending_payment,
        "channel": _channel(principal),
        "currency": currencies.pop(),
        "net_fen": sum(q.net_fen for _, q in quoted),
        "vat_fen": sum(q.vat_fen for _, q in quoted),
        "gross_fen": sum(q.gross_fen for _, q in quoted),
        "ship_province": ship_to.province,
        "ship_city": ship_to.city,
        "ship_address": ship_to.address,
        "ship_contact": ship_to.contact,
        "ship_phone": ship_to.phone,
        "ship_latitude": ship_to.latitude,
        "ship_longitude": ship_to.longitude,
        "buyer_note": note,
        "placed_at": now,
        "payment_due_at": now + timedelta(minutes=timeout_minutes),
        "created_at": now,
        "updated_at": now,
    }
    lines: list[dict[str, Any]] = []
    allocations: list[dict[str, Any]] = []
    for i, q in quoted:
        line_id = uuid7()
        lines.append(
            {
                "id": line_id,
                "order_id": order_id,
                "position": i,
                "offer_id": q.offer_id,
                "part_id": q.part_id,
                "quantity": q.quantity,
                "unit_price_fen": q.unit_price_fen,
                "net_fen": q.net_fen,
                "vat_rate_bp": q.vat_rate_bp,
                "vat_fen": q.vat_fen,
                "gross_fen": q.gross_fen,
                "pricing_rule": q.rule[:200],
                "pricing_rule_id": q.rule_id,
                "shipped_quantity": 0,
                "received_quantity": 0,
                "returned_quantity": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
        for warehouse_id, quantity in allocated[i]:
            allocations.append(
                {
                    "id": uuid7(),
                    "order_id": order_id,
                    "line_id": line_id,
                    "warehouse_id": warehouse_id,
                    "part_id": q.part_id,
                    "quantity": quantity,
                    "shipped_quantity": 0,
                    "released": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return order, lines, allocations
