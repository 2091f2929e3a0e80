"""cart: tables (see the package docstring)."""
