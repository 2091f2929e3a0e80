"""inventory: tables (see the package docstring)."""
