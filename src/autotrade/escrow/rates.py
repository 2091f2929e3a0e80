"""Commission rates (platform finance, ``platform.finance:edit``): create, change, list.

A rate is for a trade type and optionally one category subtree, in force over [``effective_from``,
``effective_until``). Two rates of the same trade type and category never overlap (``commission_rate_
overlap``). A rate in force is history: commissions of orders placed under it are computed from it at
release, so only its end (not into the past) and note may change; a new rate replaces it from a date.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.core.db import utcnow
from autotrade.escrow.errors import InvalidRate, RateInForce, RateNotFound, RateOverlap
from autotrade.escrow.models import CommissionRate
from autotrade.escrow.repository import RateRepository
from autotrade.escrow.schemas import RateIn, RateUpdate


def get_rate(session: Session, rate_id: uuid.UUID) -> CommissionRate:
    rate = RateRepository(session).get(rate_id)
    if rate is None:
        raise RateNotFound()
    return rate


def _check(
    session: Session,
    trade_type: str,
    category_id: uuid.UUID | None,
    start: datetime,
    end: datetime | None,
    *,
    exclude: uuid.UUID | None = None,
) -> None:
    if end is not None and end <= start:
        raise InvalidRate("effective_until must be after effective_from", field="effective_until")
    repo = RateRepository(session)
    if category_id is not None and not repo.category_exists(category_id):
        raise InvalidRate("no such category", field="category_id", code="category_not_found")
    clash = repo.overlapping(trade_type, category_id, start, end, exclude=exclude)
    if clash:
        raise RateOverlap(
            f"rate {clash[0].id} of this trade type and category is in force from "
            f"{clash[0].effective_from.isoformat()} to "
            f"{clash[0].effective_until.isoformat() if clash[0].effective_until else 'open end'}",
            field="effective_from",
        )


def create_rate(session: Session, data: RateIn) -> CommissionRate:
    start = data.effective_from
    _check(session, data.trade_type.value, data.category_id, start, data.effective_until)
    rate = CommissionRate(
        trade_type=data.trade_type.value,
        category_id=data.category_id,
        rate_bp=data.rate_bp,
        effective_from=start,
        effective_until=data.effective_until,
        note=data.note,
    )
    session.add(rate)
    label(rate, "commission_rates.create")
    session.flush()
    return rate


def update_rate(
    session: Session, rate_id: uuid.UUID, data: RateUpdate, *, now: datetime | None = None
) -> CommissionRate:
    rate = get_rate(session, rate_id)
    now = now or utcnow()
    fields = data.model_fields_set
    started = rate.effective_from <= now
    if started and ({"rate_bp", "effective_from"} & fields):
        raise RateInForce(
            "this rate is in force: end it (effective_until) and create a new rate instead",
            field="rate_bp" if "rate_bp" in fields else "effective_from",
        )
    start = data.effective_from if "effective_from" in fields and data.effective_from else rate.effective_from
    end = data.effective_until if "effective_until" in fields else rate.effective_until
    if "effective_until" in fields and end is not None and end < now and started:
        raise RateInForce("a rate in force cannot end in the past", field="effective_until")
    if (
        "effective_until" in fields
        and end is None
        and rate.effective_until is not None
        and rate.effective_until <= now
    ):
        raise RateInForce("an ended rate cannot be reopened: create a new rate", field="effective_until")
    _check(session, rate.trade_type, rate.category_id, start, end, exclude=rate.id)
    if "rate_bp" in fields and data.rate_bp is not None:
        rate.rate_bp = data.rate_bp
    rate.effective_from, rate.effective_until = start, end
    if "note" in fields:
        rate.note = data.note
    label(rate, "commission_rates.update")
    session.flush()
    return rate


def schedule_rate(session: Session, data: RateIn, *, now: datetime | None = None) -> CommissionRate:
    """A new rate from a future date (the platform's commission page). A rate of the same trade type
    and category that is open-ended and starts earlier is ended when the new one starts (a new rate
    replaces it from a date); any other overlap is refused as by :func:`create_rate`."""
    now = now or utcnow()
    if data.effective_from <= now:
        raise InvalidRate(
            "a new rate starts in the future", field="effective_from", code="commission_rate_not_future"
        )
    for current in RateRepository(session).overlapping(
        data.trade_type.value, data.category_id, data.effective_from, data.effective_until
    ):
        if current.effective_until is None and current.effective_from < data.effective_from:
            update_rate(session, current.id, RateUpdate(effective_until=data.effective_from), now=now)
    return create_rate(session, data)
