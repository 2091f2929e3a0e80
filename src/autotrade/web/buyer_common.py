"""Shared pieces of the buyer pages: money and label formatting, messages for the service error codes
and the cart's line outcomes, and :func:`page` (``render`` with these helpers in the context)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from autotrade.cart import service as carts
from autotrade.core.errors import AppError
from autotrade.core.tenancy import Principal
from autotrade.web import render as r
from autotrade.web.forms import app_error_message
from autotrade.web.i18n import N_, Translator
from autotrade.web.money import percent as percent_bp
from autotrade.web.money import yuan as money

# ---- money ----------------------------------------------------------------------------------------------


# ---- labels -----------------------------------------------------------------------------------------------

GRADES: dict[str, str] = {
    "oe": N_("Genuine OE part"),
    "oem": N_("OEM supplier brand part"),
    "aftermarket": N_("Branded aftermarket part"),
    "remanufactured": N_("Remanufactured part"),
    "dismantled": N_("Used part from a dismantled vehicle"),
}
GRADE_ORDER = tuple(GRADES)

ORDER_STATUSES: dict[str, str] = {
    "pending_payment": N_("Waiting for payment"),
    "paid": N_("Paid, waiting for the supplier"),
    "confirmed": N_("Confirmed by the supplier"),
    "partially_shipped": N_("Partly shipped"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "received": N_("Received"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
}

PAYMENT_STATUSES: dict[str, str] = {
    "pending": N_("Waiting for the money"),
    "succeeded": N_("Money received"),
    "failed": N_("Payment failed"),
    "cancelled": N_("Payment closed"),
    "refunded": N_("Refunded"),
    "partially_refunded": N_("Partly refunded"),
}

PROVIDERS: dict[str, str] = {
    "bank_transfer": N_("Bank transfer"),
    "gateway": N_("Online payment gateway"),
    "credit": N_("On credit"),
}

RELATIONS: dict[str, str] = {
    "exact": N_("Carries this number"),
    "successor": N_("Replaces this number"),
    "interchange": N_("Interchangeable"),
    "prefix": N_("Number starts like this"),
}

# ---- messages for service error codes ---------------------------------------------------------------------

ERRORS: dict[str, str] = {
    # search
    "empty_query": N_("Enter a VIN, a part number or words to search for."),
    "brand_not_found": N_("This brand is not in the catalogue."),
    "category_not_found": N_("This category is not in the catalogue."),
    "invalid_grade": N_("Choose one of the listed quality grades."),
    "invalid_cursor": N_("This page link is no longer valid; start the search again."),
    "invalid_sort": N_("Choose one of the listed sort orders."),
    # adding to the cart
    "unknown_number": N_("No part carries this number."),
    "part_not_found": N_("This part is not in the catalogue."),
    "no_offer": N_("Nobody offers this part now."),
    "insufficient_stock": N_("Not enough stock for this quantity."),
    "below_moq": N_("The quantity is below the supplier's minimum order quantity."),
    "not_pack_multiple": N_("The supplier sells this part in packs: order a multiple of the pack size."),
    "offer_mismatch": N_("This offer is not an offer for this part."),
    "offer_not_found": N_("This offer no longer exists."),
    "offer_inactive": N_("This offer is paused or its supplier cannot sell now."),
    "cart_full": N_("Your cart is full (500 lines). Check out or remove some lines first."),
    "invalid_quantity": N_("The quantity must be a whole number from 1 to 1,000,000."),
    # quick order, cart, lists
    "too_many_lines": N_("Too many lines at once: at most 500."),
    "unreadable_file": N_("This file cannot be read. Upload a CSV (UTF-8) or an XLSX file."),
    "empty_input": N_("Nothing to order: paste at least one line with a part number."),
    "cart_line_not_found": N_("This line is no longer in your cart."),
    "cart_empty": N_("Your cart is empty."),
    "cart_not_ready": N_("Some lines cannot be ordered as they stand. Change or remove them first."),
    "requisition_list_name_taken": N_("A requisition list with this name already exists."),
    "requisition_list_not_found": N_("This requisition list no longer exists."),
    "requisition_list_empty": N_("This requisition list has no lines."),
    # checkout
    "empty_checkout": N_("Your cart is empty."),
    "duplicate_line": N_("The same offer appears twice; add the quantities instead."),
    "own_offer": N_("You cannot buy from your own company."),
    "mixed_currency": N_("One supplier's offers must share a currency."),
    "idempotency_key_reused": N_(
        "This form was already sent with other values. Reload the cart and try again."
    ),
    # payment
    "order_not_payable": N_("This order is not waiting for a payment."),
    "payment_not_pending": N_("This payment is no longer waiting for the gateway."),
    "simulator_disabled": N_("The gateway simulator is not available here."),
    "wrong_party": N_("Only the buyer pays an order."),
    "invalid_transition": N_("This order is not waiting for a payment."),
    "credit_overdue": N_(
        "Some of your credit invoices are overdue: repay them before paying on credit again."
    ),
    "no_credit_line": N_("You have no credit line from the platform or from this supplier."),
    "credit_line_not_found": N_("This credit line is not one of yours."),
    "credit_line_suspended": N_("Your credit line is suspended."),
    "credit_limit_exceeded": N_("The order does not fit in the credit available."),
    "nothing_to_pay": N_("The order has nothing to pay."),
}


def error_message(t: Translator, exc: AppError) -> str:
    msgid = ERRORS.get(exc.code)
    return t.gettext(msgid) if msgid else app_error_message(t, exc)


# ---- outcomes of cart lines (quick order, reorder, cart lines as they stand) -------------------------------

LINE_OUTCOMES: dict[str, str] = {
    "resolved": N_("Can be ordered"),
    "unknown_number": N_("No part carries this number."),
    "no_offer": N_("Nobody offers this part now."),
    "insufficient_stock": N_("Not enough stock: at most %(available)s available from one supplier."),
    "below_moq": N_("Below the minimum order quantity of %(moq)s; order at least %(suggested)s."),
    "not_pack_multiple": N_("Sold in packs of %(pack)s; order %(suggested)s."),
    "invalid_quantity": N_("The quantity must be a whole number from 1 to 1,000,000."),
    "duplicate_merged": N_("Same part as line %(line)s: the quantity was added there."),
    "bad_line": N_("No part number found on this line."),
}


def line_outcome(
    t: Translator,
    code: str,
    *,
    available: int | None = None,
    moq: int | None = None,
    pack_size: int | None = None,
    suggested: int | None = None,
    merged_into: int | None = None,
) -> str:
    msgid = LINE_OUTCOMES.get(code)
    if msgid is None:
        return code
    params: dict[str, object] = {}
    if "%(available)s" in msgid:
        params["available"] = available if available is not None else 0
    if "%(moq)s" in msgid:
        params["moq"] = moq or "?"
    if "%(pack)s" in msgid:
        params["pack"] = pack_size or "?"
    if "%(suggested)s" in msgid:
        params["suggested"] = suggested or moq or pack_size or "?"
    if "%(line)s" in msgid:
        params["line"] = merged_into or "?"
    return t.gettext(msgid, **params)


# ---- explanations from the services (English there) --------------------------------------------------------

_TIER = re.compile(r"^tier ≥ (\d+)$")
_POLICY = re.compile(r"^policy '(?P<name>.*)' (?P<effect>.+) \(priority (?P<priority>-?\d+)\)$")
_FIXED = re.compile(r"^fixed (\d+)\.(\d{2}) [A-Z]{3}$")
_DISCOUNT = re.compile(r"^−(.+)%$")


def rule_text(t: Translator, rule: str | None) -> str:
    """The pricing rule that set a price (``pricing.precedence``), in the user's language."""
    if not rule:
        return ""
    if rule == "list price":
        return t.gettext("List price")
    m = _TIER.match(rule)
    if m:
        return t.gettext("Volume price from %(quantity)s pieces", quantity=m.group(1))
    m = _POLICY.match(rule)
    if m:
        effect = m.group("effect")
        fixed, discount = _FIXED.match(effect), _DISCOUNT.match(effect)
        if fixed:
            effect = t.gettext(
                "fixed price %(price)s", price=money(int(fixed.group(1)) * 100 + int(fixed.group(2)))
            )
        elif discount:
            effect = t.gettext("%(percent)s%% off", percent=discount.group(1))
        return t.gettext("Price policy “%(name)s”: %(effect)s", name=m.group("name"), effect=effect)
    return rule


