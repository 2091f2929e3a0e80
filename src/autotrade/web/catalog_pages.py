"""Platform pages:
catalogue maintenance (vehicles, parts, imports with progress) and commission rates.
"""

from __future__ import annotations

from autotrade.core.routing import api_router

router = api_router(tags=["web"])
