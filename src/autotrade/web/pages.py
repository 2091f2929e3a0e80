"""Server-rendered pages (Jinja2 + HTMX). Placeholder until the web shell lands."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from autotrade.core.errors import AppError
from autotrade.core.routing import api_router

router = api_router(tags=["web"])


async def web_error(request: Request, exc: AppError, status: int | None = None) -> Response:
    return HTMLResponse(f"<h1>{exc.status}</h1><p>{exc.detail}</p>", status_code=status or exc.status)
