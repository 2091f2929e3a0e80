"""Supplier pages: incoming orders (confirm, ship, returns), settlement statements and payouts."""

from __future__ import annotations

from autotrade.core.routing import api_router

router = api_router(tags=["web"])
