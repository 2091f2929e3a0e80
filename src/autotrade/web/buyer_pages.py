"""Buyer pages:
search (VIN, OE/brand number, words), part page with price comparison, cart and quick order,
checkout, payment.
"""

from __future__ import annotations

from autotrade.core.routing import api_router

router = api_router(tags=["web"])
