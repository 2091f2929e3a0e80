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

# VIN problems (code → msgid with its details as parameters). The decoder's own messages are English;
# the pages say the same in the reader's language (web.labels.vin_problems).
VIN_PROBLEMS: dict[tuple[str, bool], str] = {
    ("vin_length", True): N_("A VIN has exactly 17 characters; this one has %(n)s."),
    ("vin_characters", True): N_(
        "Position %(pos)s: %(char)s is not allowed (only A–Z without I, O, Q, and 0–9)."
    ),
    ("vin_check_digit", True): N_("Position 9: check digit %(got)s, expected %(expected)s (required here)."),
    ("vin_check_digit", False): N_(
        "Position 9: check digit %(got)s, expected %(expected)s (not required here)."
    ),
    ("vin_model_year", True): N_("Position 10: %(char)s is not a model-year code (never U, Z or 0)."),
    ("vin_model_year", False): N_(
        "Position 10: %(char)s is not a model-year code; the model year is unknown."
    ),
    ("vin_wmi_unknown", False): N_("The manufacturer code (WMI) %(wmi)s is in none of our tables."),
}


def vin_problems(decoded: Any) -> tuple[list[VinProblem], list[VinProblem]]:
    """(errors, warnings) of a decoded VIN as (msgid, parameters, code) for the page to translate; a code
    without a message here keeps the decoder's English message (as its own msgid-less text)."""
    from autotrade.vehicles.vin import check_digit

    vin: str = decoded.vin

    def params(code: str, position: int | None) -> dict[str, Any]:
        char = vin[position - 1] if position and position <= len(vin) else ""
        return {
            "n": len(vin),
            "pos": position,
            "char": repr(char) if char else "",
            "got": repr(vin[8]) if len(vin) > 8 else "",
            "expected": repr(check_digit(vin)) if code == "vin_check_digit" else "",
            "wmi": vin[:3],
        }

    def one(problem: Any, is_error: bool) -> VinProblem:
        position = getattr(problem, "position", None)
        if problem.code == "vin_check_digit":
            position = 9
        elif problem.code == "vin_model_year":
            position = 10
        msgid = VIN_PROBLEMS.get((problem.code, is_error))
        if msgid is None:
            return VinProblem(problem.message, {}, problem.code, translate=False)
        return VinProblem(msgid, params(problem.code, position), problem.code)

    return [one(e, True) for e in decoded.errors], [one(w, False) for w in decoded.warnings]


@dataclass(frozen=True)
class VinProblem:
    text: str  # a msgid (translate=True) or the decoder's own message
    params: dict[str, Any]
    code: str
    translate: bool = True
