"""Buyer pages after checkout:
my orders with timeline, receiving inspection, returns, disputes, invoices, credit.
"""

from __future__ import annotations

from autotrade.core.routing import api_router

router = api_router(tags=["web"])