_WHY_LABELS: dict[str, str] = {
    "name": N_("Name"),
    "brand": N_("Brand"),
    "category": N_("Category"),
    "attributes": N_("Attributes"),
    "material": N_("Material"),
    "position": N_("Position"),
}
_WHY_NUMBER = re.compile(r"^(exact|successor|prefix): (\w+) number (.+) \((.*)\)$")
_NUMBER_KINDS: dict[str, str] = {
    "oe": N_("OE number"),
    "brand": N_("Brand number"),
    "trade": N_("Trade number"),
    "aftermarket": N_("Aftermarket number"),
    "replacement": N_("Superseded number"),
    "ean": N_("EAN barcode"),
}


def why_text(t: Translator, reason: str) -> str:
    """One "why it matched" reason of the catalogue search, in the user's language."""
    m = _WHY_NUMBER.match(reason)
    if m:
        relation, kind, number, brand = m.groups()
        kind_label = t.gettext(_NUMBER_KINDS.get(kind, kind))
        rel = t.gettext(RELATIONS.get(relation, relation))
        return f"{rel}: {kind_label} {number}" + (f" ({brand})" if brand and brand != "?" else "")
    if reason.startswith("interchangeable:"):
        return t.gettext("Shares an OE or cross-reference number with a match")
    if reason.startswith("fits the vehicle"):
        rest = reason[len("fits the vehicle") :].strip()
        return t.gettext("Fits this vehicle") + (f" {rest}" if rest else "")
    if reason.startswith("related word: "):
        return t.gettext("Related word: %(word)s", word=reason[len("related word: ") :])
    if reason.startswith("corrected "):
        return t.gettext("Spelling corrected: %(change)s", change=reason[len("corrected ") :])
    if reason.startswith("category tree or attributes contain "):
        return t.gettext(
            "Category or attributes contain %(text)s",
            text=reason[len("category tree or attributes contain ") :],
        )
    label, sep, rest = reason.partition(": ")
    if sep and label in _WHY_LABELS:
        return f"{t.gettext(_WHY_LABELS[label])}: {rest}"
    return reason


