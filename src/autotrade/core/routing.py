from fastapi import APIRouter

from autotrade.core.http import UnitOfWorkRoute


def api_router(prefix: str = "", tags: list[str] | None = None) -> APIRouter:
    """Every router commits through :class:`UnitOfWorkRoute`."""
    return APIRouter(prefix=prefix, tags=list(tags or []), route_class=UnitOfWorkRoute)
