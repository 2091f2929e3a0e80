"""Display labels (English msgids, translated at render time) for enumerations shown on pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


# Part and fitment positions as the catalogue stores them (English words); other values show as stored.
PART_POSITIONS: dict[str, str] = {
    "front": N_("front"),
    "rear": N_("rear"),
    "left": N_("left"),
    "right": N_("right"),
    "front-left": N_("front left"),
    "front-right": N_("front right"),
    "rear-left": N_("rear left"),
    "rear-right": N_("rear right"),
    "upper": N_("upper"),
    "lower": N_("lower"),
    "inner": N_("inner"),
    "outer": N_("outer"),
}

# VIN problems (code, is an error → msgid). The decoder's messages are English; the pages say the same in
# the reader's language from the problem's ``details`` (and position).
VIN_PROBLEMS: dict[tuple[str, bool], str] = {
    ("vin_length", True): N_("A VIN has exactly 17 characters; this one has %(length)s."),
    ("vin_characters", True): N_(
        "Position %(position)s: '%(character)s' is not allowed (only A–Z without I, O, Q, and 0–9)."
    ),
    ("vin_check_digit", True): N_(
        "Position 9: check digit '%(found)s', expected '%(expected)s' (required here)."
    ),
    ("vin_check_digit", False): N_(
        "Position 9: check digit '%(found)s', expected '%(expected)s' (not required here)."
    ),
    ("vin_model_year", True): N_("Position 10: '%(character)s' is not a model-year code (never U, Z or 0)."),
    ("vin_model_year", False): N_(
        "Position 10: '%(character)s' is not a model-year code; the model year is unknown."
    ),
    ("vin_wmi_unknown", False): N_("The manufacturer code (WMI) %(wmi)s is in none of our tables."),
}


@dataclass(frozen=True)
class VinProblem:
    text: str  # a msgid (translate=True) or the decoder's own message
    params: dict[str, Any]
    code: str
    translate: bool = True


def vin_problems(decoded: Any) -> tuple[list[VinProblem], list[VinProblem]]:
    """(errors, warnings) of a decoded VIN for the page to translate; a code without a message here keeps
    the decoder's English message."""

    def one(problem: Any, is_error: bool) -> VinProblem:
        msgid = VIN_PROBLEMS.get((problem.code, is_error))
        if msgid is None:
            return VinProblem(problem.message, {}, problem.code, translate=False)
        return VinProblem(
            msgid, {"position": getattr(problem, "position", None), **problem.details}, problem.code
        )

    return [one(e, True) for e in decoded.errors], [one(w, False) for w in decoded.warnings]
