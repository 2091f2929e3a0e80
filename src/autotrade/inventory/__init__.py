"""Warehouses, stock levels, stock movements, alliances (shared inventory), transfers, low-stock alerts."""
