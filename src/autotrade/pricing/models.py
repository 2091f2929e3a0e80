"""pricing: tables (see the package docstring)."""
