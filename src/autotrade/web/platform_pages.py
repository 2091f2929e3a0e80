"""Platform pages:
home dashboard, disputes to decide, reconciliation and finance, audit log search.
"""

from __future__ import annotations

from autotrade.core.routing import api_router

router = api_router(tags=["web"])
