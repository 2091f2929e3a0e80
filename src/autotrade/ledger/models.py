"""ledger: tables (see the package docstring)."""
