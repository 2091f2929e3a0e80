"""payments: tables (see the package docstring)."""
