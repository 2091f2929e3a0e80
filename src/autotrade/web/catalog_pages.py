"""Platform pages:
catalogue maintenance (vehicles, parts, imports with progress) and commission rates.

``/platform/catalog`` (``platform.catalog:view``) is the overview; the vehicle tree, parts, imports
and commission rates live in ``catalog_vehicles``, ``catalog_parts``, ``catalog_imports`` and
``catalog_commission``, whose routers are included here. Changes need ``platform.catalog:edit``
(commission rates: ``platform.finance:view`` / ``:edit``, as the escrow API).
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from autotrade.catalog import service as catalog
from autotrade.catalog.repository import MasterDataRepository
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.web import catalog_commission, catalog_imports, catalog_parts, catalog_vehicles
from autotrade.web.catalog_common import VIEW
from autotrade.web.render import render

router = api_router(tags=["web"])


@router.get("/platform/catalog", include_in_schema=False)
def overview(
    request: Request,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    runs, _ = catalog.import_runs(db, None, 5)
    return render(
        request,
        "catalog/overview.html",
        db,
        counts=MasterDataRepository(db).counts(),
        runs=runs,
        import_kinds=catalog_imports.IMPORT_KINDS,
        import_statuses=catalog_imports.JOB_STATUSES,
        tab="overview",
    )


for _sub in (
    catalog_vehicles.router,
    catalog_parts.router,
    catalog_imports.router,
    catalog_commission.router,
):
    router.include_router(_sub)
