"""escrow: tables (see the package docstring)."""
