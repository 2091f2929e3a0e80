"""cart: typed errors (stable codes; rendered as problem+json)."""

from __future__ import annotations

from autotrade.core.errors import Conflict, NotFound, ValidationFailed


class TooManyLines(ValidationFailed):
    code = "too_many_lines"
    title = "Too many lines in one quick order"


class UnreadableFile(ValidationFailed):
    code = "unreadable_file"
    title = "The uploaded file cannot be read"


class EmptyInput(ValidationFailed):
    code = "empty_input"
    title = "Nothing to order"


class LineNotResolved(Conflict):
    """A single line (added by part, SKU or offer) that cannot be ordered as asked; ``code`` is the
    resolution code (``no_offer``, ``insufficient_stock``, ``below_moq`` …)."""

    code = "line_not_resolved"
    title = "This line cannot be ordered as asked"


class UnknownPart(NotFound):
    code = "part_not_found"
    title = "No such part"


class OfferMismatch(ValidationFailed):
    code = "offer_mismatch"
    title = "The offer is not an offer for this part"


class CartLineNotFound(NotFound):
    code = "cart_line_not_found"
    title = "No such line in your cart"


class CartEmpty(Conflict):
    code = "cart_empty"
    title = "The cart is empty"


class CartNotReady(Conflict):
    code = "cart_not_ready"
    title = "Some cart lines cannot be ordered now"


class ListNameTaken(Conflict):
    code = "requisition_list_name_taken"
    title = "A requisition list with this name exists"


class RequisitionListNotFound(NotFound):
    code = "requisition_list_not_found"
    title = "No such requisition list"


class RequisitionLineNotFound(NotFound):
    code = "requisition_line_not_found"
    title = "No such line in this requisition list"


class ListFull(ValidationFailed):
    code = "too_many_lines"
    title = "The requisition list is full"
