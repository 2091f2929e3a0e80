"""VAT invoices (增值税专用发票 / 普通发票): buyers' tax profiles, invoice requests, issuing.

* A buyer keeps tax profiles (title, taxpayer id, address and phone, bank and account). A **special**
  invoice needs all of them; a **normal** one the title and taxpayer id.
* A request is for one paid order, or for a period: every order of the buyer from one supplier paid in
  the period. Its amount is what those orders cost net of refunds (ledger ``refund`` entries), so a
  request never invoices money that went back. One open request (requested or issued) per order, and
  none overlapping another period request of the same buyer and supplier.
* The supplier (issuer) issues it — invoice number (unique per issuer: the register of issued numbers),
  date and amount (positive, at most the requested amount) — or rejects it with a reason.
  ``requested → issued | rejected``; nothing else.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from autotrade.audit import service as audit
from autotrade.core.db import utcnow
from autotrade.core.tenancy import Principal
from autotrade.orders.models import Order
from autotrade.settlement import periods
from autotrade.settlement.errors import (
    AlreadyInvoiced,
    IncompleteTaxDetails,
    InvalidAmount,
    InvalidInvoiceDate,
    InvoiceNotFound,
    InvoiceNumberTaken,
    InvoiceTransition,
    NotInvoiceable,
    OrderNotFound,
    TaxProfileNotFound,
    WrongParty,
)
from autotrade.settlement.models import Invoice, InvoiceKind, InvoiceScope, InvoiceStatus, TaxProfile
from autotrade.settlement.repository import InvoiceRepository, TaxProfileRepository
from autotrade.settlement.schemas import InvoiceRequestIn, IssueIn, TaxProfileIn, TaxProfileUpdate

# ---- tax profiles -------------------------------------------------------------------------------------


def _only_default(session: Session, profile: TaxProfile) -> None:
    for other in TaxProfileRepository(session).defaults(profile.org_id):
        if other.id != profile.id:
            other.is_default = False


def create_profile(session: Session, principal: Principal, data: TaxProfileIn) -> TaxProfile:
    profile = TaxProfile(org_id=principal.org_id, **data.model_dump())
    session.add(profile)
    session.flush()
    if profile.is_default:
        _only_default(session, profile)
        session.flush()
    return profile


def get_profile(session: Session, profile_id: uuid.UUID) -> TaxProfile:
    found = TaxProfileRepository(session).get(profile_id)
    if found is None:
        raise TaxProfileNotFound("tax profile not found")
    return found


def update_profile(session: Session, profile_id: uuid.UUID, data: TaxProfileUpdate) -> TaxProfile:
    profile = get_profile(session, profile_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        if key in ("title", "taxpayer_id", "is_default") and value is None:
            continue
        setattr(profile, key, value)
    if profile.is_default:
        _only_default(session, profile)
    session.flush()
    return profile


def delete_profile(session: Session, profile_id: uuid.UUID) -> None:
    profile = get_profile(session, profile_id)
    if TaxProfileRepository(session).in_use(profile.id):
        raise AlreadyInvoiced(
            "invoices were requested with this profile: keep it (edit it for new requests)",
            code="tax_profile_in_use",
        )
    session.delete(profile)
    session.flush()


# ---- requests -----------------------------------------------------------------------------------------


def _net_of_refunds(repo: InvoiceRepository, orders: list[Order]) -> int:
    refunded = repo.refunded_by_order(o.id for o in orders)
    return sum(max(o.gross_fen - refunded.get(o.id, 0), 0) for o in orders)


def request(session: Session, principal: Principal, data: InvoiceRequestIn) -> Invoice:
    repo = InvoiceRepository(session)
    profile = TaxProfileRepository(session).get(data.tax_profile_id)
    if profile is None:
        raise TaxProfileNotFound("tax profile not found", field="tax_profile_id")
    if data.kind == InvoiceKind.special:
        missing = [k for k in ("address", "phone", "bank_name", "bank_account") if not getattr(profile, k)]
        if missing:
            raise IncompleteTaxDetails(
                f"a special VAT invoice needs the profile's {', '.join(missing)}",
                field="tax_profile_id",
                missing=missing,
            )
    buyer = principal.org_id
    inv = Invoice(
        org_id=buyer,
        kind=data.kind,
        tax_profile_id=profile.id,
        title=profile.title,
        taxpayer_id=profile.taxpayer_id,
        address=profile.address,
        phone=profile.phone,
        bank_name=profile.bank_name,
        bank_account=profile.bank_account,
        note=data.note,
        requested_by=principal.actor_label[:200],
        status=InvoiceStatus.requested,
    )
    if data.order_id is not None:
        if data.supplier_org_id or data.period or data.date_from or data.date_to:
            raise NotInvoiceable("give an order_id, or a supplier and a period, not both", field="order_id")
        order = repo.order(data.order_id)
        if order is None or order.org_id not in principal.scope:
            raise OrderNotFound("order not found", field="order_id")
        if order.paid_at is None:
            raise NotInvoiceable("the order is not paid", field="order_id")
        amount = _net_of_refunds(repo, [order])
        if amount <= 0:
            raise NotInvoiceable("the order was refunded in full", field="order_id")
        paid_at = order.paid_at
        if repo.open_for_order(order.id) is not None or repo.open_for_period(
            order.org_id, order.supplier_org_id, paid_at, paid_at + timedelta(microseconds=1)
        ):
            raise AlreadyInvoiced(
                "an invoice is already requested or issued for this order", field="order_id"
            )
        inv.scope, inv.order_id, inv.issuer_org_id = InvoiceScope.order, order.id, order.supplier_org_id
        inv.org_id, inv.currency, inv.amount_fen = order.org_id, order.currency, amount
    else:
        if data.supplier_org_id is None:
            raise NotInvoiceable(
                "give an order_id, or a supplier_org_id and a period", field="supplier_org_id"
            )
        period = periods.parse(data.period, data.date_from, data.date_to)
        orders = repo.buyer_orders_between(buyer, data.supplier_org_id, period.start, period.end)
        amount = _net_of_refunds(repo, list(orders))
        if not orders or amount <= 0:
            raise NotInvoiceable("no paid orders from this supplier in the period", field="supplier_org_id")
        if repo.open_for_period(buyer, data.supplier_org_id, period.start, period.end):
            raise AlreadyInvoiced(
                "an invoice already covers orders of this supplier in the period", field="period"
            )
        inv.scope, inv.issuer_org_id = InvoiceScope.period, data.supplier_org_id
        inv.period_start, inv.period_end, inv.period_label = period.start, period.end, period.label
        inv.currency, inv.amount_fen = orders[0].currency, amount
    session.add(inv)
    audit.label(inv, "invoices.request")
    session.flush()
    return inv


def get_invoice(session: Session, invoice_id: uuid.UUID, *, lock: bool = False) -> Invoice:
    repo = InvoiceRepository(session)
    found = repo.locked(invoice_id) if lock else repo.get(invoice_id)
    if found is None:
        raise InvoiceNotFound("invoice not found")
    return found


def _as_issuer(session: Session, principal: Principal, invoice_id: uuid.UUID) -> Invoice:
    inv = get_invoice(session, invoice_id, lock=True)
    if inv.issuer_org_id not in principal.scope:
        raise WrongParty("only the issuing supplier may issue or reject the invoice")
    if inv.status != InvoiceStatus.requested:
        raise InvoiceTransition(
            f"the invoice is {inv.status.value}", current_status=inv.status.value, allowed_actions=[]
        )
    return inv


def issue(session: Session, principal: Principal, invoice_id: uuid.UUID, data: IssueIn) -> Invoice:
    inv = _as_issuer(session, principal, invoice_id)
    if isinstance(data.amount_fen, bool) or data.amount_fen <= 0 or data.amount_fen > inv.amount_fen:
        raise InvalidAmount(
            f"the issued amount must be between 1 and {inv.amount_fen} fen", field="amount_fen"
        )
    earliest, today = periods.china_date(inv.created_at), periods.china_date(utcnow())
    if not earliest <= data.invoice_date <= today:
        raise InvalidInvoiceDate(
            f"the invoice date must be between the request ({earliest}) and today ({today}), China time",
            field="invoice_date",
        )
    number = data.invoice_number.upper()
    if InvoiceRepository(session).by_number(inv.issuer_org_id, number) is not None:
        raise InvoiceNumberTaken(f"invoice number {number} is already recorded", field="invoice_number")
    inv.status = InvoiceStatus.issued
    inv.invoice_number, inv.invoice_date, inv.issued_amount_fen = number, data.invoice_date, data.amount_fen
    inv.issued_at, inv.decided_by = utcnow(), principal.actor_label[:200]
    audit.label(inv, "invoices.issue")
    session.flush()
    return inv


def reject(session: Session, principal: Principal, invoice_id: uuid.UUID, reason: str) -> Invoice:
    inv = _as_issuer(session, principal, invoice_id)
    inv.status, inv.reject_reason, inv.decided_by = (
        InvoiceStatus.rejected,
        reason,
        principal.actor_label[:200],
    )
    audit.label(inv, "invoices.reject")
    session.flush()
    return inv
