"""credit: typed errors with stable codes (docs/credit.md lists them)."""

from __future__ import annotations

from autotrade.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class CreditLineNotFound(NotFound):
    code = "credit_line_not_found"
    title = "Credit line not found"


class CreditInvoiceNotFound(NotFound):
    code = "credit_invoice_not_found"
    title = "Credit invoice not found"


class BuyerNotFound(NotFound):
    """Not a company the caller may extend credit to (a supplier: one that has ordered from it)."""

    code = "buyer_not_found"
    title = "Buyer not found"


class CreditLineExists(Conflict):
    code = "credit_line_exists"
    title = "This creditor already grants this buyer a credit line: adjust it instead"


class NotTheCreditor(PermissionDenied):
    code = "not_the_creditor"
    title = "Only the creditor may change a credit line"


class WrongParty(PermissionDenied):
    """Only the buyer of an order pays it (on credit or otherwise)."""

    code = "wrong_party"
    title = "Only the buyer pays an order"


class NoCreditLine(Conflict):
    code = "no_credit_line"
    title = "No credit line from the platform or this order's supplier"


class CreditLineSuspended(Conflict):
    code = "credit_line_suspended"
    title = "The credit line is suspended"


class CreditLimitExceeded(Conflict):
    code = "credit_limit_exceeded"
    title = "The order exceeds the credit available"


class CreditOverdue(Conflict):
    code = "credit_overdue"
    title = "An overdue credit invoice blocks new credit payments"


class CurrencyMismatch(ValidationFailed):
    code = "currency_mismatch"
    title = "The currency does not match"


class RepaymentTooLarge(ValidationFailed):
    code = "repayment_exceeds_outstanding"
    title = "The repayment is more than the invoice still owes"


class InvoiceAlreadyPaid(Conflict):
    code = "credit_invoice_paid"
    title = "The credit invoice is already fully repaid"


class DuplicateRepayment(Conflict):
    code = "duplicate_repayment"
    title = "This bank transfer was already confirmed for this invoice"


class InvalidLineState(Conflict):
    code = "invalid_transition"
    title = "This action is not allowed in the credit line's current state"