# ---- the page --------------------------------------------------------------------------------------------


def cart_count(db: Session, p: Principal) -> int:
    """How many lines the caller's cart holds (0 without a cart)."""
    return carts.line_count(db, p)


def page(
    request: Request,
    template: str,
    db: Session,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """``render`` with the buyer area's helpers: money, grade and status labels, explanations."""
    t = r.translator(request, db)
    helpers: dict[str, Any] = {
        "money": money,
        "percent_bp": percent_bp,
        "grade_label": lambda g: t.gettext(GRADES.get(str(getattr(g, "value", g)), str(g))),
        "order_status": lambda s: t.gettext(ORDER_STATUSES.get(str(getattr(s, "value", s)), str(s))),
        "payment_status": lambda s: t.gettext(PAYMENT_STATUSES.get(str(getattr(s, "value", s)), str(s))),
        "provider_label": lambda s: t.gettext(PROVIDERS.get(str(getattr(s, "value", s)), str(s))),
        "rule_text": lambda rule: rule_text(t, rule),
        "why_text": lambda reason: why_text(t, reason),
        "number_kind": lambda k: t.gettext(_NUMBER_KINDS.get(str(getattr(k, "value", k)), str(k))),
        "relation_label": lambda rel: t.gettext(RELATIONS[rel]) if rel in RELATIONS else rel,
        "grades": GRADE_ORDER,
    }
    return r.render(request, template, db, status_code=status_code, headers=headers, **helpers, **extra)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def parse_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
