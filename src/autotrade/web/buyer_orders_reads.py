"""The reads behind the buyer's order page (area ``buyer_orders``), shared by the modules that show it
again after a failed action."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from autotrade.catalog.repository import PartRepository
from autotrade.core.crypto import mask
from autotrade.core.db import utcnow
from autotrade.core.pagination import paginate
from autotrade.core.tenancy import Principal
from autotrade.credit.repository import CreditInvoiceRepository
from autotrade.credit.terms import days_overdue, effective_status
from autotrade.escrow import service as escrow
from autotrade.orders import service as orders
from autotrade.orders.models import Order
from autotrade.orders.repository import OrderRepository, ReturnRepository
from autotrade.orgs.repository import OrgRepository
from autotrade.payments.models import Payment
from autotrade.payments.repository import PaymentRepository
from autotrade.settlement.repository import InvoiceRepository
from autotrade.web.buyer_orders_common import DISPUTE_REASONS


def order_context(db: Session, p: Principal, order: Order) -> dict[str, Any]:
    """Everything the order page shows, in a fixed number of queries."""
    repo = OrderRepository(db)
    lines = repo.lines([order.id])
    allocations = repo.allocations([order.id])
    shipments = repo.shipments(order.id)
    ship_lines = repo.shipment_lines([s.id for s in shipments])
    rets = repo.returns_of(order.id)
    ret_lines = ReturnRepository(db).lines([r.id for r in rets])
    parts = {
        part.id: (part, brand) for part, brand, _ in PartRepository(db).with_names([x.part_id for x in lines])
    }
    warehouses = repo.allocation_warehouses(
        [a.warehouse_id for a in allocations] + [x.warehouse_id for x in ship_lines]
    )
    payments: list[Payment] = []
    if p.can("payments:view"):
        payments, _ = paginate(
            db, PaymentRepository(db).listing(order_id=order.id), Payment.id, cursor=None, limit=20
        )
    credit_invoice = CreditInvoiceRepository(db).for_order(order.id) if order.paid_at else None
    now = utcnow()
    return {
        "order": order,
        "ship_phone": order.ship_phone if p.can("pii:view") else mask(order.ship_phone, "phone"),
        "supplier": OrgRepository(db)
        .names_any_tenant([order.supplier_org_id])
        .get(order.supplier_org_id, ""),
        "lines": lines,
        "line_by_id": {x.id: x for x in lines},
        "parts": parts,
        "allocations": {x.id: [a for a in allocations if a.line_id == x.id] for x in lines},
        "warehouses": warehouses,
        "shipments": [(s, [x for x in ship_lines if x.shipment_id == s.id]) for s in shipments],
        "returns": [(r, [x for x in ret_lines if x.return_id == r.id]) for r in reversed(rets)],
        "disputes": list(reversed(repo.disputes_of(order.id))),
        "timeline": repo.timeline(order.id),
        "escrow": escrow.view(db, order) if order.paid_at else None,
        "payments": payments,
        "credit_invoice": credit_invoice,
        "credit_status": effective_status(credit_invoice, now).value if credit_invoice else None,
        "credit_days_overdue": days_overdue(credit_invoice, now) if credit_invoice else 0,
        "vat_invoice": InvoiceRepository(db).open_for_order(order.id),
        "actions": orders.buyer_actions(db, order),
        "returnable": {x.id: x.received_quantity - x.returned_quantity for x in lines},
        "reasons": list(DISPUTE_REASONS),
    }
