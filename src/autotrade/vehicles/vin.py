"""VIN decoding (ISO 3779 / GB 16735), as pure functions: no database, no I/O beyond the shipped tables.

``decode(vin)`` normalises the input (strip, upper case), checks length, alphabet and the position-9
check digit, looks the WMI up (our own table, then NHTSA vPIC, then the ``vininfo`` package) and reads
the model year from position 10 with the 30-year cycle. The vehicles service adds the variants that
the catalogue's VIN patterns map the VIN to (``matched_variants``). See ``docs/vin.md``.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field

VIN_LENGTH = 17
ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")  # no I, O, Q
WILDCARDS = frozenset("*?")
# ISO 3779 Annex / 49 CFR 565.15: letters transliterated to digits, weights per position.
_TRANSLIT = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# Position 10: 30 codes, one per year of a 30-year cycle starting 1980 (no I, O, Q, U, Z, 0).
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
FIRST_CYCLE = 1980
_DATA = Path(__file__).resolve().parent / "data"


class VinError(BaseModel):
    code: str
    message: str
    position: int | None = None  # 1-based position in the VIN, where one is at fault
    # The facts the message is made of (length, character, found / expected check digit, wmi), so a page
    # can say the same in its reader's language.
    details: dict[str, str | int] = {}


class VinWarning(BaseModel):
    code: str
    message: str
    details: dict[str, str | int] = {}


class MatchedVariant(BaseModel):
    """A catalogue variant that a VIN pattern maps the VIN to (filled in by the vehicles service)."""

    variant_id: uuid.UUID
    code: str
    name: str
    make: str
    model: str
    generation: str
    year_from: int
    year_to: int | None
    engine_code: str | None
    fuel_type: str
    pattern: str


class VinDecoded(BaseModel):
    """The answer of ``GET /api/v1/vin/{vin}`` and of each line of ``autotrade vin decode --json``."""

    vin: str
    valid: bool
    errors: list[VinError] = Field(default_factory=list)
    warnings: list[VinWarning] = Field(default_factory=list)
    wmi: str | None = None
    manufacturer: str | None = None
    make: str | None = None
    country: str | None = None
    model_year: int | None = None
    model_year_candidates: list[int] = Field(default_factory=list)
    check_digit_ok: bool | None = None
    plant_code: str | None = None
    serial: str | None = None
    matched_variants: list[MatchedVariant] = Field(default_factory=list)


# ---- sections ----------------------------------------------------------------------------------------


def normalise(raw: str) -> str:
    """Strip surrounding whitespace and upper-case ASCII letters (only ASCII: ``'ß'.upper()`` is 'SS')."""
    return "".join(c.upper() if c.isascii() else c for c in raw.strip())


def vds_of(vin: str) -> str:
    """Vehicle descriptor section: positions 4–9 (position 9 is the check digit)."""
    return vin[3:9]


def vis_of(vin: str) -> str:
    """Vehicle indicator section: positions 10–17 (model year, plant, serial)."""
    return vin[9:17]


def is_north_american(vin: str) -> bool:
    return vin[:1] in ("1", "2", "3", "4", "5")


def is_chinese(vin: str) -> bool:
    return vin[:1] == "L"


def check_digit(vin: str) -> str:
    """The position-9 check digit of a 17-character VIN of the VIN alphabet: ``0``–``9`` or ``X``."""
    total = sum(_TRANSLIT[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def with_check_digit(vin: str) -> str:
    """``vin`` with position 9 replaced by its correct check digit (for building test and demo VINs)."""
    probe = vin[:8] + "0" + vin[9:]
    return vin[:8] + check_digit(probe) + vin[9:]


# ---- model year --------------------------------------------------------------------------------------


def model_years(vin: str, *, today: date | None = None) -> tuple[int | None, list[int]]:
    """(model year, candidates) from position 10.

    North America (WMI 1–5): position 7 numeric → 1980–2009, a letter → 2010–2039 (49 CFR 565.15).
    Elsewhere: the latest year of the cycle not after next year; the candidates list every cycle's year
    up to then, newest first.
    """
    code = vin[9:10]
    if not code or code not in YEAR_CODES:
        return None, []
    base = FIRST_CYCLE + YEAR_CODES.index(code)
    if is_north_american(vin) and len(vin) >= 7:
        year = base + 30 if vin[6].isalpha() else base
        return year, [year]
    limit = (today or datetime.now(UTC).date()).year + 1
    candidates = []
    year = base
    while year <= limit:
        candidates.append(year)
        year += 30
    candidates.sort(reverse=True)
    return (candidates[0] if candidates else None), candidates


# ---- WMI → manufacturer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WmiInfo:
    manufacturer: str | None
    make: str | None
    country: str | None
    source: str


@cache
def _own_table() -> dict[str, WmiInfo]:
    with (_DATA / "wmi_autotrade.csv").open(encoding="utf-8", newline="") as f:
        return {
            r["wmi"]: WmiInfo(r["manufacturer"], r["make"], r["country"] or None, "autotrade")
            for r in csv.DictReader(f)
        }


@cache
def _nhtsa_table() -> dict[str, WmiInfo]:
    with (_DATA / "nhtsa_vpic_wmi.csv").open(encoding="utf-8", newline="") as f:
        return {
            r["wmi"]: WmiInfo(
                r["manufacturer"].strip() or None,
                ", ".join(m.strip() for m in r["makes"].split(",") if m.strip()) or None,
                _country_title(r["country"]),
                "nhtsa",
            )
            for r in csv.DictReader(f)
        }


def _country_title(raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    name = raw.split(" (")[0]
    return " ".join(w.lower() if w in ("OF", "AND", "THE") else w.capitalize() for w in name.split())


def _vininfo(wmi: str) -> WmiInfo | None:
    from vininfo.dicts import WMI  # BSD-3-Clause; see data/README.md

    entry = WMI.get(wmi) or WMI.get(wmi[:2])
    if entry is None:
        return None
    if isinstance(entry, str):
        return WmiInfo(entry, entry, None, "vininfo")
    return WmiInfo(entry.manufacturer, getattr(entry, "title", None), None, "vininfo")


def iso3780_country(wmi: str) -> str | None:
    """Country from the first two WMI characters (ISO 3780 ranges, as tabled by ``vininfo``)."""
    from vininfo.dicts import COUNTRIES

    country: str | None = COUNTRIES.get(wmi[:2])
    return country


def lookup_wmi(vin: str) -> WmiInfo | None:
    """The most specific answer: our own table, then NHTSA (for a small maker, WMI ``xx9`` plus
    positions 12–14, before the bare WMI), then ``vininfo`` (exact WMI, then its first two characters).
    The country comes from our table, else the ISO 3780 range, else NHTSA's registrant country."""
    wmi = vin[:3]
    if len(wmi) < 3:
        return None
    own = _own_table().get(wmi)
    if own is not None:
        return own
    nhtsa = _nhtsa_table()
    found = (nhtsa.get(wmi + vin[11:14]) if wmi[2] == "9" and len(vin) >= 14 else None) or nhtsa.get(wmi)
    found = found or _vininfo(wmi)
    country = iso3780_country(wmi)
    if found is None:
        return WmiInfo(None, None, country, "iso3780") if country else None
    return WmiInfo(found.manufacturer, found.make, country or found.country, found.source)


