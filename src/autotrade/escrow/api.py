"""escrow: HTTP routes (thin: parse, call the service, shape the answer).

* ``GET /api/v1/orders/{order_id}/escrow`` — buyer and supplier (``orders:view``): held, released,
  commission, refunded, frozen.
* ``/api/v1/platform/commission-rates`` — platform finance: list and read (``platform.finance:view``),
  create and change (``platform.finance:edit``).
* ``GET /api/v1/platform/orders/{order_id}/escrow`` — platform finance: any order's escrow.
"""

from __future__ import annotations

import uuid

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.pagination import Page, page_of
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.escrow import rates, service
from autotrade.escrow import tasks as _tasks  # noqa: F401  (registers the escrow.* jobs)
from autotrade.escrow.models import CommissionRate, TradeType
from autotrade.escrow.repository import RateRepository
from autotrade.escrow.schemas import EscrowOut, RateIn, RateOut, RateUpdate
from autotrade.orders.errors import OrderNotFound
from autotrade.orders.repository import DisputeRepository
from autotrade.orders.service import get_order

router = api_router("/api/v1", tags=["escrow"])
FINANCE_VIEW = require("platform.finance:view")
FINANCE_EDIT = require("platform.finance:edit")


@router.get("/orders/{order_id}/escrow", response_model=EscrowOut)
def order_escrow(
    order_id: uuid.UUID, p: Principal = Depends(require("orders:view")), db: Session = Depends(get_db)
) -> EscrowOut:
    """The order's escrow, for its buyer and its supplier (commission lines: the supplier only)."""
    return EscrowOut.build(service.view(db, get_order(db, order_id)))


@router.get("/platform/orders/{order_id}/escrow", response_model=EscrowOut)
def platform_order_escrow(
    order_id: uuid.UUID, p: Principal = Depends(FINANCE_VIEW), db: Session = Depends(get_db)
) -> EscrowOut:
    """Any order's escrow (platform finance)."""
    order = DisputeRepository(db).order_any_tenant(order_id)
    if order is None:
        raise OrderNotFound()
    return EscrowOut.build(service.view(db, order))


@router.get("/platform/commission-rates", response_model=Page[RateOut])
def list_rates(
    trade_type: TradeType | None = None,
    category_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(FINANCE_VIEW),
    db: Session = Depends(get_db),
) -> Page[RateOut]:
    """Commission rates, newest first (filter by trade type or category)."""
    stmt = RateRepository(db).listing(
        trade_type=trade_type.value if trade_type else None, category_id=category_id
    )
    return page_of(db, stmt, CommissionRate.id, RateOut.model_validate, cursor=cursor, limit=limit)


@router.post("/platform/commission-rates", status_code=201, response_model=RateOut)
def create_rate(data: RateIn, p: Principal = Depends(FINANCE_EDIT), db: Session = Depends(get_db)) -> RateOut:
    """A new rate for a trade type (and optionally a category subtree) from a date."""
    return RateOut.model_validate(rates.create_rate(db, data))


@router.get("/platform/commission-rates/{rate_id}", response_model=RateOut)
def get_rate(
    rate_id: uuid.UUID, p: Principal = Depends(FINANCE_VIEW), db: Session = Depends(get_db)
) -> RateOut:
    return RateOut.model_validate(rates.get_rate(db, rate_id))


@router.patch("/platform/commission-rates/{rate_id}", response_model=RateOut)
def update_rate(
    rate_id: uuid.UUID, data: RateUpdate, p: Principal = Depends(FINANCE_EDIT), db: Session = Depends(get_db)
) -> RateOut:
    """Change a rate: its end and note always; its rate and start only before it is in force."""
    return RateOut.model_validate(rates.update_rate(db, rate_id, data))
