"""Platform pages:
home dashboard, disputes to decide, reconciliation and finance, audit log search.

The dashboard lives here; disputes (``platform_disputes``), finance (``platform_finance``) and the
audit log (``platform_audit``) have modules of their own, included below. See docs/web/platform.md.
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.reports import service as reports
from autotrade.web import platform_audit, platform_disputes, platform_finance
from autotrade.web.platform_common import page, yuan
from autotrade.web.render import translator

router = api_router(tags=["web"])
for _sub in (platform_disputes.router, platform_finance.router, platform_audit.router):
    router.include_router(_sub)

# Platform-wide trading figures (no personal data, no single company's money): every member of the
# platform staff may open the dashboard; the navigation shows it to platform finance.
PLATFORM_STAFF = require(
    "platform.finance:view",
    "platform.risk:view",
    "platform.audit:view",
    "platform.companies:view",
    "platform.catalog:view",
    "platform.users:view",
    any_of=True,
)


@router.get("/platform/dashboard", include_in_schema=False)
def dashboard(
    request: Request,
    p: Principal = Depends(PLATFORM_STAFF),
    db: Session = Depends(get_db),
) -> Response:
    t = translator(request, db)
    d = reports.dashboard(db, tz=t.tz)
    chart = {
        "labels": [x.province for x in d.provinces],
        "orders": [x.orders for x in d.provinces],
        "gmv": [yuan(x.gross_fen) for x in d.provinces],
        "series": t.gettext("Orders"),
        "gmv_label": t.gettext("GMV"),
    }
    return page(request, "platform/dashboard.html", db, d=d, chart=chart, tz_name=str(t.tz))
