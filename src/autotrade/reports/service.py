"""reports: the platform operator's figures.

``dashboard`` — today's orders and GMV in the viewer's time zone (times are stored in UTC: "today" is
the viewer's calendar day, turned into a UTC interval), the top parts by quantity and by value and the
orders by ship-to province over the last ``days`` days (today included). An order counts unless it was
cancelled without ever being paid; GMV is the orders' gross (VAT included) in fen, as placed.

``finance_overview`` — where the money is, from the ledger's cached balances (one query), and the bank
transfers waiting for confirmation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from autotrade.core.db import utcnow
from autotrade.ledger.models import DEBIT_NORMAL, Purpose
from autotrade.reports.repository import ReportReads

DEFAULT_TIMEZONE = "Asia/Shanghai"
CURRENCY = "CNY"


@dataclass(frozen=True)
class PartFigure:
    part_id: uuid.UUID
    sku: str
    name_zh: str
    name_en: str | None
    quantity: int
    gross_fen: int
    orders: int


@dataclass(frozen=True)
class ProvinceFigure:
    province: str
    orders: int
    gross_fen: int


@dataclass(frozen=True)
class Dashboard:
    day: date  # today, in the viewer's time zone
    since: date  # first day of the window (today − days + 1)
    days: int
    orders_today: int
    gmv_today_fen: int
    orders_in_window: int
    gmv_in_window_fen: int
    top_by_quantity: list[PartFigure]
    top_by_value: list[PartFigure]
    provinces: list[ProvinceFigure]
    open_disputes: int
    transfers_to_confirm: int

    @property
    def empty(self) -> bool:
        """No order at all in the window (today included)."""
        return self.orders_in_window == 0


def zone(tz: ZoneInfo | str | None) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz or DEFAULT_TIMEZONE)
    except (ValueError, KeyError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``tz``."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def dashboard(
    session: Session,
    *,
    tz: ZoneInfo | str | None = None,
    now: datetime | None = None,
    days: int = 30,
    top: int = 10,
) -> Dashboard:
    """The home dashboard's figures (6 queries + 1 for part names, whatever the volume)."""
    tzinfo = zone(tz)
    now = now or utcnow()
    today = now.astimezone(tzinfo).date()
    start, end = day_start(today, tzinfo), day_start(today + timedelta(days=1), tzinfo)
    since = today - timedelta(days=days - 1)
    w_start = day_start(since, tzinfo)
    reads = ReportReads(session)
    orders_today, gmv_today = reads.orders_placed(start, end)
    by_qty = reads.top_parts(w_start, end, by="quantity", limit=top)
    by_value = reads.top_parts(w_start, end, by="value", limit=top)
    parts = reads.parts([r[0] for r in by_qty] + [r[0] for r in by_value])

    def figures(rows: list[tuple[uuid.UUID, int, int, int]]) -> list[PartFigure]:
        out = []
        for part_id, qty, gross, n in rows:
            part = parts.get(part_id)
            out.append(
                PartFigure(
                    part_id=part_id,
                    sku=part.sku if part else str(part_id),
                    name_zh=part.name_zh if part else "",
                    name_en=part.name_en if part else None,
                    quantity=qty,
                    gross_fen=gross,
                    orders=n,
                )
            )
        return out

    provinces = [ProvinceFigure(p, n, g) for p, n, g in reads.provinces(w_start, end)]
    transfers, _amount = reads.transfers_to_confirm()
    return Dashboard(
        day=today,
        since=since,
        days=days,
        orders_today=orders_today,
        gmv_today_fen=gmv_today,
        orders_in_window=sum(p.orders for p in provinces),
        gmv_in_window_fen=sum(p.gross_fen for p in provinces),
        top_by_quantity=figures(by_qty),
        top_by_value=figures(by_value),
        provinces=provinces,
        open_disputes=reads.open_disputes(),
        transfers_to_confirm=transfers,
    )


# ---- finance ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinanceOverview:
    """Amounts in fen, each on its normal side (what the platform holds, owes or earned: ≥ 0 normally)."""

    escrow_held_fen: int
    supplier_payable_fen: int
    commission_fen: int
    bank_fen: int
    gateway_fen: int
    refunds_payable_fen: int
    credit_receivable_fen: int
    transfers_to_confirm: int
    transfers_to_confirm_fen: int


def _normal(balances: dict[Purpose, int], purpose: Purpose) -> int:
    booked = balances.get(purpose, 0)
    return booked if purpose in DEBIT_NORMAL else -booked


def finance_overview(session: Session) -> FinanceOverview:
    reads = ReportReads(session)
    b = reads.balances_by_purpose(CURRENCY)
    count, amount = reads.transfers_to_confirm()
    return FinanceOverview(
        escrow_held_fen=_normal(b, Purpose.escrow),
        supplier_payable_fen=_normal(b, Purpose.supplier_payable),
        commission_fen=_normal(b, Purpose.commission_revenue),
        bank_fen=_normal(b, Purpose.bank_clearing),
        gateway_fen=_normal(b, Purpose.gateway_clearing),
        refunds_payable_fen=_normal(b, Purpose.refunds_payable),
        credit_receivable_fen=_normal(b, Purpose.credit_receivable),
        transfers_to_confirm=count,
        transfers_to_confirm_fen=amount,
    )


@dataclass(frozen=True)
class SupplierPayable:
    org_id: uuid.UUID
    name: str
    payable_fen: int


def supplier_payables(session: Session) -> list[SupplierPayable]:
    """Every company the platform has ever owed money to, with what it owes now (by name)."""
    return [SupplierPayable(i, n, p) for i, n, p in ReportReads(session).supplier_payables(CURRENCY)]


def company_names(session: Session, ids: list[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    return ReportReads(session).company_names(ids)


def companies_named(session: Session, text: str, *, limit: int = 6) -> list[tuple[uuid.UUID, str]]:
    return ReportReads(session).companies_named(text, limit)
