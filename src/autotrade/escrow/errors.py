"""escrow: typed errors (stable codes)."""

from __future__ import annotations

from autotrade.core.errors import Conflict, NotFound, ValidationFailed


class RateNotFound(NotFound):
    code = "commission_rate_not_found"
    title = "Commission rate not found"


class RateOverlap(Conflict):
    """Another rate of the same trade type and category is in force for part of this period."""

    code = "commission_rate_overlap"
    title = "Another rate covers part of this period"


class RateInForce(Conflict):
    """A rate that has started is history: only its end (``effective_until``, not in the past) and note
    may change; end it and create a new one instead."""

    code = "commission_rate_in_force"
    title = "This rate is already in force"


class InvalidRate(ValidationFailed):
    code = "invalid_commission_rate"
    title = "The commission rate is not valid"


class EscrowFrozen(Conflict):
    """The order has an open dispute: its escrow is frozen until the platform decides."""

    code = "escrow_frozen"
    title = "The order's escrow is frozen by an open dispute"


class RefundExceedsEscrow(Conflict):
    """A refund larger than what the order still holds in escrow (escrow never goes negative)."""

    code = "refund_exceeds_escrow"
    title = "The refund is more than the order holds in escrow"
