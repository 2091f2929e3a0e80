"""payments: typed errors with stable codes."""

from __future__ import annotations

from autotrade.core.errors import AppError, Conflict, NotFound, ValidationFailed


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    title = "Payment not found"


class OrderNotPayable(Conflict):
    """The order is not waiting for a payment (already paid, or cancelled)."""

    code = "order_not_payable"
    title = "The order is not waiting for a payment"


class ProviderNotAvailable(ValidationFailed):
    code = "provider_not_available"
    title = "This payment method cannot be chosen here"


class AmountMismatch(ValidationFailed):
    """A confirmed transfer's amount differs from the order's gross: nothing is written."""

    code = "amount_mismatch"
    title = "The amount does not match the order"


class BankReferenceUsed(Conflict):
    code = "bank_reference_used"
    title = "This bank reference was already confirmed"


class RefundNotAllowed(Conflict):
    """A refund of a payment that holds no money, or of more than it still holds."""

    code = "refund_not_allowed"
    title = "This refund is not possible"


class CallbackRejected(AppError):
    """A callback that fails verification. The boundary commits before answering: the callback is
    logged (``payment_callbacks``) even though it is refused."""

    status = 401
    code = "bad_signature"
    title = "The callback signature is not valid"
    commit = True


class CallbackMalformed(AppError):
    """A verified callback whose content we cannot use (logged, like every callback)."""

    status = 422
    code = "malformed_callback"
    title = "The callback cannot be read"
    commit = True


class SimulatorDisabled(NotFound):
    code = "simulator_disabled"
    title = "The gateway simulator is not available in production"
