"""orders: tables (see the package docstring)."""
