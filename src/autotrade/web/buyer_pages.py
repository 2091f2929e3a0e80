"""Buyer pages:
search (VIN, OE/brand number, words), part page with price comparison, cart and quick order,
checkout, payment.

The routes live in ``buyer_search`` (``/search``, ``/parts/{id}``), ``buyer_cart`` (``/cart…``:
cart, quick order, requisition lists, checkout and its result) and ``buyer_pay``
(``/buyer/orders/{id}/pay…``); shared formatting and messages in ``buyer_common``.
"""

from __future__ import annotations

from autotrade.core.routing import api_router
from autotrade.web import buyer_cart, buyer_pay, buyer_search
from autotrade.web.i18n import N_
from autotrade.web.render import register_flashes

router = api_router(tags=["web"])
for _sub in (buyer_search.router, buyer_cart.router, buyer_pay.router):
    router.include_router(_sub)

register_flashes(
    {
        "buyer_added": ("success", N_("Added to the cart.")),
        "buyer_line_updated": ("success", N_("Quantity changed.")),
        "buyer_line_removed": ("success", N_("Line removed from the cart.")),
        "buyer_list_saved": ("success", N_("The cart was saved as a requisition list.")),
        "buyer_list_deleted": ("success", N_("Requisition list deleted.")),
        "buyer_bank_transfer_ready": ("success", N_("Transfer the amount with the reference code below.")),
        "buyer_gateway_started": (
            "info",
            N_("Paid on the gateway simulator: waiting for the gateway to confirm."),
        ),
        "buyer_paid_on_credit": ("success", N_("The order was paid on credit.")),
    }
)
