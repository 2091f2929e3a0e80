from __future__ import annotations

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from autotrade.core.deps import public
from autotrade.core.routing import api_router

router = api_router(tags=["operations"])


@router.get("/healthz", dependencies=[Depends(public())])
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", dependencies=[Depends(public())])
def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers."""
    try:
        with request.app.state.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # any driver error means not ready
        return JSONResponse({"status": "unavailable", "database": str(e)[:200]}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/metrics", dependencies=[Depends(public())])
def metrics() -> Response:
    """Prometheus metrics."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
