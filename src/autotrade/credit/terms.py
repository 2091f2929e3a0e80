"""credit: the pure rules of terms and lateness (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta

from autotrade.credit.models import CreditInvoice, CreditInvoiceStatus

DAY = timedelta(days=1)


def due_at(issued_at: datetime, term_days: int) -> datetime:
    """Net ``term_days``: due exactly that many days after the order was paid on credit."""
    return issued_at + term_days * DAY


def is_overdue(invoice: CreditInvoice, now: datetime) -> bool:
    """Unpaid past ``due_at`` — read from ``due_at`` itself, never from a status the job may not have
    written yet."""
    return invoice.status != CreditInvoiceStatus.paid and invoice.due_at < now


def effective_status(invoice: CreditInvoice, now: datetime) -> CreditInvoiceStatus:
    return CreditInvoiceStatus.overdue if is_overdue(invoice, now) else invoice.status


def days_late(due: datetime, at: datetime) -> int:
    """Whole days (rounded up: one second late is one day late) from ``due`` to ``at``; 0 if on time."""
    if at <= due:
        return 0
    late = at - due
    return late.days + (1 if late.seconds or late.microseconds else 0)


def days_overdue(invoice: CreditInvoice, now: datetime) -> int:
    return days_late(invoice.due_at, now) if is_overdue(invoice, now) else 0
