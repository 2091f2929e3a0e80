"""The ASGI application: ``create_app()`` wires settings, database, routers, error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from autotrade import __version__
from autotrade.core import crypto
from autotrade.core.db import Database
from autotrade.core.errors import AppError
from autotrade.core.http import (
    RequestContextMiddleware,
    app_error_problem,
    http_problem,
    problem,
    unhandled_problem,
    validation_problem,
)
from autotrade.core.logging import configure_logging
from autotrade.core.ratelimit import make_rate_limiter
from autotrade.core.runtime import tune_gc
from autotrade.core.settings import Settings, get_settings
from autotrade.jobs import service as jobs

PACKAGE_DIR = Path(__file__).parent


def _is_web(request: Request) -> bool:
    return not (
        request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/readyz", "/metrics")
    )


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_production()
    configure_logging(settings.log_level, json=settings.log_json)
    crypto.configure(settings)
    db = db or Database.from_settings(settings)
    owns_runner = jobs.runner() is None
    if owns_runner:
        jobs.configure(jobs.make_runner(db, settings.queue, settings.broker_url))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_runner and (r := jobs.runner()) is not None:
            r.shutdown()

    app = FastAPI(
        title="autotrade API",
        version=__version__,
        description="Automotive B2B trading platform. Errors are RFC 9457 problem+json with a stable `code`.",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.rate_limiter = make_rate_limiter(settings.redis_url)

    from autotrade.audit.api import router as audit_router
    from autotrade.cart.api import router as cart_router
    from autotrade.catalog.api import router as catalog_router
    from autotrade.catalog.import_api import router as catalog_import_router
    from autotrade.core.health import router as health_router
    from autotrade.credit.api import router as credit_router
    from autotrade.escrow.api import router as escrow_router
    from autotrade.events.api import router as events_router
    from autotrade.iam.api import router as iam_router
    from autotrade.inventory.api import router as inventory_router
    from autotrade.jobs.api import router as jobs_router
    from autotrade.ledger.api import router as ledger_router
    from autotrade.orders.api import router as orders_router
    from autotrade.orgs.api import platform as orgs_platform
    from autotrade.orgs.api import router as orgs_router
    from autotrade.payments.api import router as payments_router
    from autotrade.pricing.api import router as pricing_router
    from autotrade.settlement.api import router as settlement_router
    from autotrade.vehicles.api import router as vehicles_router
    from autotrade.web import pages

    routers = (
        health_router,
        iam_router,
        orgs_router,
        orgs_platform,
        audit_router,
        jobs_router,
        vehicles_router,
        catalog_router,
        catalog_import_router,
        inventory_router,
        pricing_router,
        cart_router,
        orders_router,
        events_router,
        ledger_router,
        payments_router,
        escrow_router,
        settlement_router,
        credit_router,
        pages.router,
    )
    for r in routers:
        app.include_router(r)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")

    async def on_app_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AppError)
        if _is_web(request):
            return await pages.web_error(request, exc)
        return app_error_problem(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if _is_web(request):  # e.g. a malformed id in a page URL
            return await pages.web_error(
                request, AppError("the address is not valid", code="not_found"), status=404
            )
        return validation_problem(request, exc)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if _is_web(request) and exc.status_code == 404:
            return await pages.web_error(request, AppError(str(exc.detail), code="not_found"), status=404)
        return http_problem(request, exc)

    async def on_integrity(request: Request, exc: Exception) -> Response:
        return problem(409, "conflict", "Conflict", "The request conflicts with existing data.")

    async def on_unhandled(request: Request, exc: Exception) -> Response:
        response = unhandled_problem(request, exc)  # logs the traceback
        if _is_web(request):
            return await pages.web_error(
                request, AppError("an unexpected error occurred", code="internal_error"), status=500
            )
        return response

    app.add_exception_handler(AppError, on_app_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(Exception, on_unhandled)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    tune_gc()  # the app's long-lived objects are built: keep the collector off them
    return app


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory autotrade.app:app_factory``."""
    return create_app()
