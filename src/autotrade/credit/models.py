"""credit: tables (see the package docstring)."""
