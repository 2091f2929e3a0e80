"""orders: typed errors with stable codes."""

from __future__ import annotations

from autotrade.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed


class OrderNotFound(NotFound):
    code = "order_not_found"
    title = "Order not found"


class ReturnNotFound(NotFound):
    code = "return_not_found"
    title = "Return not found"


class DisputeNotFound(NotFound):
    code = "dispute_not_found"
    title = "Dispute not found"


class LineNotFound(ValidationFailed):
    code = "line_not_found"
    title = "The order has no such line"


class IllegalTransition(InvalidTransition):
    """The action is not allowed in the current state; ``allowed_actions`` lists those that are."""

    code = "invalid_transition"


class WrongParty(PermissionDenied):
    """The action belongs to the other party of the order (only the supplier confirms and ships,
    only the buyer pays, accepts and completes)."""

    code = "wrong_party"
    title = "This action belongs to the other party of the order"


class EmptyCheckout(ValidationFailed):
    code = "empty_checkout"
    title = "A checkout needs at least one line"


class TooManyLines(ValidationFailed):
    code = "too_many_lines"
    title = "Too many lines in one checkout"


class DuplicateLine(ValidationFailed):
    code = "duplicate_line"
    title = "The same offer appears on two lines"


class OwnOffer(ValidationFailed):
    code = "own_offer"
    title = "A company cannot order from itself"


class QuantityTooLarge(ValidationFailed):
    code = "quantity_too_large"
    title = "The quantity exceeds what is left on the line"


class ReturnOpen(Conflict):
    code = "return_open"
    title = "The order has a return that is not closed yet"


class DisputeOpen(Conflict):
    code = "dispute_open"
    title = "The order already has an open dispute"


class NothingToShip(ValidationFailed):
    code = "nothing_to_ship"
    title = "Nothing is left to ship on this order"
