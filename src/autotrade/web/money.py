"""Money and rates as the pages show and read them: integer fen ↔ ``¥1,234.56`` text, basis points ↔
percentages. Integer and Decimal arithmetic only (never floats); every area's pages use these."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_YUAN = re.compile(r"^(\d{1,12})(?:\.(\d{1,2}))?$")


def yuan(fen: int | None, currency: str = "CNY") -> str:
    """Integer fen as ``¥1,234.56`` (``-¥12.30`` below zero, ``—`` for None); another currency keeps
    its code (``USD 1.00``)."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    symbol = "¥" if currency == "CNY" else f"{currency} "
    return f"{sign}{symbol}{whole:,}.{cents:02d}"


def yuan_input(fen: int | None) -> str:
    """Integer fen as a form value (``1234.56``; ``""`` for None)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def parse_yuan(text: str | None) -> int | None:
    """What a person typed (``1,234.5``, ``¥1234.56``) as integer fen; None when it is not an amount
    (negative, more than two decimals, more than 12 digits)."""
    raw = (text or "").strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    m = _YUAN.match(raw)
    if not m:
        return None
    return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))


def percent(bp: int | None) -> str:
    """Basis points as a percentage to show: 1300 → ``13%``, 850 → ``8.5%``, 1234 → ``12.34%``."""
    return "" if bp is None else bp_to_percent(bp) + "%"


def bp_to_percent(bp: int | None) -> str:
    """Basis points as the number typed into a percentage field: 250 → ``2.5``, 0 → ``0``."""
    if bp is None:
        return ""
    sign = "-" if bp < 0 else ""
    whole, frac = divmod(abs(int(bp)), 100)
    return sign + (f"{whole}.{frac:02d}".rstrip("0") if frac else str(whole))


def percent_to_bp(text: str | None) -> int | None:
    """``2.5`` or ``2.5%`` (per cent) → 250 basis points; None when not a number with at most two
    decimals."""
    try:
        value = Decimal((text or "").strip().rstrip("%").strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    bp = value * 100
    if bp != bp.to_integral_value():
        return None
    return int(bp)
