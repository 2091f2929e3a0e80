"""Shared pieces of the supplier's order and money pages (area ``supplier_orders``): who may open
them, money formatting, status and action labels, error messages, and the sub-navigation."""

from __future__ import annotations

from typing import Any

from autotrade.core.errors import AppError, PermissionDenied
from autotrade.core.tenancy import Principal
from autotrade.web.i18n import N_, Translator
from autotrade.web.money import yuan
from autotrade.web.render import SELLER_TYPES


def seller(p: Principal) -> Principal:
    """The supplier pages are for selling companies (manufacturer, distributor, dealer)."""
    if p.org_type not in SELLER_TYPES:
        raise PermissionDenied(
            "these pages are for suppliers (manufacturers, distributors, dealers)", code="not_a_seller"
        )
    return p


ORDER_STATUSES: dict[str, str] = {
    "pending_payment": N_("Awaiting payment"),
    "paid": N_("Paid"),
    "confirmed": N_("Confirmed"),
    "partially_shipped": N_("Partially shipped"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "received": N_("Received by buyer"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
}

RETURN_STATUSES: dict[str, str] = {
    "requested": N_("Awaiting your decision"),
    "approved": N_("Approved, awaiting the goods"),
    "rejected": N_("Return rejected"),
    "cancelled": N_("Withdrawn by buyer"),
    "shipped_back": N_("Shipped back by buyer"),
    "received": N_("Goods received back"),
    "restocked": N_("Restocked"),
    "scrapped": N_("Scrapped"),
}

# The badge colour follows the status, and the text always says it (never colour alone).
BADGE: dict[str, str] = {
    "pending_payment": "pending",
    "paid": "todo",
    "confirmed": "todo",
    "partially_shipped": "todo",
    "shipped": "moving",
    "delivered": "moving",
    "received": "done",
    "completed": "done",
    "cancelled": "off",
    "requested": "todo",
    "approved": "moving",
    "rejected": "off",
    "shipped_back": "todo",
    "restocked": "done",
    "scrapped": "off",
}

SALES_QUEUE_LABELS: dict[str, str] = {
    "all": N_("All"),
    "to_confirm": N_("To confirm"),
    "to_ship": N_("To ship"),
    "shipped": N_("Shipped"),
    "returns": N_("Returns pending"),
    "done": N_("Received / completed"),
    "cancelled": N_("Cancelled"),
}

RETURN_QUEUE_LABELS: dict[str, str] = {
    "open": N_("To handle"),
    "closed": N_("Handled"),
    "all": N_("All"),
}

# Timeline actions of orders, shipments, returns and disputes.
ACTIONS: dict[str, str] = {
    "place": N_("Order placed"),
    "mark_paid": N_("Payment received"),
    "cancel": N_("Cancelled"),
    "expire": N_("Cancelled: not paid in time"),
    "confirm": N_("Confirmed"),
    "ship_part": N_("Partial shipment"),
    "ship": N_("Shipped"),
    "deliver": N_("Delivered"),
    "receive": N_("Received"),
    "complete": N_("Completed"),
    "auto_complete": N_("Completed automatically"),
    "return.request": N_("Return requested"),
    "return.cancel": N_("Return withdrawn by buyer"),
    "return.ship": N_("Return shipped back"),
    "return.receive": N_("Returned goods received"),
    "request": N_("Return requested"),
    "approve": N_("Return approved"),
    "reject": N_("Return rejected"),
    "restock": N_("Restocked"),
    "scrap": N_("Scrapped"),
    "open": N_("Dispute opened"),
    "withdraw": N_("Dispute withdrawn"),
    "decide": N_("Dispute decided"),
}

PARTIES: dict[str, str] = {
    "buyer": N_("Buyer"),
    "supplier": N_("Supplier"),
    "platform": N_("Platform"),
    "system": N_("System"),
}

RELEASE_TRIGGERS: dict[str, str] = {
    "completion": N_("Buyer accepted"),
    "auto": N_("Automatic release"),
    "dispute": N_("Dispute decision"),
}

REFUND_CAUSES: dict[str, str] = {
    "cancellation": N_("Cancellation"),
    "return": N_("Return"),
    "dispute": N_("Dispute"),
}

LINE_KINDS: dict[str, str] = {
    "release": N_("Escrow release"),
    "refund": N_("Refund to buyer"),
    "payout": N_("Payout"),
    "adjustment": N_("Adjustment"),
}

# Service error codes → messages shown next to the field or above the form.
_ERRORS: dict[str, str] = {
    "invalid_transition": N_("This order cannot do that in its current state."),
    "wrong_party": N_("This action belongs to the buyer."),
    "quantity_too_large": N_("More than is left to ship on this line."),
    "nothing_to_ship": N_("Enter a quantity to ship for at least one line."),
    "line_not_found": N_("The order has no such line."),
    "insufficient_stock": N_("Not enough stock in the warehouse for this shipment."),
    "reservation_mismatch": N_("The reserved stock does not cover this shipment."),
    "warehouse_not_found": N_("Choose one of your warehouses."),
    "refund_exceeds_escrow": N_("The order does not hold enough money in escrow for this refund."),
    "escrow_frozen": N_("The order has an open dispute: the platform decides it first."),
}

_RETURN_TRANSITION = N_("This return cannot do that in its current state.")


def error_message(t: Translator, exc: AppError, *, subject: str = "order") -> str:
    if exc.code == "invalid_transition" and subject == "return":
        return t.gettext(_RETURN_TRANSITION)
    msgid = _ERRORS.get(exc.code)
    return t.gettext(msgid) if msgid else exc.detail


def tabs(p: Principal) -> list[tuple[str, str]]:
    """The area's sub-navigation (path, label msgid), by permission."""
    out: list[tuple[str, str]] = []
    if p.can("orders:view"):
        out += [("/supplier/orders", N_("Sales orders")), ("/supplier/returns", N_("Returns"))]
    if p.can("payments:view"):
        out.append(("/supplier/settlement", N_("Settlement")))
    return out


def page_context(p: Principal, current: str) -> dict[str, Any]:
    """What every template of the area gets: the tabs, money formatting and labels."""
    return {
        "so_tabs": tabs(p),
        "so_current": current,
        "yuan": yuan,
        "so": {
            "order_statuses": ORDER_STATUSES,
            "return_statuses": RETURN_STATUSES,
            "badge": BADGE,
            "actions": ACTIONS,
            "parties": PARTIES,
            "triggers": RELEASE_TRIGGERS,
            "causes": REFUND_CAUSES,
            "line_kinds": LINE_KINDS,
            "queues": SALES_QUEUE_LABELS,
            "return_queues": RETURN_QUEUE_LABELS,
        },
    }