# ---- decode ------------------------------------------------------------------------------------------


def _char_errors(vin: str) -> list[VinError]:
    errors = []
    for i, c in enumerate(vin, start=1):
        if c in ALPHABET:
            continue
        if c in "IOQ":
            why = "I, O and Q are never used in a VIN (they look like 1 and 0)"
        elif not c.isascii():
            why = "only the Latin letters A–Z (without I, O, Q) and digits 0–9 are allowed"
        else:
            why = "only the letters A–Z (without I, O, Q) and digits 0–9 are allowed"
        errors.append(
            VinError(
                code="vin_characters",
                message=f"character {c!r} at position {i} is not allowed: {why}",
                position=i,
                details={"character": c},
            )
        )
        if len(errors) >= VIN_LENGTH:
            break
    return errors


def decode(raw: str, *, today: date | None = None) -> VinDecoded:
    """Decode one VIN. Never raises on bad input: every problem is an entry of ``errors``."""
    vin = normalise(raw)
    errors: list[VinError] = []
    warnings: list[VinWarning] = []
    if len(vin) != VIN_LENGTH:
        errors.append(
            VinError(
                code="vin_length",
                message=f"a VIN has exactly 17 characters; this one has {len(vin)}",
                details={"length": len(vin)},
            )
        )
    errors += _char_errors(vin)
    out = VinDecoded(vin=vin, valid=False)

    wmi = vin[:3]
    if len(wmi) == 3 and all(c in ALPHABET for c in wmi):
        out.wmi = wmi
        info = lookup_wmi(vin if len(vin) == VIN_LENGTH else wmi)
        if info is not None:
            out.manufacturer, out.make, out.country = info.manufacturer, info.make, info.country
        if info is None or info.manufacturer is None:
            warnings.append(
                VinWarning(
                    code="vin_wmi_unknown",
                    message=f"WMI {wmi} is in none of our tables",
                    details={"wmi": wmi},
                )
            )

    if errors:
        out.errors, out.warnings = errors, warnings
        return out

    strict = is_north_american(vin) or is_chinese(vin)
    region = "North American" if is_north_american(vin) else "Chinese"
    expected = check_digit(vin)
    out.check_digit_ok = vin[8] == expected
    if not out.check_digit_ok:
        msg = f"check digit at position 9 is {vin[8]!r}, expected {expected!r}"
        found = {"found": vin[8], "expected": expected}
        if strict:
            errors.append(
                VinError(
                    code="vin_check_digit",
                    message=f"{msg} (required for {region} VINs)",
                    position=9,
                    details=found,
                )
            )
        else:
            warnings.append(
                VinWarning(
                    code="vin_check_digit",
                    message=f"{msg} (not required outside North America and China)",
                    details=found,
                )
            )

    out.model_year, out.model_year_candidates = model_years(vin, today=today)
    if out.model_year is None:
        msg = f"position 10 {vin[9]!r} is not a model-year code (U, Z and 0 are never used)"
        if strict:
            errors.append(
                VinError(code="vin_model_year", message=msg, position=10, details={"character": vin[9]})
            )
        else:
            warnings.append(VinWarning(code="vin_model_year", message=msg, details={"character": vin[9]}))

    out.plant_code, out.serial = vin[10], vin[11:17]
    out.errors, out.warnings, out.valid = errors, warnings, not errors
    return out


