"""Shared pieces of the buyer's post-checkout pages (area ``buyer_orders``): display labels, the money
format, the sub-navigation (Purchases, Returns, Invoices, Credit), error messages and the form state
a page re-renders with after an error."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.errors import AppError
from autotrade.core.tenancy import Principal
from autotrade.web import forms
from autotrade.web.i18n import N_, Translator
from autotrade.web.money import percent as bp_percent
from autotrade.web.money import yuan as money
from autotrade.web.render import render

PAGE_SIZE = 50


# ---- labels (English msgids, translated where shown) ------------------------------------------------

ORDER_STATUSES: dict[str, str] = {
    "pending_payment": N_("Awaiting payment"),
    "paid": N_("Paid"),
    "confirmed": N_("Confirmed"),
    "partially_shipped": N_("Partially shipped"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "received": N_("Received"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
}

RETURN_STATUSES: dict[str, str] = {
    "requested": N_("Return requested"),
    "approved": N_("Return approved"),
    "rejected": N_("Return rejected"),
    "cancelled": N_("Return cancelled"),
    "shipped_back": N_("Shipped back"),
    "received": N_("Received by the supplier"),
    "restocked": N_("Restocked"),
    "scrapped": N_("Scrapped"),
}

DISPUTE_STATUSES: dict[str, str] = {
    "open": N_("Under review"),
    "withdrawn": N_("Withdrawn"),
    "decided": N_("Decided"),
}

DISPUTE_DECISIONS: dict[str, str] = {
    "release": N_("Release the payment to the supplier"),
    "refund_partial": N_("Partial refund"),
    "refund_full": N_("Full refund"),
}

# Dispute reasons offered in the form; the chosen label and the description make the dispute's text.
DISPUTE_REASONS: dict[str, str] = {
    "damaged": N_("Goods damaged"),
    "wrong_part": N_("Wrong part delivered"),
    "short": N_("Quantity short"),
    "quality": N_("Quality problem"),
    "not_delivered": N_("Not delivered"),
    "other": N_("Other"),
}

PARTIES: dict[str, str] = {
    "buyer": N_("Buyer"),
    "supplier": N_("Supplier"),
    "platform": N_("Platform"),
    "system": N_("System"),
}

# Timeline entries: (subject type, action) → what happened.
TIMELINE_ACTIONS: dict[tuple[str, str], str] = {
    ("order", "place"): N_("Order placed"),
    ("order", "mark_paid"): N_("Payment received"),
    ("order", "cancel"): N_("Order cancelled"),
    ("order", "expire"): N_("Cancelled: not paid in time"),
    ("order", "confirm"): N_("Confirmed by the supplier"),
    ("shipment", "ship_part"): N_("Partial shipment sent"),
    ("shipment", "ship"): N_("Shipment sent"),
    ("order", "deliver"): N_("Delivered"),
    ("order", "receive"): N_("Receiving inspection done"),
    ("order", "complete"): N_("Completion confirmed"),
    ("order", "auto_complete"): N_("Completed automatically"),
    ("return", "request"): N_("Return requested"),
    ("return", "approve"): N_("Return approved"),
    ("return", "reject"): N_("Return rejected"),
    ("return", "cancel"): N_("Return cancelled"),
    ("return", "ship"): N_("Return shipped back"),
    ("return", "receive"): N_("Returned goods received by the supplier"),
    ("return", "restock"): N_("Returned goods restocked"),
    ("return", "scrap"): N_("Returned goods scrapped"),
    ("dispute", "open"): N_("Dispute opened"),
    ("dispute", "withdraw"): N_("Dispute withdrawn"),
    ("dispute", "decide"): N_("Dispute decided"),
}

PAYMENT_PROVIDERS: dict[str, str] = {
    "bank_transfer": N_("Bank transfer"),
    "gateway": N_("Online payment"),
    "credit": N_("On credit"),
}

PAYMENT_STATUSES: dict[str, str] = {
    "pending": N_("Waiting for the money"),
    "succeeded": N_("Succeeded"),
    "failed": N_("Failed"),
    "cancelled": N_("Payment cancelled"),
    "refunded": N_("Refunded"),
    "partially_refunded": N_("Partly refunded"),
}

REFUND_CAUSES: dict[str, str] = {
    "cancellation": N_("Order cancelled"),
    "return": N_("Return received"),
    "dispute": N_("Dispute decided"),
}

RELEASE_TRIGGERS: dict[str, str] = {
    "completion": N_("Completion confirmed"),
    "auto": N_("Completed automatically"),
    "dispute": N_("Dispute decided"),
}

INVOICE_KINDS: dict[str, str] = {
    "normal": N_("Normal VAT invoice"),
    "special": N_("Special VAT invoice"),
}

INVOICE_STATUSES: dict[str, str] = {
    "requested": N_("Invoice requested"),
    "issued": N_("Issued"),
    "rejected": N_("Invoice rejected"),
}

CREDIT_LINE_STATUSES: dict[str, str] = {
    "active": N_("Active"),
    "suspended": N_("Suspended"),
}

CREDIT_INVOICE_STATUSES: dict[str, str] = {
    "open": N_("Not yet due"),
    "overdue": N_("Overdue"),
    "paid": N_("Repaid"),
}

LABELS: dict[str, Any] = {
    "order": ORDER_STATUSES,
    "return": RETURN_STATUSES,
    "dispute": DISPUTE_STATUSES,
    "decision": DISPUTE_DECISIONS,
    "reason": DISPUTE_REASONS,
    "party": PARTIES,
    "provider": PAYMENT_PROVIDERS,
    "payment": PAYMENT_STATUSES,
    "refund": REFUND_CAUSES,
    "trigger": RELEASE_TRIGGERS,
    "invoice_kind": INVOICE_KINDS,
    "invoice": INVOICE_STATUSES,
    "line": CREDIT_LINE_STATUSES,
    "credit": CREDIT_INVOICE_STATUSES,
    "timeline": TIMELINE_ACTIONS,
}

# The sub-navigation of the buyer's post-checkout pages: (path, label, permission to see it).
SUBNAV: list[tuple[str, str, str]] = [
    ("/buyer/orders", N_("Purchases"), "procurement:view"),
    ("/buyer/returns", N_("Returns"), "procurement:view"),
    ("/buyer/invoices", N_("Invoices"), "payments:view"),
    ("/buyer/credit", N_("Credit"), "payments:view"),
]


# ---- errors --------------------------------------------------------------------------------------------

# Service error code → message (msgid) shown next to the form, for the codes these pages meet.
CODE_MESSAGES: dict[str, str] = {
    "invalid_transition": N_(
        "This is not possible in the current state. Reload the page to see what changed."
    ),
    "wrong_party": N_("This step belongs to the other party of the order."),
    "return_open": N_("Close the order's returns before confirming completion."),
    "dispute_open": N_("The order has an open dispute: the platform decides it first."),
    "quantity_too_large": N_("This is more than the order line allows."),
    "line_not_found": N_("Choose one of the listed values."),
    "duplicate_line": N_("Name each line once."),
    "required": N_("This field is required."),
    "already_invoiced": N_("An invoice is already requested or issued for this order."),
    "not_invoiceable": N_("This order cannot be invoiced (not paid, or refunded in full)."),
    "incomplete_tax_details": N_(
        "A special VAT invoice needs the profile's address, phone, bank and account: "
        "complete the profile or ask for a normal invoice."
    ),
    "tax_profile_not_found": N_("Choose one of the listed values."),
    "order_not_found": N_("Choose one of the listed values."),
    "tax_profile_in_use": N_("This tax profile is used by invoice requests."),
}

# Pydantic error type → message (msgid), beyond the shared ones in ``forms``.
TYPE_MESSAGES: dict[str, str] = {
    "invalid_taxpayer_id": N_("Not a valid taxpayer identification number (15, 17, 18 or 20 characters)."),
    "string_pattern_mismatch": N_("This value is not valid."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "greater_than_equal": N_("Enter 0 or more."),
    "greater_than": N_("Enter a number above 0."),
    "literal_error": N_("Choose one of the listed values."),
}


# Refusals that mean "the order moved on": shown at the top of the page, since the form that was
# used may no longer be on it.
STATE_CODES = frozenset({"invalid_transition", "wrong_party", "return_open", "dispute_open"})


def message(t: Translator, exc: AppError) -> str:
    msgid = CODE_MESSAGES.get(exc.code)
    return t.gettext(msgid) if msgid else forms.app_error_message(t, exc)


def field_errors(t: Translator, exc: ValidationError) -> dict[str, str]:
    """One message per field (the first error of each), with this area's messages for its types."""
    out = forms.field_errors(t, exc)
    first: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ())) or "__all__"
        first.setdefault(loc, str(err.get("type")))
    for loc, kind in first.items():
        if kind in TYPE_MESSAGES:
            out[loc] = t.gettext(TYPE_MESSAGES[kind])
    return out


