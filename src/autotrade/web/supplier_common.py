"""Shared helpers of the supplier's catalogue-side pages: access (a seller company), money in and out,
the sub-navigation, and the messages of the service errors these pages show."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from autotrade.core.errors import AppError, PermissionDenied
from autotrade.core.tenancy import Principal
from autotrade.web.forms import app_error_message
from autotrade.web.i18n import N_, Translator
from autotrade.web.money import yuan, yuan_input
from autotrade.web.render import SELLER_TYPES, render, translator

PAGE_SIZE = 50

# (path, label msgid, permission): the tabs of the area, each shown to those who may open it.
SUBNAV: list[tuple[str, str, str]] = [
    ("/supplier/offers", N_("Offers"), "pricing:view"),
    ("/supplier/policies", N_("Price policies"), "pricing:view"),
    ("/supplier/stock", N_("Stock"), "inventory:view"),
    ("/supplier/stock/upload", N_("Upload"), "inventory:view"),
    ("/supplier/alliance", N_("Alliance"), "inventory:view"),
]

# Service error code → message (msgid) for the errors a supplier can fix in these forms.
ERROR_MESSAGES: dict[str, str] = {
    "offer_exists": N_("You already have an offer for this part: edit that one."),
    "part_not_found": N_("No part with this SKU in the catalogue."),
    "tier_above_list_price": N_("A tier price cannot be above the list price."),
    "tiers_not_increasing": N_("Tier quantities must increase from row to row."),
    "tier_price_increases": N_("A larger tier cannot have a higher price."),
    "in_use": N_("Still in use by price policies or orders; pause it instead."),
    "group_name_taken": N_("You already have a group with this name."),
    "company_not_found": N_("No company with this unified social credit code."),
    "already_member": N_("This company is already a member."),
    "offer_not_found": N_("You have no offer for this SKU."),
    "category_not_found": N_("No such category."),
    "customer_group_not_found": N_("Choose one of your customer groups."),
    "not_allowed": N_("Leave this empty for the chosen scope or effect."),
    "invalid_window": N_("The end must be after the start."),
    "required": N_("This field is required."),
    "below_reserved": N_("On hand cannot go below what open orders have reserved."),
    "invalid_quantity": N_("Enter a whole number of 0 or more."),
    "warehouse_not_found": N_("Choose one of the listed warehouses."),
    "on_hand_or_delta": N_("Give either the new count or the change, not both."),
    "insufficient_stock": N_("Not enough available stock in the source warehouse."),
    "same_warehouse": N_("Source and destination are the same warehouse."),
    "invalid_transfer_transition": N_("This transfer request has already been decided."),
    "not_source_owner": N_("Only the company that owns the source warehouse decides."),
    "not_requester": N_("Only the company that asked can cancel."),
    "not_an_active_member": N_("Accept the invitation first."),
    "not_invited": N_("There is no open invitation."),
    "requester_not_member": N_("The requesting company is no longer an active member."),
}


def seller(p: Principal) -> Principal:
    """These pages are for supplying companies (manufacturer, distributor, dealer) only."""
    if p.org_type not in SELLER_TYPES:
        raise PermissionDenied("only supplying companies have these pages", code="not_a_supplier")
    return p


def message(t: Translator, exc: AppError) -> str:
    msgid = ERROR_MESSAGES.get(exc.code)
    return t.gettext(msgid) if msgid else app_error_message(t, exc)


def parse_int(text: str) -> int | None:
    text = text.strip()
    if not re.fullmatch(r"-?\d{1,9}", text):
        return None
    return int(text)


def local_input(value: datetime | None, tz: tzinfo) -> str:
    """A stored UTC time → the ``datetime-local`` input value in the user's zone."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def parse_local(text: str, tz: tzinfo) -> datetime | bool | None:
    """A ``datetime-local`` value in the user's zone → aware datetime; None if blank; False if invalid."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    return False


def page(request: Request, template: str, db: Session, *, status_code: int = 200, **extra: Any) -> Response:
    """Render a supplier page with the area's helpers and tabs."""
    t = translator(request, db)
    p = extra.pop("p", None) or getattr(request.state, "principal", None)
    tabs = [(href, t.gettext(label)) for href, label, perm in SUBNAV if p is not None and p.can(perm)]
    return render(
        request,
        template,
        db,
        status_code=status_code,
        yuan=yuan,
        yuan_input=yuan_input,
        supplier_tabs=tabs,
        **extra,
    )
