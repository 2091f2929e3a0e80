"""Commission and refund arithmetic (pure functions, integers only; docs/escrow.md has worked examples).

* **Commission of a line** = half up (``base_fen`` × ``rate_bp`` / 10000), computed per line, where
  ``base_fen`` is the line's gross (VAT included) minus what was refunded of that line. The order's
  commission is the sum of its lines' (so every line shows exactly what it contributes).
* **Which rate**: among the rates in force at the order's placement time, the one of the most specific
  category whose subtree holds the line's part (longest category path) wins, whatever its trade type;
  without one, the default rate (no category) of the line's trade type: ``wear_parts`` when the part's
  category path contains one of :data:`WEAR_PART_CATEGORIES`, else ``parts``. No rate at all: 0 bp.
* **Return refund of a line**: the refund for returning ``q`` pieces when ``before`` were already
  refunded by returns is ``share(gross, before + q, quantity) − share(gross, before, quantity)`` with
  ``share(g, k, n)`` = half up (g × k / n): returning every piece refunds exactly the line's gross.
* **Partial amount over lines** (a dispute's partial refund): proportional to what each line still
  holds, floored, the remaining fen to the lines with the largest remainders (ties: line order).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from autotrade.escrow.models import TradeType

# Categories whose subtrees are wear parts (易损件), by the catalogue's category codes
# (catalog/demo_data/1-categories.csv, catalog/generate_vocab.py): brake pads, every filter (oil,
# air, cabin, fuel), spark plugs, wiper blades and timing belts.
WEAR_PART_CATEGORIES: frozenset[str] = frozenset(
    {"BRAKE.PAD", "FILTER", "IGNITION.PLUG", "ELECTRICAL.WIPER", "ENGINE.TIMING_BELT"}
)

# The defaults the migration writes (bp): new vehicle 1 %, used vehicle 2.5 %, wear parts 3 %,
# other parts 2 % (the brief leaves "other parts" configurable; we chose 2 %).
DEFAULT_RATES_BP: dict[TradeType, int] = {
    TradeType.new_vehicle: 100,
    TradeType.used_vehicle: 250,
    TradeType.wear_parts: 300,
    TradeType.parts: 200,
}


def half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator), halves up, for numerator >= 0 and denominator > 0."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("half_up takes a non-negative numerator and a positive denominator")
    return (2 * numerator + denominator) // (2 * denominator)


def commission_fen(base_fen: int, rate_bp: int) -> int:
    """Half up on integers: ``(base × bp + 5000) // 10000`` (docs/money.md)."""
    if base_fen < 0:
        raise ValueError("commission base must not be negative")
    return (base_fen * rate_bp + 5000) // 10000


def trade_type_of(category_path: str) -> TradeType:
    """``wear_parts`` when a segment of the category path ("BRAKE/BRAKE.PAD") is a wear category."""
    return TradeType.wear_parts if set(category_path.split("/")) & WEAR_PART_CATEGORIES else TradeType.parts


def in_subtree(path: str, subtree: str) -> bool:
    return path == subtree or path.startswith(subtree + "/")


@dataclass(frozen=True)
class RateRow:
    id: uuid.UUID
    trade_type: str
    category_path: str | None  # None: the trade type's default
    rate_bp: int
    effective_from: datetime
    effective_until: datetime | None

    def in_force(self, at: datetime) -> bool:
        return self.effective_from <= at and (self.effective_until is None or at < self.effective_until)


def pick_rate(rates: Sequence[RateRow], category_path: str, at: datetime) -> tuple[RateRow | None, str]:
    """The rate of a line (see the module docstring) and the trade type it is charged as."""
    live = [r for r in rates if r.in_force(at)]
    specific = [r for r in live if r.category_path is not None and in_subtree(category_path, r.category_path)]
    if specific:
        best = max(specific, key=lambda r: (len(r.category_path or ""), r.effective_from, r.id))
        return best, best.trade_type
    trade = trade_type_of(category_path)
    defaults = [r for r in live if r.category_path is None and r.trade_type == trade.value]
    if defaults:
        best = max(defaults, key=lambda r: (r.effective_from, r.id))
        return best, best.trade_type
    return None, trade.value


def return_share(gross_fen: int, quantity: int, before: int, returned: int) -> int:
    """What returning ``returned`` more pieces of a line refunds, ``before`` pieces already refunded."""
    return half_up(gross_fen * (before + returned), quantity) - half_up(gross_fen * before, quantity)


def spread(amount_fen: int, weights: Sequence[int]) -> list[int]:
    """Split ``amount_fen`` over ``weights`` (what each line still holds) proportionally: floors, then
    one fen each to the largest remainders (ties: earlier line first). Σ result = amount_fen; no part
    exceeds its weight when amount_fen <= Σ weights."""
    total = sum(weights)
    if amount_fen < 0 or total <= 0 or amount_fen > total:
        raise ValueError("spread needs 0 <= amount <= the sum of positive weights")
    parts = [amount_fen * w // total for w in weights]
    left = amount_fen - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(amount_fen * weights[i] % total), i))
    for i in order[:left]:
        parts[i] += 1
    return parts