def form_values(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    """What the user typed in these fields (kept to show again after an error)."""
    return {k: str(form.get(k) or "") for k in names}


@dataclass(frozen=True)
class FormState:
    """A form shown again: what was typed, the message per field, and one for the whole form."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def form_state(
    values: dict[str, Any], errors: dict[str, str] | None = None, error: str | None = None
) -> FormState:
    return FormState(values, errors or {}, error)


BLANK_FORM = FormState()


def failed(
    t: Translator,
    exc: AppError,
    values: dict[str, Any],
    fields: dict[str, str] | None = None,
) -> FormState:
    """The form state after a service error: the message next to its field when the error names one
    (``fields`` maps the service's field names to the form's), else above the form."""
    text = message(t, exc)
    target = (fields or {}).get(exc.field or "", exc.field) if exc.field else None
    if target and (target in values or target in (fields or {}).values()):
        return form_state(values, {target: text})
    return form_state(values, error=text)


# ---- rendering -----------------------------------------------------------------------------------------


def subnav(p: Principal) -> list[tuple[str, str]]:
    return [(path, label) for path, label, perm in SUBNAV if p.can(perm)]


def page(
    request: Request,
    template: str,
    db: Session,
    p: Principal,
    *,
    tab: str,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """Render one of the area's pages with its helpers: ``money``, ``pct``, ``L`` (labels), the
    sub-navigation and the form states (``forms``, ``blank``)."""
    extra.setdefault("forms", {})
    extra.setdefault("notice", None)
    return render(
        request,
        template,
        db,
        status_code=status_code,
        money=money,
        pct=bp_percent,
        L=LABELS,
        subnav_links=subnav(p),
        tab=tab,
        blank=BLANK_FORM,
        **extra,
    )


def short_id(value: uuid.UUID) -> str:
    """A short reference for rows that have no number of their own (returns): the id's last 8 hex."""
    return value.hex[-8:].upper()
