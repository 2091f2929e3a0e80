"""settlement: tables (see the package docstring)."""
