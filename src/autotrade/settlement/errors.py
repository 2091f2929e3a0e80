"""settlement: typed errors with stable codes."""

from __future__ import annotations

from autotrade.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed


class InvalidPeriod(ValidationFailed):
    code = "invalid_period"
    title = "The period is not valid"


class StatementNotFound(NotFound):
    code = "statement_not_found"
    title = "Settlement statement not found"


class SupplierNotFound(NotFound):
    code = "supplier_not_found"
    title = "Supplier not found"


class InvalidAmount(ValidationFailed):
    code = "invalid_amount"
    title = "The amount must be a positive number of fen"


class InvalidInvoiceDate(ValidationFailed):
    code = "invalid_invoice_date"
    title = "The invoice date must lie between the request and today (China time)"


class PayoutExceedsPayable(Conflict):
    code = "payout_exceeds_payable"
    title = "The payout is more than the platform owes the supplier"


class DuplicateBankReference(Conflict):
    code = "duplicate_bank_reference"
    title = "A payout with this bank reference is already recorded for the supplier"


class PayoutNotFound(NotFound):
    code = "payout_not_found"
    title = "Payout not found"


class InvalidTaxpayerId(ValidationFailed):
    code = "invalid_taxpayer_id"
    title = "The taxpayer identification number (纳税人识别号) is not valid"


class TaxProfileNotFound(NotFound):
    code = "tax_profile_not_found"
    title = "Tax profile not found"


class IncompleteTaxDetails(ValidationFailed):
    code = "incomplete_tax_details"
    title = "A special VAT invoice (增值税专用发票) needs the full tax details"


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"
    title = "Invoice not found"


class OrderNotFound(NotFound):
    code = "order_not_found"
    title = "Order not found"


class NotInvoiceable(ValidationFailed):
    code = "not_invoiceable"
    title = "Nothing to invoice"


class AlreadyInvoiced(Conflict):
    code = "already_invoiced"
    title = "An invoice is already requested or issued for this"


class InvoiceNumberTaken(Conflict):
    code = "invoice_number_taken"
    title = "This invoice number is already recorded by your company"


class InvoiceTransition(InvalidTransition):
    code = "invalid_transition"


class WrongParty(PermissionDenied):
    """One party of an invoice tried the other party's action (the buyer cannot issue)."""

    code = "wrong_party"
    title = "Only the issuing supplier may do this"
