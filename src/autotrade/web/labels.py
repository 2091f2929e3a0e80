"""Display labels (English msgids, translated at render time) for enumerations shown on pages."""

from __future__ import annotations

from autotrade.web.i18n import N_

ORG_TYPES: dict[str, str] = {
    "manufacturer": N_("Manufacturer"),
    "distributor": N_("Distributor"),
    "dealer": N_("Dealer (4S store)"),
    "repair_shop": N_("Repair shop"),
    "fleet": N_("Fleet"),
    "logistics": N_("Logistics provider"),
    "inspector": N_("Inspection agency"),
    "financier": N_("Financial institution"),
    "platform": N_("Platform"),
}

ORG_STATUSES: dict[str, str] = {
    "pending": N_("Pending review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "suspended": N_("Suspended"),
}

USER_STATUSES: dict[str, str] = {
    "active": N_("Active"),
    "disabled": N_("Disabled"),
}

LEVELS: dict[str, str] = {
    "view": N_("View"),
    "edit": N_("Edit"),
    "approve": N_("Approve"),
    "admin": N_("Administer"),
}
