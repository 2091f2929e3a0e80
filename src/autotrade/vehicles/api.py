"""Vehicle tree and VIN decoding routes (filled in by the vehicles work)."""

from autotrade.core.routing import api_router

router = api_router("/api/v1", tags=["vehicles"])
