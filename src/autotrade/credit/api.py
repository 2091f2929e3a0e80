"""credit: HTTP routes (thin: parse, call the service, shape the answer)."""

from autotrade.core.routing import api_router

router = api_router("/api/v1", tags=["credit"])
