"""Checkout, allocation and reservation, orders and their state machine, shipments, returns, disputes."""
