"""Catalogue routes: parts, numbers, fitment, search, import/export."""

from autotrade.core.routing import api_router

router = api_router("/api/v1", tags=["catalogue"])
