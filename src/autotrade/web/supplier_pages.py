"""Supplier pages:
offers and price policies (with bulk upload), stock by warehouse, alliance stock and transfer requests.
"""

from __future__ import annotations

from autotrade.core.routing import api_router

router = api_router(tags=["web"])
