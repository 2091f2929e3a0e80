"""Supplier pages:
offers and price policies (with bulk upload), stock by warehouse, alliance stock and transfer requests.

Sellers only (manufacturer, distributor, dealer); access by ``pricing:view``/``pricing:edit`` and
``inventory:view``/``inventory:edit``/``inventory:approve``, as the API. The pages live in
``supplier_offers.py``, ``supplier_policies.py``, ``supplier_stock.py``, ``supplier_uploads.py`` and
``supplier_alliance.py`` (docs/web/supplier.md).
"""

from __future__ import annotations

from autotrade.core.routing import api_router
from autotrade.web import (
    render,
    supplier_alliance,
    supplier_offers,
    supplier_policies,
    supplier_stock,
    supplier_uploads,
)
from autotrade.web.i18n import N_

router = api_router(tags=["web"])
# The uploads first: POST /supplier/offers/upload must not be taken for /supplier/offers/{offer_id}.
for _sub in (
    supplier_uploads.router,
    supplier_offers.router,
    supplier_policies.groups_router,
    supplier_policies.router,
    supplier_stock.router,
    supplier_alliance.router,
):
    router.include_router(_sub)

render.register_flashes(
    {
        "supplier_offer_created": ("success", N_("Offer created.")),
        "supplier_offer_saved": ("success", N_("Offer saved.")),
        "supplier_policy_created": ("success", N_("Price policy created.")),
        "supplier_policy_saved": ("success", N_("Price policy saved.")),
        "supplier_policy_deleted": ("success", N_("Price policy deleted.")),
        "supplier_group_created": ("success", N_("Customer group created.")),
        "supplier_member_added": ("success", N_("Company added to the group.")),
        "supplier_member_removed": ("success", N_("Company removed from the group.")),
        "supplier_stock_adjusted": ("success", N_("Stock adjusted.")),
        "supplier_threshold_saved": ("success", N_("Low-stock threshold saved.")),
        "supplier_alliance_joined": ("success", N_("You joined the alliance.")),
        "supplier_alliance_declined": ("info", N_("Invitation declined.")),
        "supplier_transfer_requested": ("success", N_("Transfer requested.")),
        "supplier_transfer_approve": ("success", N_("Transfer approved: the stock has moved.")),
        "supplier_transfer_reject": ("info", N_("Transfer rejected.")),
        "supplier_transfer_cancel": ("info", N_("Transfer request cancelled.")),
    }
)