# ---- VIN patterns ------------------------------------------------------------------------------------


def normalise_pattern(raw: str) -> str:
    return normalise(raw)


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` (already normalised) is not a valid VIN pattern, or None."""
    if not pattern:
        return "a VIN pattern needs at least the three WMI characters"
    if len(pattern) > VIN_LENGTH:
        return f"a VIN pattern has at most 17 characters; this one has {len(pattern)}"
    for i, c in enumerate(pattern, start=1):
        if c not in ALPHABET and c not in WILDCARDS:
            return (
                f"character {c!r} at position {i} is neither a VIN character "
                "(0-9, A-Z without I, O, Q) nor * or ?"
            )
    if len(pattern) < 3 or any(c in WILDCARDS for c in pattern[:3]):
        return "the first three characters (the WMI) must be concrete VIN characters"
    return None


def pattern_matches(pattern: str, vin: str) -> bool:
    """Position by position, ``*`` or ``?`` matches anything; a shorter pattern matches VINs it starts."""
    return len(pattern) <= len(vin) and all(
        p in WILDCARDS or p == v for p, v in zip(pattern, vin, strict=False)
    )


def pattern_specificity(pattern: str) -> int:
    """How many concrete characters a pattern fixes: more wins when several match."""
    return sum(1 for c in pattern if c not in WILDCARDS)
