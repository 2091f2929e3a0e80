"""Shared helpers of the platform pages: money in and out (integer fen ↔ ``¥1,234.56``), dates in the
viewer's zone, the area's error messages and flash messages, and the render call that adds them."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date, format_timedelta
from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from autotrade.core.db import utcnow
from autotrade.core.errors import AppError
from autotrade.web import render as _render
from autotrade.web.forms import field_errors
from autotrade.web.i18n import N_, Translator
from autotrade.web.money import yuan

_render.register_flashes(
    {
        "platform_transfer_confirmed": ("success", N_("Transfer confirmed: the order is paid.")),
        "platform_transfer_refunded": (
            "info",
            N_("Transfer recorded, but the order no longer waited for payment: the money is refunded."),
        ),
        "platform_dispute_decided": ("success", N_("Decision recorded. Both companies are notified.")),
        "platform_statements_generated": ("success", N_("Settlement statements generated.")),
        "platform_no_statements": ("info", N_("No supplier had anything to settle in this period.")),
        "platform_payout_recorded": ("success", N_("Payout recorded.")),
    }
)

# Service error code → message (msgid) shown next to the field (or above the form).
ERROR_MESSAGES: dict[str, str] = {
    "amount_mismatch": N_("The amount does not match the order's total."),
    "bank_reference_used": N_("This bank reference has already been confirmed."),
    "order_not_found": N_("No order matches this reference."),
    "invalid_amount": N_("This amount is not possible for this decision."),
    "refund_exceeds_escrow": N_("The order does not hold that much money in escrow."),
    "invalid_transition": N_("This dispute is no longer open."),
    "invalid_period": N_("Choose a month, or a start and end date (at most 366 days)."),
    "supplier_not_found": N_("Choose one of the listed values."),
    "payout_exceeds_payable": N_("The payout is more than the platform owes this supplier."),
    "duplicate_bank_reference": N_("This bank reference is already recorded for this supplier."),
}

# Service fields → form fields.
FIELD_NAMES = {"amount_fen": "amount"}


def parse_uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID((text or "").strip())
    except ValueError:
        return None


def parse_date(text: str | None) -> date | bool | None:
    """``YYYY-MM-DD`` → a date; None when blank; False when not a date."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return False


def message(t: Translator, exc: AppError) -> str:
    msgid = ERROR_MESSAGES.get(exc.code)
    if exc.code == "amount_mismatch" and isinstance(exc.extra.get("expected_fen"), int):
        return t.gettext(
            "The amount does not match the order's total, %(amount)s.", amount=yuan(exc.extra["expected_fen"])
        )
    if exc.code == "payout_exceeds_payable" and isinstance(exc.extra.get("payable_fen"), int):
        return t.gettext(
            "The platform owes this supplier %(amount)s; the payout cannot be more.",
            amount=yuan(exc.extra["payable_fen"]),
        )
    return t.gettext(msgid) if msgid else exc.detail


def error_of(t: Translator, exc: AppError) -> tuple[dict[str, str], str | None]:
    """A service error as (field errors, form-level error)."""
    text = message(t, exc)
    if exc.field:
        return {FIELD_NAMES.get(exc.field, exc.field): text}, None
    return {}, text


def validation_errors(t: Translator, exc: ValidationError) -> dict[str, str]:
    out = field_errors(t, exc)
    return {FIELD_NAMES.get(k, k): v for k, v in out.items()}


def fmt_date(t: Translator, value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(t.tz).date()
    return format_date(value, "medium", locale=t.lang)


def age(t: Translator, since: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in words (``3 days``, ``3天``)."""
    if since is None:
        return ""
    delta = (now or utcnow()) - since
    if delta < timedelta(minutes=1):
        delta = timedelta(minutes=1)
    return format_timedelta(delta, threshold=1.5, locale=t.lang)


def page(request: Request, template: str, db: Session, *, status_code: int = 200, **extra: Any) -> Response:
    """Render a platform template with the area's helpers in its context."""
    t = _render.translator(request, db)
    return _render.render(
        request,
        template,
        db,
        status_code=status_code,
        yuan=yuan,
        fmt_date=lambda v: fmt_date(t, v),
        age=lambda v: age(t, v),
        pl=labels(),
        **extra,
    )


FINANCE_TABS: list[tuple[str, str]] = [
    ("/platform/finance", N_("Finance overview")),
    ("/platform/finance/bank-transfers", N_("Bank transfers")),
    ("/platform/finance/reconciliation", N_("Reconciliation")),
    ("/platform/finance/settlements", N_("Statements & payouts")),
]


# ---- labels of the trading core's codes (msgids, translated where shown) ---------------------------------

STATUS_LABELS: dict[str, str] = {
    # orders
    "pending_payment": N_("Waiting for payment"),
    "paid": N_("Paid"),
    "confirmed": N_("Confirmed"),
    "partially_shipped": N_("Partly shipped"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "received": N_("Received by buyer"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    # returns
    "requested": N_("Return request open"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "shipped_back": N_("Shipped back"),
    "restocked": N_("Restocked"),
    "scrapped": N_("Scrapped"),
    # disputes
    "open": N_("Open"),
    "withdrawn": N_("Withdrawn"),
    "decided": N_("Decided"),
}

ACTION_LABELS: dict[str, str] = {
    "place": N_("placed"),
    "mark_paid": N_("paid"),
    "cancel": N_("cancelled"),
    "expire": N_("expired unpaid"),
    "confirm": N_("confirmed"),
    "ship_part": N_("shipped in part"),
    "ship": N_("shipped"),
    "deliver": N_("delivered"),
    "receive": N_("received"),
    "complete": N_("completed"),
    "auto_complete": N_("completed automatically"),
    "approve": N_("approved"),
    "reject": N_("rejected"),
    "restock": N_("restocked"),
    "scrap": N_("scrapped"),
    "open": N_("opened"),
    "withdraw": N_("withdrawn"),
    "decide": N_("decided"),
}

SUBJECT_LABELS: dict[str, str] = {
    "order": N_("Order"),
    "shipment": N_("Shipment"),
    "return": N_("Goods return"),
    "dispute": N_("Dispute"),
}

PARTY_LABELS: dict[str, str] = {
    "buyer": N_("Buyer"),
    "supplier": N_("Supplier"),
    "platform": N_("Platform"),
    "system": N_("System"),
}

DECISION_LABELS: dict[str, str] = {
    "release": N_("Release to supplier"),
    "refund_partial": N_("Partial refund"),
    "refund_full": N_("Full refund"),
}


def labels() -> dict[str, dict[str, str]]:
    return {
        "statuses": STATUS_LABELS,
        "actions": ACTION_LABELS,
        "subjects": SUBJECT_LABELS,
        "parties": PARTY_LABELS,
        "decisions": DECISION_LABELS,
    }
