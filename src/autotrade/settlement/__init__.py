"""Supplier settlement statements, payouts, reconciliation report, VAT invoices."""
