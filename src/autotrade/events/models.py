"""events: tables (see the package docstring)."""
